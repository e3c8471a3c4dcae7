// One payment on its way, as its screen draws it: waiting for the council to start it, its
// payment page to open (the platform opens it in a Custom Tab and waits for the app's return
// address), being checked, then paid with its receipt or not paid. No Android import: the JVM
// tests drive this model.
//
// Invariant: "paid" and "not paid" are only what the council said when last asked, asked again
// whenever the resident comes back from the payment page; the words are the core's `shown`.
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_core.MyPayment
import uniffi.doorstep_protocol.PaymentStatus
import uniffi.doorstep_mobile.returnedPayment

sealed class PaymentScreenState {
    abstract val payment: MyPayment

    /** Saved on this phone, or on its way: the council has not started it yet. */
    data class Waiting(override val payment: MyPayment) : PaymentScreenState()

    /** The council could not start it: `problem` is its refusal, fixed or discarded from the outbox. */
    data class NotStarted(override val payment: MyPayment, val problem: String) : PaymentScreenState()

    /** Open `page` for the resident to pay on; the app waits to be opened with its return address. */
    data class OpenPage(override val payment: MyPayment, val page: String) : PaymentScreenState()

    /** Paid on the page, and the payment provider is still checking it. */
    data class BeingChecked(override val payment: MyPayment) : PaymentScreenState()

    /** The council says it is paid: `shown` says so, with the amount, the reference and the receipt. */
    data class Paid(override val payment: MyPayment) : PaymentScreenState()

    /** Not taken (declined, cancelled on the page): `message` is the provider's reason; it may be tried again. */
    data class NotPaid(override val payment: MyPayment, val message: String?) : PaymentScreenState()
}

class PaymentScreen(private val resident: Resident, started: MyPayment) {
    private val current = MutableStateFlow(started.asState(resident.paymentPages))
    val state: StateFlow<PaymentScreenState> = current.asStateFlow()

    /** The council could not be asked; what is shown is what it said last. */
    private val trouble = MutableStateFlow<String?>(null)
    val problem: StateFlow<String?> = trouble.asStateFlow()

    val localId: String = started.localId

    /** Send what waits, then ask the council how the payment stands. */
    suspend fun refresh() {
        resident.syncNow()
        show(resident.paymentReturned(localId))
    }

    /** The app was opened with `url`: when it is this payment's return, ask the council how it went. */
    suspend fun returned(url: String): Boolean {
        if (returnedPayment(url) != localId) return false
        resident.paymentReturnedWith(url)?.let { show(it) }
        return true
    }

    private fun show(asked: Outcome<MyPayment>) {
        when (asked) {
            is Outcome.Done -> {
                trouble.value = null
                current.value = asked.value.asState(resident.paymentPages)
            }
            is Outcome.Failed -> trouble.value = asked.reason
        }
    }
}

/** Where a payment stands, from the core's record and the pages the core said to open. */
fun MyPayment.asState(pages: List<Pair<String, String>>): PaymentScreenState {
    val made = payment
    val page = made?.nextUrl ?: pages.lastOrNull { it.first == localId }?.second
    val delivery = delivery
    return when {
        delivery is Delivery.NeedsAttention -> PaymentScreenState.NotStarted(this, delivery.problem.message)
        made == null -> PaymentScreenState.Waiting(this)
        made.state.status == PaymentStatus.SUCCESS -> PaymentScreenState.Paid(this)
        made.state.finished -> PaymentScreenState.NotPaid(this, made.state.message)
        made.state.status == PaymentStatus.SUBMITTED || made.state.status == PaymentStatus.CAPTURABLE -> PaymentScreenState.BeingChecked(this)
        page != null -> PaymentScreenState.OpenPage(this, page)
        else -> PaymentScreenState.Waiting(this)
    }
}
