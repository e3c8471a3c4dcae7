// What the phone posts when the council moves something the resident sent on: the core's
// StatusChanged event as a notification, and the request it opens. No Android import: the JVM
// tests drive this model; the app hands each notification to the platform.
//
// Invariant: a notification's title and body are the core's, unchanged; only a status change
// becomes one, every other event none.
package uk.doorstep.shared

import kotlinx.coroutines.channels.ReceiveChannel
import kotlinx.coroutines.channels.consume
import uniffi.doorstep_core.Event

/** A notification to post; tapping it opens the request `opens` of `kind` (null when the core names a kind this app does not know). */
data class StatusNotification(val title: String, val body: String, val opens: String, val kind: RequestKind?)

/** The notification an event makes, if any. */
fun statusNotification(event: Event): StatusNotification? = when (event) {
    is Event.StatusChanged -> StatusNotification(event.title, event.body, event.localId, RequestKind.named(event.kind))
    else -> null
}

/** Post a notification for each status change heard, until the events stop or the caller is cancelled. */
suspend fun ReceiveChannel<Event>.postNotifications(post: (StatusNotification) -> Unit) = consume {
    for (event in this) statusNotification(event)?.let(post)
}
