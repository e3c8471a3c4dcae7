// Status-change notifications through the Android shell's model (StatusNotification), against the
// real library and a real council server on 127.0.0.1: the council moves a report on, the
// phone syncs, and what it posts is the core's title and body, opening that report.
package uk.doorstep.tests

import java.util.Collections
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.StatusNotification
import uk.doorstep.shared.RequestKind
import uk.doorstep.shared.hear
import uk.doorstep.shared.statusNotification
import uk.doorstep.shared.postNotifications
import uniffi.doorstep_core.Event

fun aStatusChangeBecomesANotificationInTheCoresWords() = withCouncil { council ->
    phone(council.url).use { resident ->
        val sent = resident.sentPothole("A deep pothole by the bus stop")
        val reference = sent.shown.reference ?: throw Failure("no reference: ${sent.shown}")
        val posted = Collections.synchronizedList(mutableListOf<StatusNotification>())
        coroutineScope {
            val events = resident.hear()
            val posting = launch { events.postNotifications { posted += it } }
            council.movesOn(sent, "in_progress", "A crew is on its way")
            resident.syncNow().done("sync")
            eventually { posted.isNotEmpty() }
            posting.cancel()
        }
        val notice = posted.single()
        expect(notice.title == "Report a pothole $reference" && notice.body == "Now: In progress") { "the core's words: $notice" }
        expect(notice.opens == sent.localId && notice.kind == RequestKind.REPORT) { "it opens the report: $notice" }
        val other = listOf(Event.ItemChanged(sent.localId, "report"), Event.Outbox(0u, 0u), Event.PaymentNeedsAction(sent.localId, RETURN_URL))
        expect(other.all { statusNotification(it) == null }) { "no other event is posted" }
        val event = Event.StatusChanged("p1", "payment", "Council tax 1234 5678", "Now: Paid")
        expect(statusNotification(event) == StatusNotification("Council tax 1234 5678", "Now: Paid", "p1", RequestKind.PAYMENT)) { "a payment's, unchanged" }
    }
}

/** The journeys of this file, by name, for the runner. */
val notificationsJourneys = listOf(
    "aStatusChangeBecomesANotificationInTheCoresWords" to ::aStatusChangeBecomesANotificationInTheCoresWords,
)
