// The calls the screens for finding a service and following what was sent make to the core:
// the catalogue under its groups, the reports, bookings and payments this phone made, an update
// to a report, and the core's events as they come. No Android import: the JVM tests run this layer.
//
// Invariant: each call is one call to the core, its failure an `Outcome.Failed`; the events
// heard are the core's own, in its order, and hearing stops (the core's subscription with it)
// when the channel is closed or its reader cancels it.
package uk.doorstep.shared

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.ReceiveChannel
import uniffi.doorstep_core.Event
import uniffi.doorstep_mobile.EventListener
import uniffi.doorstep_core.MyBooking
import uniffi.doorstep_core.MyPayment
import uniffi.doorstep_core.MyReport
import uniffi.doorstep_mobile.ServiceGroup
import uniffi.doorstep_protocol.ServiceKind
import uniffi.doorstep_protocol.ServiceSummary

/** Fetch the catalogue if it changed; says whether it did. */
suspend fun Resident.refreshCatalogue(): Outcome<Boolean> = attempt { core.refreshCatalogue() }

/** The services the phone holds under the council's names for their groups; only those of `kind`, when given. */
suspend fun Resident.serviceGroups(kind: ServiceKind? = null): Outcome<List<ServiceGroup>> = attempt { core.serviceGroups(kind) }

/** The services the phone holds, the best matches for `search` first. */
suspend fun Resident.servicesHeld(search: String?): Outcome<List<ServiceSummary>> = attempt { core.services(search) }

/** The reports this phone made, newest first. */
suspend fun Resident.reportsMade(): Outcome<List<MyReport>> = attempt { core.reports() }

/** The bookings this phone made, newest first. */
suspend fun Resident.bookingsMade(): Outcome<List<MyBooking>> = attempt { core.bookings() }

/** The payments this phone made, newest first. */
suspend fun Resident.paymentsMade(): Outcome<List<MyPayment>> = attempt { core.payments() }

/** Add an update to a report, or say it is still not fixed (`reopen`); kept and sent like everything else. */
suspend fun Resident.addUpdate(localId: String, text: String, reopen: Boolean): Outcome<MyReport> =
    attempt { core.addUpdate(localId, text, reopen) }

/**
 * Whether an event may change what a list or a request shows — the outbox moved, an item
 * changed, a payment waits on its page — so a screen showing them reads them again, as the
 * desktop's do.
 */
fun Event.changesRequests(): Boolean = when (this) {
    is Event.Outbox, is Event.ItemChanged, is Event.PaymentNeedsAction -> true
    is Event.Sync, is Event.StatusChanged -> false
}

/** The core's events from now on (it hears once this returns), until the channel is closed or cancelled. */
suspend fun Resident.hear(): ReceiveChannel<Event> {
    val events = Channel<Event>(Channel.UNLIMITED)
    val subscription = core.subscribe(
        object : EventListener {
            override fun onEvent(event: Event) {
                events.trySend(event)
            }
        },
    )
    events.invokeOnClose { subscription.close() }
    return events
}
