// The paying journeys through the Android shell's screen models (PayScreen and its
// PaymentScreen), against the real library and a real council server on 127.0.0.1: what the
// resident typed, each refusal beside its input, one payment per tap, the card page and the
// receipt, and a declined card tried again.
package uk.doorstep.tests

import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.PayScreen
import uk.doorstep.shared.PayState
import uk.doorstep.shared.PaymentScreen
import uk.doorstep.shared.PaymentScreenState
import uniffi.doorstep_mobile.DoorstepException
import uniffi.doorstep_mobile.amountInPence

inline fun <reified S : PayState> PayScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

/** The payment's page, paid with `card`, and the app opened with the page's return. */
suspend fun PaymentScreen.paidWith(card: String) {
    val open = state.value as? PaymentScreenState.OpenPage ?: throw Failure("no page to open: ${state.value}")
    expect(returned(payOnCardPage(open.page, card))) { "the return is this payment's" }
}

fun PayScreen.filledIn(reference: String, amount: String, email: String) {
    reference(reference)
    amount(amount)
    email(email)
}

fun councilTaxIsPaidThroughThePayScreen() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = PayScreen(resident)
        screen.load("no_such_purpose")
        screen.showing<PayState.NotTaken>("an unknown purpose")
        screen.load("council_tax")
        val form = screen.showing<PayState.Form>("loaded")
        expect(form.purpose.referenceLabel.isNotBlank() && form.purpose.minPence <= 1250uL) { "the council's purpose: ${form.purpose}" }
        screen.filledIn("1234 5678", "twelve pounds", "ann@example.org")
        screen.pay()
        val unread = screen.showing<PayState.Form>("an amount that is not one")
        val core = try {
            amountInPence("twelve pounds")
            throw Failure("the core read twelve pounds")
        } catch (e: DoorstepException.FixInput) {
            e.problems.map { it.message }
        }
        expect(core.size == 1 && unread.errors == mapOf(PayScreen.AMOUNT to core[0])) { "the core's words beside the amount: ${unread.errors}, the core: $core" }
        expect(unread.amount == "twelve pounds" && unread.reference == "1234 5678" && unread.email == "ann@example.org") { "nothing typed is lost: $unread" }
        screen.amount("£12.50")
        screen.email("ann@")
        screen.pay()
        expect(screen.showing<PayState.Form>("an email that is not one").errors.keys == setOf(PayScreen.EMAIL)) { "beside the email" }
        expect(resident.core.payments().isEmpty()) { "nothing refused was kept" }
        screen.email("ann@example.org")
        coroutineScope {
            launch { screen.pay() }
            launch { screen.pay() }
        }
        val paying = screen.showing<PayState.Paying>("paying").payment
        expect(resident.core.payments().size == 1) { "two taps start one payment" }
        expect(!paying.returned("$RETURN_URL?payment=someone-elses")) { "another payment's return is not this one's" }
        paying.paidWith("4242424242424242")
        val paid = paying.state.value as? PaymentScreenState.Paid ?: throw Failure("not paid: ${paying.state.value}")
        expect(paid.payment.amountPence == 1250uL && paid.payment.shown.status == "Paid") { "the amount typed, paid: ${paid.payment.shown}" }
        expect(paid.payment.shown.reference != null && paid.payment.payment?.receipt != null) { "the council's reference and the receipt" }
    }
}

fun aDeclinedCardMayBeTriedAgain() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = PayScreen(resident)
        screen.load("council_tax")
        screen.filledIn("1234 5678", "£20", "")
        screen.pay()
        val first = screen.showing<PayState.Paying>("paying").payment
        first.paidWith("4000000000000002")
        val declined = first.state.value as? PaymentScreenState.NotPaid ?: throw Failure("taken with a declined card: ${first.state.value}")
        expect(declined.message == "Your card was declined" && declined.payment.shown.status == "Not paid") { "the provider's reason: $declined" }
        screen.again()
        val form = screen.showing<PayState.Form>("tried again")
        expect(form.reference == "1234 5678" && form.amount == "£20" && !form.sending) { "what was typed is kept: $form" }
        screen.pay()
        val second = screen.showing<PayState.Paying>("paying again").payment
        expect(second.localId != first.localId) { "a payment of its own" }
        second.paidWith("4242424242424242")
        val paid = second.state.value as? PaymentScreenState.Paid ?: throw Failure("not paid: ${second.state.value}")
        expect(paid.payment.amountPence == 2000uL) { "paid this time: ${paid.payment}" }
    }
}

/** The journeys of this file, by name, for the runner. */
val payScreenJourneys = listOf(
    "councilTaxIsPaidThroughThePayScreen" to ::councilTaxIsPaidThroughThePayScreen,
    "aDeclinedCardMayBeTriedAgain" to ::aDeclinedCardMayBeTriedAgain,
)
