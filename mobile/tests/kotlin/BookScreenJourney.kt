// The booking journeys through the Android shell's screen models (BookScreen, BookingScreen and
// the fee's PaymentScreen), against the real library and a real council server on 127.0.0.1:
// the council's questions and times, stale times offline, a taken time and the council's
// alternatives, a fee paid on the card page, a booking cancelled before its cut-off.
package uk.doorstep.tests

import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.BookScreen
import uk.doorstep.shared.BookState
import uk.doorstep.shared.BookingScreen
import uk.doorstep.shared.BookingState
import uk.doorstep.shared.PaymentScreenState
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_protocol.Fallback
import uniffi.doorstep_mobile.fallbackChoices
import uniffi.doorstep_mobile.GivenAnswer

inline fun <reified S : BookState> BookScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

inline fun <reified S : BookingState> BookingScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

val HEADPHONES = mapOf("support" to GivenAnswer.Picked(listOf("headphones")))

fun aComputerIsBookedThroughTheBookScreen() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = BookScreen(resident)
        screen.load("library_computer")
        val form = screen.showing<BookState.Form>("loaded")
        expect(form.fields.map { it.code } == listOf("library_card", "support")) { "the council's questions: ${form.fields.map { it.code }}" }
        expect(!form.stale && form.slots?.list?.slots?.isNotEmpty() == true) { "the council's times, live: ${form.slots}" }
        expect(form.fee == null && form.fallback == Fallback.NONE) { "no fee, and nothing else booked unasked: $form" }
        val offered = fallbackChoices()
        expect(offered.map { it.fallback } == listOf(Fallback.NONE, Fallback.SAME_DAY, Fallback.NEXT_AVAILABLE) && offered[0].name == "Don’t book") {
            "what to do if the time is taken, as the core offers it: $offered"
        }
        screen.answer("support", HEADPHONES.getValue("support"))
        screen.check()
        screen.book()
        val refused = screen.showing<BookState.Form>("booked without a time")
        expect(refused.errors.keys == setOf(BookScreen.SLOT) && refused.summary.size == 1) { "beside the time: ${refused.summary}" }
        expect(refused.answers == HEADPHONES) { "nothing given is lost: ${refused.answers}" }
        expect(resident.core.bookings().isEmpty()) { "nothing refused was kept" }
        val slot = refused.slots?.list?.slots?.firstOrNull { it.remaining > 0u } ?: throw Failure("no free time")
        screen.choose(slot.id)
        screen.check()
        val checking = screen.showing<BookState.Check>("checked")
        val rows = checking.rows.associate { it.code to it.answer }
        expect(rows - BookScreen.SLOT == mapOf("library_card" to "Not answered", "support" to "Headphones", BookScreen.FALLBACK to "Don’t book")) {
            "the core's words, no place asked: $rows"
        }
        expect(rows[BookScreen.SLOT]?.startsWith("${slot.siteName}, ") == true && rows.getValue(BookScreen.SLOT).contains(" at ")) { "the time at its site: $rows" }
        expect(checking.form.chosen == slot) { "the time chosen: ${checking.form.chosen}" }
        coroutineScope {
            launch { screen.book() }
            launch { screen.book() }
        }
        val booked = screen.showing<BookState.Booked>("booked")
        expect(booked.reference != null && booked.reference == booked.booking.booking?.reference) { "the council's reference: $booked" }
        expect(booked.booking.shown.status == "Confirmed" && booked.feeDue == null) { "confirmed, nothing to pay: ${booked.booking.shown}" }
        expect(booked.booking.booking?.slotId == slot.id) { "at the time chosen: ${booked.booking.booking}" }
        val made = resident.core.bookings().size
        expect(made == 1) { "two taps of Book make one booking: $made" }
    }
}

fun slotsShownOfflineAreMarkedStale() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val online = BookScreen(resident)
        online.load("library_computer")
        val live = online.showing<BookState.Form>("loaded online").slots ?: throw Failure("no times online")
        expect(!live.stale) { "live online" }
        council.stop()
        val screen = BookScreen(resident)
        screen.load("library_computer")
        val form = screen.showing<BookState.Form>("loaded offline")
        expect(form.stale && form.slots?.fetchedAt == live.fetchedAt) { "the times seen online, marked stale: ${form.slots}" }
        val slot = form.slots?.list?.slots?.firstOrNull { it.remaining > 0u } ?: throw Failure("no free time")
        screen.choose(slot.id)
        screen.check()
        screen.book()
        val saved = screen.showing<BookState.Booked>("booked offline")
        expect(saved.reference == null && saved.booking.shown.delivery == "Waiting to send") { "saved, to send later: ${saved.booking.shown}" }
        eventually { resident.status.waiting == 1uL }
        val booking = BookingScreen(resident)
        booking.load(saved.booking.localId)
        val waiting = booking.showing<BookingState.Showing>("a booking not sent yet")
        expect(!waiting.mayCancel && waiting.feeDue == null) { "nothing to cancel at the council yet: $waiting" }
    }
}

fun aTakenTimeOffersTheCouncilsAlternatives() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = BookScreen(resident)
        screen.load("library_computer")
        val slot = screen.showing<BookState.Form>("loaded").slots?.list?.slots?.firstOrNull { it.remaining > 0u }
            ?: throw Failure("no free time")
        screen.choose(slot.id)
        screen.ifTaken(Fallback.NONE)
        screen.check()
        phone(council.url).use { others ->
            others.services().done("their catalogue")
            repeat(slot.remaining.toInt()) { others.book("library_computer", slot.id, fallback = Fallback.NONE).done("another's booking") }
            others.syncNow().done("their sync")
            expect(others.core.bookings().all { it.delivery == Delivery.Sent }) { "every place at that time is taken" }
        }
        screen.book()
        val taken = screen.showing<BookState.Taken>("booked a time that was taken")
        expect(taken.problem.isNotBlank() && taken.booking.shown.delivery == "Needs your attention") { "the council's words: $taken" }
        expect(taken.alternatives.isNotEmpty() && taken.alternatives.none { it.id == slot.id }) { "other times offered: ${taken.alternatives}" }
        screen.pick("no such time")
        expect(screen.showing<BookState.Taken>("picked a time not offered").picked == null) { "only an offered time is picked" }
        val instead = taken.alternatives.first()
        screen.pick(instead.id)
        coroutineScope {
            launch { screen.bookPicked() }
            launch { screen.bookPicked() }
        }
        val booked = screen.showing<BookState.Booked>("booked another time")
        expect(booked.reference != null && booked.booking.booking?.slotId == instead.id) { "at the time picked instead: ${booked.booking.booking}" }
        expect(resident.core.bookings().size == 1) { "one booking for the resident" }
        val next = BookScreen(resident)
        next.load("library_computer")
        next.choose(slot.id)
        next.ifTaken(Fallback.NEXT_AVAILABLE)
        next.check()
        next.book()
        val moved = next.showing<BookState.Booked>("booked with the next time available")
        expect(moved.reference != null && moved.booking.booking?.slotId != slot.id) { "the council booked another time: ${moved.booking.booking}" }
    }
}

fun aBulkyWasteFeeIsPaidAndTheReceiptShown() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = BookScreen(resident)
        screen.load("bulky_waste")
        expect(screen.showing<BookState.Form>("loaded").fee == null) { "no fee until the items are known" }
        screen.answer("items", GivenAnswer.Picked(listOf("sofa", "mattress")))
        screen.answer("where_left", GivenAnswer.Typed("front"))
        val form = screen.showing<BookState.Form>("answered")
        expect(form.fee == 2600u) { "two items cost the first band's fee: ${form.fee}" }
        screen.place(DURHAM)
        screen.choose(form.slots?.list?.slots?.firstOrNull { it.remaining > 0u }?.id ?: throw Failure("no free collection day"))
        screen.check()
        val rows = screen.showing<BookState.Check>("checked").rows.associate { it.code to it.answer }
        expect(rows["items"] == "Sofa or settee, Mattress" && rows[BookScreen.LOCATION] == "54.7761, -1.5733") { "what and where: $rows" }
        screen.book()
        val booked = screen.showing<BookState.Booked>("booked")
        expect(booked.feeDue == 2600u && booked.booking.shown.status == "Waiting for payment") { "the fee is due: ${booked.booking.shown}" }
        val page = BookingScreen(resident)
        page.load(booked.booking.localId)
        expect(page.showing<BookingState.Showing>("the booking").feeDue == 2600u) { "the booking offers to pay it too" }
        coroutineScope {
            launch { screen.payFee() }
            launch { screen.payFee() }
        }
        val paying = screen.showing<BookState.Booked>("paying the fee").fee ?: throw Failure("no payment for the fee")
        val payments = resident.core.payments().size
        expect(payments == 1) { "two taps pay once: $payments" }
        val open = paying.state.value as? PaymentScreenState.OpenPage ?: throw Failure("no page to open: ${paying.state.value}")
        expect(paying.returned(payOnCardPage(open.page, "4242424242424242"))) { "the return is the fee's" }
        val paid = paying.state.value as? PaymentScreenState.Paid ?: throw Failure("not paid: ${paying.state.value}")
        expect(paid.payment.shown.status == "Paid" && paid.payment.amountPence == 2600uL) { "the core's words and the fee: ${paid.payment.shown}" }
        expect(paid.payment.shown.reference == booked.reference && paid.payment.payment?.receipt != null) { "against the booking's reference, with a receipt" }
    }
}

fun aBookingIsCancelledBeforeTheCutOff() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val slot = resident.slots("library_computer").done("slots").list.slots.firstOrNull { it.remaining > 0u } ?: throw Failure("no free time")
        val made = resident.book("library_computer", slot.id, HEADPHONES).done("book")
        resident.syncNow().done("sync")
        val screen = BookingScreen(resident)
        screen.load(made.localId)
        val showing = screen.showing<BookingState.Showing>("loaded")
        val name = resident.service("library_computer").done("the service").name
        expect(showing.booking.shown.title == name && showing.booking.shown.status == "Confirmed") { "the core's words: ${showing.booking.shown}" }
        expect(showing.booking.shown.answers.any { it.code == "support" && it.answer == "Headphones" }) { "what was answered: ${showing.booking.shown.answers}" }
        expect(showing.mayCancel && showing.feeDue == null) { "before its cut-off, nothing to pay: $showing" }
        screen.cancel()
        expect(screen.showing<BookingState.Showing>("cancelled unconfirmed").booking.shown.status == "Confirmed" && resident.outbox().done("outbox").isEmpty()) {
            "nothing is cancelled unconfirmed"
        }
        screen.askToCancel()
        expect(screen.showing<BookingState.Showing>("asked").confirming) { "Are you sure?" }
        coroutineScope {
            launch { screen.cancel() }
            launch { screen.cancel() }
        }
        val cancelled = screen.showing<BookingState.Showing>("cancelled")
        expect(cancelled.booking.shown.status == "Cancelled" && !cancelled.mayCancel) { "cancelled, not offered again: ${cancelled.booking.shown}" }
        expect(cancelled.booking.delivery == Delivery.Sent && resident.outbox().done("outbox").isEmpty()) { "one cancellation, taken: ${cancelled.booking.delivery}" }
    }
}

/** The journeys of this file, by name, for the runner. */
val bookScreenJourneys = listOf(
    "aComputerIsBookedThroughTheBookScreen" to ::aComputerIsBookedThroughTheBookScreen,
    "slotsShownOfflineAreMarkedStale" to ::slotsShownOfflineAreMarkedStale,
    "aTakenTimeOffersTheCouncilsAlternatives" to ::aTakenTimeOffersTheCouncilsAlternatives,
    "aBulkyWasteFeeIsPaidAndTheReceiptShown" to ::aBulkyWasteFeeIsPaidAndTheReceiptShown,
    "aBookingIsCancelledBeforeTheCutOff" to ::aBookingIsCancelledBeforeTheCutOff,
)
