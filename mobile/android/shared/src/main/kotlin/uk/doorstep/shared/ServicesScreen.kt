// The "find a service" journey as its screens draw it: the top tasks, the council's services
// under its groups, a search (online the catalogue is refreshed first; offline what the phone
// holds is searched, and the screen says so), and one service with the journey it opens. No
// Android import: the JVM tests drive this model.
//
// Invariant: the services, their groups' names and what a search finds are the core's, and
// the top tasks shown are the core's, only those the council offers; what the
// resident typed in the search is kept whatever the search found or failed with.
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.TopTask
import uniffi.doorstep_mobile.Service
import uniffi.doorstep_mobile.ServiceGroup
import uniffi.doorstep_protocol.ServiceKind
import uniffi.doorstep_protocol.ServiceSummary

/** The journey a service opens. */
sealed class Opens {
    data class Report(val serviceCode: String) : Opens()

    data class Book(val serviceCode: String) : Opens()

    /** `purpose` is what the payment is for, when the service names it. */
    data class Pay(val purpose: String?) : Opens()

    /** A service the council handles on its own website. */
    data class Website(val url: String) : Opens()

    /** Nothing to do here but read what the service says. */
    data object Information : Opens()
}

/** What a service offers, by its kind. */
fun Service.opens(): Opens = when (kind) {
    ServiceKind.REPORT -> Opens.Report(code)
    ServiceKind.BOOKING -> Opens.Book(code)
    ServiceKind.PAYMENT -> Opens.Pay(paymentPurpose)
    ServiceKind.INFO -> moreInfoUrl?.let { Opens.Website(it) } ?: Opens.Information
}

sealed class ServicesState {
    /** Finding the council's services. */
    data object Loading : ServicesState()

    /** Nothing could be found; `canRetry` when trying again online may find it; `search` is what was typed. */
    data class Failed(val message: String, val canRetry: Boolean, val search: String) : ServicesState()

    /**
     * The top tasks and the services under their groups (only those of `kind`, when given);
     * `offline` when the council could not be reached and this is what the phone holds.
     */
    data class Listed(val tasks: List<TopTask>, val groups: List<ServiceGroup>, val kind: ServiceKind?, val offline: Boolean) : ServicesState()

    /** What a search found, best first; `offline` when only what the phone holds was searched. */
    data class Found(val search: String, val services: List<ServiceSummary>, val offline: Boolean) : ServicesState() {
        val noMatch: Boolean get() = services.isEmpty()
    }

    /** One service: what it is and the journey it opens. */
    data class Chosen(val service: Service, val opens: Opens) : ServicesState()
}

class ServicesScreen(private val resident: Resident) {
    private val current = MutableStateFlow<ServicesState>(ServicesState.Loading)
    val state: StateFlow<ServicesState> = current.asStateFlow()

    /** The top tasks and the services under their groups; only those of `kind`, when given. */
    suspend fun load(kind: ServiceKind? = null) {
        current.value = ServicesState.Loading
        current.value = when (val held = refreshed { resident.serviceGroups(kind) }) {
            is Held.Found -> ServicesState.Listed(resident.core.topTasks(), held.value, kind, held.offline)
            is Held.Failed -> ServicesState.Failed(held.failure.reason, held.failure.advice == Advice.TRY_WHEN_ONLINE, "")
        }
    }

    /** Search the services; a blank search lists them all, in the council's order. */
    suspend fun search(typed: String) {
        current.value = ServicesState.Loading
        val search = typed.trim().ifEmpty { null }
        current.value = when (val held = refreshed { resident.servicesHeld(search) }) {
            is Held.Found -> ServicesState.Found(typed, held.value, held.offline)
            is Held.Failed -> ServicesState.Failed(held.failure.reason, held.failure.advice == Advice.TRY_WHEN_ONLINE, typed)
        }
    }

    /** One service, and the journey it opens. */
    suspend fun open(serviceCode: String) {
        current.value = ServicesState.Loading
        current.value = when (val found = resident.service(serviceCode)) {
            is Outcome.Done -> ServicesState.Chosen(found.value, found.value.opens())
            is Outcome.Failed -> ServicesState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE, "")
        }
    }

    private sealed class Held<out T> {
        data class Found<T>(val value: T, val offline: Boolean) : Held<T>()

        data class Failed(val failure: Outcome.Failed) : Held<Nothing>()
    }

    /**
     * `read` after refreshing the catalogue; offline, `read` of what the phone holds — unless
     * it holds no catalogue at all, when the refresh's failure is what the screen says.
     */
    private suspend fun <T> refreshed(read: suspend () -> Outcome<T>): Held<T> {
        val refresh = resident.refreshCatalogue()
        val offline = refresh is Outcome.Failed && refresh.advice == Advice.TRY_WHEN_ONLINE
        if (refresh is Outcome.Failed && !offline) return Held.Failed(refresh)
        if (refresh is Outcome.Failed) {
            val holds = resident.servicesHeld(null)
            if (holds is Outcome.Failed) return Held.Failed(holds)
            if ((holds as Outcome.Done).value.isEmpty()) return Held.Failed(refresh)
        }
        return when (val read = read()) {
            is Outcome.Done -> Held.Found(read.value, offline)
            is Outcome.Failed -> Held.Failed(read)
        }
    }
}
