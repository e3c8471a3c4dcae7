// "My requests" through the Android shell's screen model (RequestsScreen), against the real
// library and a real council server on 127.0.0.1: each report, booking and payment this phone
// made in the core's words, and the list read again when the core says an item changed.
package uk.doorstep.tests

import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.RequestKind
import uk.doorstep.shared.RequestsScreen
import uk.doorstep.shared.RequestsState

inline fun <reified S : RequestsState> RequestsScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

fun theRequestsListShowsEachItemInTheCoresWords() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = RequestsScreen(resident)
        screen.load()
        expect(screen.showing<RequestsState.Listed>("nothing made yet").nothingYet) { "nothing yet: ${screen.state.value}" }
        val report = resident.report("pothole", "A deep pothole by the bus stop", DURHAM, POTHOLE_ANSWERS).done("report")
        val slot = resident.slots("library_computer").done("slots").list.slots.first { it.remaining > 0u }
        val booking = resident.book("library_computer", slot.id).done("book")
        resident.syncNow().done("sync")
        council.stop()
        val payment = resident.pay("council_tax", "1234 5678", "£12.50", RETURN_URL).done("pay offline")
        screen.load()
        val listed = screen.showing<RequestsState.Listed>("three made")
        val sent = resident.report(report.localId).done("my report").shown
        val row = listed.reports.single()
        expect(row.localId == report.localId && row.kind == RequestKind.REPORT && row.shown == sent) { "the report in the core's words: $row" }
        expect(row.tag == "Open" && sent.status == "Open" && row.shown.reference != null && !row.needsAttention) { "the council's status once it has it: $row" }
        val booked = listed.bookings.single()
        expect(booked.localId == booking.localId && booked.tag == "Confirmed" && booked.shown.summary.isNotBlank()) { "the booking, its status and when: $booked" }
        val paying = listed.payments.single()
        expect(paying.localId == payment.localId && paying.kind == RequestKind.PAYMENT) { "the payment: $paying" }
        expect(paying.tag == "Waiting to send" && paying.shown.reference == null) { "not sent yet, in the core's words: $paying" }
        expect(paying.shown == resident.core.payment(payment.localId).shown) { "the core's words, unchanged: ${paying.shown}" }
    }
}

fun theRequestsListIsReadAgainWhenAnItemChanges() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = RequestsScreen(resident)
        coroutineScope {
            val following = launch { screen.follow() }
            eventually { screen.state.value is RequestsState.Listed }
            val made = resident.report("pothole", "A pothole by the school", DURHAM, POTHOLE_ANSWERS).done("report")
            eventually { (screen.state.value as? RequestsState.Listed)?.reports?.singleOrNull()?.tag == "Waiting to send" }
            resident.syncNow().done("sync")
            eventually { (screen.state.value as? RequestsState.Listed)?.reports?.singleOrNull()?.tag == "Open" }
            val row = screen.showing<RequestsState.Listed>("after sending").reports.single()
            expect(row.localId == made.localId && row.shown.reference != null) { "the council's copy: $row" }
            following.cancel()
        }
    }
}

/** The journeys of this file, by name, for the runner. */
val requestsScreenJourneys = listOf(
    "theRequestsListShowsEachItemInTheCoresWords" to ::theRequestsListShowsEachItemInTheCoresWords,
    "theRequestsListIsReadAgainWhenAnItemChanges" to ::theRequestsListIsReadAgainWhenAnItemChanges,
)
