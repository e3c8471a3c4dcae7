// The "pay the council" journey as its screen draws it: what for (the council's purpose, its
// reference's label and hint, the amounts it takes), the reference, the amount as the resident
// writes it and an email for the receipt; each refusal beside its input; then the payment page
// and, back in the app, paid or not. No Android import: the JVM tests drive this model.
//
// Invariant: what is sent is what the resident typed (the core reads the amount and checks it
// all); nothing typed is lost on the way back to the form, after a refusal or a payment that
// was not taken; a payment is started at most once per "Continue to payment".
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_protocol.PaymentPurpose
import uniffi.doorstep_mobile.phoneReturnUrl

sealed class PayState {
    /** Finding what the council takes payments for. */
    data object Loading : PayState()

    /** That could not be found; `canRetry` when trying again online may find it. */
    data class Failed(val message: String, val canRetry: Boolean) : PayState()

    /** The council takes no payments for `purpose`. */
    data class NotTaken(val purpose: String) : PayState()

    /**
     * The form. `errors` holds the first message for each input ([PayScreen.REFERENCE],
     * [PayScreen.AMOUNT], [PayScreen.EMAIL]) and `summary` every message, in the core's order.
     */
    data class Form(
        val purpose: PaymentPurpose,
        val reference: String,
        val amount: String,
        val email: String,
        val errors: Map<String, String>,
        val summary: List<FormError>,
        val sending: Boolean,
    ) : PayState()

    /** On its way to being paid: `payment` says where it stands; `form` is what "Try again" goes back to. */
    data class Paying(val payment: PaymentScreen, val form: Form) : PayState()
}

class PayScreen(private val resident: Resident) {
    private val current = MutableStateFlow<PayState>(PayState.Loading)
    val state: StateFlow<PayState> = current.asStateFlow()

    suspend fun load(purpose: String) {
        current.value = PayState.Loading
        current.value = when (val council = resident.council()) {
            is Outcome.Done -> council.value?.paymentPurposes?.firstOrNull { it.code == purpose }
                ?.let { PayState.Form(it, "", "", "", emptyMap(), emptyList(), false) }
                ?: PayState.NotTaken(purpose)
            is Outcome.Failed -> PayState.Failed(council.reason, council.advice == Advice.TRY_WHEN_ONLINE)
        }
    }

    fun reference(text: String) = edit { it.copy(reference = text) }

    fun amount(text: String) = edit { it.copy(amount = text) }

    fun email(text: String) = edit { it.copy(email = text) }

    /** "Continue to payment": start it and find its page; a second tap while the first is on its way does nothing. */
    suspend fun pay() {
        val form = current.value as? PayState.Form ?: return
        if (form.sending || !current.compareAndSet(form, form.copy(sending = true))) return
        val email = form.email.takeIf { it.isNotBlank() }
        current.value = when (val started = resident.pay(form.purpose.code, form.reference, form.amount, phoneReturnUrl(), email)) {
            is Outcome.Done -> PayState.Paying(PaymentScreen(resident, started.value).also { it.refresh() }, form.copy(errors = emptyMap(), summary = emptyList()))
            is Outcome.Failed -> {
                val refusal = started.onForm(INPUTS)
                form.copy(errors = refusal.errors, summary = refusal.summary, sending = false)
            }
        }
    }

    /** "Try again" after a payment that was not taken: back to the form with what was typed. */
    fun again() {
        val paying = current.value as? PayState.Paying ?: return
        if (paying.payment.state.value !is PaymentScreenState.NotPaid) return
        current.compareAndSet(paying, paying.form.copy(sending = false))
    }

    private fun edit(change: (PayState.Form) -> PayState.Form) {
        while (true) {
            val form = current.value as? PayState.Form ?: return
            if (form.sending || current.compareAndSet(form, change(form))) return
        }
    }

    companion object {
        const val REFERENCE = "reference"
        const val AMOUNT = "amount"
        const val EMAIL = "email"

        /** The input each field the core's problems name is typed in. */
        private val INPUTS = mapOf(REFERENCE to REFERENCE, AMOUNT to AMOUNT, "amount_pence" to AMOUNT, EMAIL to EMAIL)
    }
}
