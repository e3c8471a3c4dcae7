// One report as its screen draws it: its reference, status, timeline and answers in the core's
// words, "add an update", and "it is still not fixed" (reopen) when the core says it may be.
// No Android import: the JVM tests drive this model.
//
// Invariant: what is shown of the report is the core's (`shown`), read again when the core
// says it may have changed; what the resident typed is kept until the core has taken it; an update is
// sent at most once per tap, and reopening is only asked for when `shown.mayReopen` offers it.
package uk.doorstep.shared

import kotlinx.coroutines.channels.consume
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_core.MyReport

sealed class RequestState {
    /** Finding the report. */
    data object Loading : RequestState()

    /** The report could not be found; `canRetry` when trying again may find it. */
    data class Failed(val message: String, val canRetry: Boolean) : RequestState()

    /**
     * The report and the update being written. `errors` holds the first message for each input
     * by the field the core's problems name ([RequestScreen.UPDATE]); `summary` every message, in
     * the core's order. `added` says how the last update taken on this screen stands.
     */
    data class Showing(
        val report: MyReport,
        val update: String,
        val sending: Boolean,
        val errors: Map<String, String>,
        val summary: List<FormError>,
        val added: UpdateAdded?,
    ) : RequestState() {
        /** Whether "it is still not fixed" is offered. */
        val mayReopen: Boolean get() = report.shown.mayReopen
    }
}

/** An update the core took: `sent` once the council has it, else saved on this phone to send. */
data class UpdateAdded(val sent: Boolean)

class RequestScreen(private val resident: Resident) {
    private val current = MutableStateFlow<RequestState>(RequestState.Loading)
    val state: StateFlow<RequestState> = current.asStateFlow()

    suspend fun load(localId: String) {
        current.value = RequestState.Loading
        current.value = when (val found = resident.report(localId)) {
            is Outcome.Done -> RequestState.Showing(found.value, "", false, emptyMap(), emptyList(), null)
            is Outcome.Failed -> RequestState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
        }
    }

    /** Read the report again each time the core says it may have changed, keeping what is being typed, until cancelled. */
    suspend fun follow() {
        resident.hear().consume {
            for (event in this) {
                val showing = current.value as? RequestState.Showing ?: continue
                if (!event.changesRequests()) continue
                val now = (resident.report(showing.report.localId) as? Outcome.Done)?.value ?: continue
                edit { it.copy(report = now) }
            }
        }
    }

    fun write(text: String) = edit { it.copy(update = text) }

    /** Add what was typed as an update. */
    suspend fun addUpdate() = send(reopen = false)

    /** Say it is still not fixed, with what was typed; only when the core offers it. */
    suspend fun reopen() {
        val showing = current.value as? RequestState.Showing ?: return
        if (showing.mayReopen) send(reopen = true)
    }

    /** A second tap while the first update is on its way does nothing. */
    private suspend fun send(reopen: Boolean) {
        val showing = current.value as? RequestState.Showing ?: return
        if (showing.sending || !current.compareAndSet(showing, showing.copy(sending = true))) return
        val localId = showing.report.localId
        current.value = when (val taken = resident.addUpdate(localId, showing.update, reopen)) {
            is Outcome.Done -> {
                resident.syncNow()
                val report = (resident.report(localId) as? Outcome.Done)?.value ?: taken.value
                RequestState.Showing(report, "", false, emptyMap(), emptyList(), UpdateAdded(report.delivery is Delivery.Sent))
            }
            is Outcome.Failed -> showing.refused(taken)
        }
    }

    private fun edit(change: (RequestState.Showing) -> RequestState.Showing) {
        while (true) {
            val showing = current.value as? RequestState.Showing ?: return
            if (current.compareAndSet(showing, change(showing))) return
        }
    }

    companion object {
        /** The field the core's problems name for the update's text. */
        const val UPDATE = "text"
    }
}

/** The report again with what was typed, each problem beside the update or in the summary alone. */
private fun RequestState.Showing.refused(failure: Outcome.Failed): RequestState.Showing {
    val problems = failure.problems.map { it.field to it.message }.ifEmpty { listOf(failure.field to failure.reason) }
    val summary = problems.map { (field, message) -> FormError(field?.takeIf { it == RequestScreen.UPDATE }, message) }
    val errors = summary.mapNotNull { error -> error.field?.let { it to error.message } }.distinctBy { it.first }.toMap()
    return copy(sending = false, errors = errors, summary = summary, added = null)
}
