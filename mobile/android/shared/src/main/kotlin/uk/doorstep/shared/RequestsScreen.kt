// "My requests" as its screen draws it: the reports, bookings and payments this phone made,
// each with its title, reference, summary and tag in the core's words, read again whenever
// the core says one may have changed. No Android import: the JVM tests drive this model.
//
// Invariant: every word a row shows is the core's (`shown`); the list is only ever what the
// core held when last read, never patched here.
package uk.doorstep.shared

import kotlinx.coroutines.channels.consume
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.Shown
import uniffi.doorstep_core.Delivery

/** What a request is, and so which screen opens it. */
enum class RequestKind {
    REPORT, BOOKING, PAYMENT;

    companion object {
        /** The kind the core names in its events ("report", "booking", "payment"). */
        fun named(kind: String): RequestKind? = entries.firstOrNull { it.name.equals(kind, ignoreCase = true) }
    }
}

/**
 * One line of the list. `tag` is the council's status once the council has it, else where it
 * stands on its way there; `needsAttention` when the council refused something about it.
 */
data class RequestRow(val localId: String, val kind: RequestKind, val shown: Shown, val tag: String, val needsAttention: Boolean)

/** A request's line, as the desktop's list shows it. */
fun requestRow(localId: String, kind: RequestKind, shown: Shown, delivery: Delivery): RequestRow {
    return RequestRow(localId, kind, shown, shown.tag, delivery is Delivery.NeedsAttention)
}

sealed class RequestsState {
    /** Finding what this phone made. */
    data object Loading : RequestsState()

    data class Failed(val message: String) : RequestsState()

    /** Each kind newest first; all empty when nothing was made yet. */
    data class Listed(val reports: List<RequestRow>, val bookings: List<RequestRow>, val payments: List<RequestRow>) : RequestsState() {
        val nothingYet: Boolean get() = reports.isEmpty() && bookings.isEmpty() && payments.isEmpty()
    }
}

class RequestsScreen(private val resident: Resident) {
    private val current = MutableStateFlow<RequestsState>(RequestsState.Loading)
    val state: StateFlow<RequestsState> = current.asStateFlow()

    /** Read the list from the core. */
    suspend fun load() {
        val reports = resident.reportsMade()
        val bookings = resident.bookingsMade()
        val payments = resident.paymentsMade()
        current.value = when {
            reports is Outcome.Failed -> RequestsState.Failed(reports.reason)
            bookings is Outcome.Failed -> RequestsState.Failed(bookings.reason)
            payments is Outcome.Failed -> RequestsState.Failed(payments.reason)
            else -> RequestsState.Listed(
                (reports as Outcome.Done).value.map { requestRow(it.localId, RequestKind.REPORT, it.shown, it.delivery) },
                (bookings as Outcome.Done).value.map { requestRow(it.localId, RequestKind.BOOKING, it.shown, it.delivery) },
                (payments as Outcome.Done).value.map { requestRow(it.localId, RequestKind.PAYMENT, it.shown, it.delivery) },
            )
        }
    }

    /** Read the list now and again each time the core says what it shows may have changed, until cancelled. */
    suspend fun follow() {
        resident.hear().consume {
            load()
            for (event in this) if (event.changesRequests()) load()
        }
    }
}
