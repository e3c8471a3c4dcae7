// The "book a time" journey as its screen draws it: the service's questions, where (when the
// service comes to the resident), a time from the council's slots (last-known ones marked stale
// offline), what to do if that time is taken, the fee; "Check your answers"; then the booking
// with the council's reference (or saved to send), its fee to pay, or — when the council says
// the time was taken — the other times it offers. No Android import: the JVM tests drive this.
//
// Invariant: the questions, the slots, the fee, every problem and where the booking stands are
// the core's; what the resident gave is never lost on the way back to the form; a booking is
// made at most once per "Book", another time booked at most once per tap, a fee paid at most
// once per tap.
package uk.doorstep.shared

import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.CheckedAnswer
import uniffi.doorstep_core.Field
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_protocol.Fallback
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_protocol.Location
import uniffi.doorstep_core.MyBooking
import uniffi.doorstep_mobile.Service
import uniffi.doorstep_protocol.Slot
import uniffi.doorstep_core.SlotView

sealed class BookState {
    /** Finding the service's questions. */
    data object Loading : BookState()

    /** The service could not be found; `canRetry` when trying again online may find it. */
    data class Failed(val message: String, val canRetry: Boolean) : BookState()

    /**
     * The form. `slots` are the council's times (null until found; `slotsProblem` says why
     * none could be), `fee` what the answers so far come to, `alternatives` the times the
     * council offered instead of one it refused; `errors` holds the first message for each
     * input by the field the core's problems name, `summary` every message in the core's order.
     */
    data class Form(
        val service: Service,
        val answers: Map<String, GivenAnswer>,
        val location: Location,
        val slot: String?,
        val fallback: Fallback,
        val slots: SlotView?,
        val slotsProblem: String?,
        val fee: UInt?,
        val alternatives: List<Slot>,
        val errors: Map<String, String>,
        val summary: List<FormError>,
        val focus: String?,
    ) : BookState() {
        /** The service's questions, in the council's order. */
        val fields: List<Field> get() = service.fields

        /** The times were saved on an earlier visit (the phone is offline) and may have changed. */
        val stale: Boolean get() = slots?.stale == true

        /** The time picked, as the council offered it. */
        val chosen: Slot? get() = (slots?.list?.slots.orEmpty() + alternatives).firstOrNull { it.id == slot }
    }

    /** "Check your answers": each question and its answer, and where; the time, the fallback and the fee are the form's. */
    data class Check(val rows: List<CheckedAnswer>, val booking: Boolean, val form: Form) : BookState()

    /**
     * The booking: `reference` once the council has it (null while it is saved on this phone to
     * send); `feeDue` the fee to pay now, `fee` that payment once asked for.
     */
    data class Booked(
        val booking: MyBooking,
        val reference: String?,
        val whatHappensNext: String?,
        val feeDue: UInt?,
        val fee: PaymentScreen?,
        val feeProblem: String?,
    ) : BookState()

    /**
     * The council could not make the booking (`problem`, its words); `alternatives` are the
     * times it offers instead, `picked` the one chosen, `sending` while it is being booked.
     */
    data class Taken(
        val booking: MyBooking,
        val key: String,
        val problem: String,
        val alternatives: List<Slot>,
        val picked: String?,
        val sending: Boolean,
        val whatHappensNext: String?,
    ) : BookState()
}

class BookScreen(private val resident: Resident) {
    private val current = MutableStateFlow<BookState>(BookState.Loading)
    val state: StateFlow<BookState> = current.asStateFlow()
    private val startingFee = AtomicBoolean(false)

    suspend fun load(serviceCode: String) {
        current.value = BookState.Loading
        current.value = when (val found = resident.service(serviceCode)) {
            is Outcome.Done -> {
                val empty = BookState.Form(
                    found.value, emptyMap(), Location(null, null, null, null), null, Fallback.NONE,
                    null, null, null, emptyList(), emptyMap(), emptyList(), null,
                )
                empty.withSlots(resident.slots(serviceCode)).copy(fee = (resident.bookingFee(serviceCode, emptyMap()) as? Outcome.Done)?.value)
            }
            is Outcome.Failed -> BookState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
        }
    }

    /** Ask for the council's times again (after they could not be found). */
    suspend fun refreshSlots() {
        val form = current.value as? BookState.Form ?: return
        val found = resident.slots(form.service.code)
        edit { it.withSlots(found) }
    }

    /** An answer, and the fee the answers now come to. */
    suspend fun answer(code: String, given: GivenAnswer) {
        edit { it.copy(answers = it.answers + (code to given)) }
        val form = current.value as? BookState.Form ?: return
        val priced = resident.bookingFee(form.service.code, form.answers)
        if (priced is Outcome.Done) edit { if (it.answers == form.answers) it.copy(fee = priced.value) else it }
    }

    fun place(location: Location) = edit { it.copy(location = location) }

    fun choose(slotId: String) = edit { it.copy(slot = slotId) }

    fun ifTaken(fallback: Fallback) = edit { it.copy(fallback = fallback) }

    /** On to "Check your answers", in the core's words. */
    suspend fun check() {
        val form = current.value as? BookState.Form ?: return
        val where = form.location.takeIf { form.service.needsLocation }
        current.value = when (val checked = resident.checkBooking(form.service.code, form.slot.orEmpty(), form.answers, where, form.fallback)) {
            is Outcome.Done -> BookState.Check(checked.value, false, form)
            is Outcome.Failed -> form.refused(checked)
        }
    }

    /** Back to the form from a row of "Check your answers", at that row's input. */
    fun change(code: String) {
        val checking = current.value as? BookState.Check ?: return
        if (checking.booking) return
        val form = checking.form
        current.value = form.copy(focus = form.fields.inputOf(code))
    }

    /** Book what was checked; a second "Book" while the first is on its way does nothing. */
    suspend fun book() {
        val checking = current.value as? BookState.Check ?: return
        if (checking.booking || !current.compareAndSet(checking, checking.copy(booking = true))) return
        val form = checking.form
        val where = form.location.takeIf { form.service.needsLocation }
        current.value = when (val made = resident.book(form.service.code, form.slot.orEmpty(), form.answers, where, form.fallback)) {
            is Outcome.Done -> delivered(made.value.localId, form.service.whatHappensNext)
            is Outcome.Failed -> form.refused(made)
        }
    }

    /** Pick one of the times the council offered instead. */
    fun pick(slotId: String) {
        val taken = current.value as? BookState.Taken ?: return
        if (!taken.sending && taken.alternatives.any { it.id == slotId }) current.compareAndSet(taken, taken.copy(picked = slotId))
    }

    /** Book the time picked instead; a second tap while the first is on its way does nothing. */
    suspend fun bookPicked() {
        val taken = current.value as? BookState.Taken ?: return
        val picked = taken.picked ?: return
        if (taken.sending || !current.compareAndSet(taken, taken.copy(sending = true))) return
        current.value = when (val fixed = resident.bookInstead(taken.key, picked)) {
            is Outcome.Done -> delivered(taken.booking.localId, taken.whatHappensNext)
            is Outcome.Failed -> taken.copy(problem = fixed.reason, sending = false)
        }
    }

    /** Pay the fee due on the booking, on the payment page; once per tap. */
    suspend fun payFee() {
        val booked = current.value as? BookState.Booked ?: return
        if (booked.feeDue == null || booked.fee != null || !startingFee.compareAndSet(false, true)) return
        try {
            val next = when (val started = resident.payBookingFee(booked.booking.localId)) {
                is Outcome.Done -> booked.copy(fee = PaymentScreen(resident, started.value).also { it.refresh() }, feeProblem = null)
                is Outcome.Failed -> booked.copy(feeProblem = started.reason)
            }
            current.compareAndSet(booked, next)
        } finally {
            startingFee.set(false)
        }
    }

    /** Try to send what the core accepted now, and show where the booking stands after. */
    private suspend fun delivered(localId: String, whatHappensNext: String?): BookState {
        resident.syncNow()
        val booking = when (val read = resident.booking(localId)) {
            is Outcome.Done -> read.value
            is Outcome.Failed -> return BookState.Failed(read.reason, read.advice == Advice.TRY_WHEN_ONLINE)
        }
        val delivery = booking.delivery
        if (delivery is Delivery.NeedsAttention) {
            return BookState.Taken(booking, delivery.key, delivery.problem.message, delivery.problem.alternatives, null, false, whatHappensNext)
        }
        val feeDue = (resident.feeDue(localId) as? Outcome.Done)?.value
        val reference = booking.shown.reference.takeIf { delivery is Delivery.Sent }
        return BookState.Booked(booking, reference, whatHappensNext, feeDue, null, null)
    }

    private fun edit(change: (BookState.Form) -> BookState.Form) {
        while (true) {
            val form = current.value as? BookState.Form ?: return
            if (current.compareAndSet(form, change(form))) return
        }
    }

    companion object {
        /** The field the core's problems name for where the service comes to, and its row's code. */
        const val LOCATION = "location"

        /** The field the core's problems name for the time. */
        const val SLOT = "slot_id"

        /** The field the core's problems name for what to do if the time is taken. */
        const val FALLBACK = "fallback"
    }
}

private fun BookState.Form.withSlots(found: Outcome<SlotView>): BookState.Form = when (found) {
    is Outcome.Done -> copy(slots = found.value, slotsProblem = null)
    is Outcome.Failed -> copy(slotsProblem = found.reason)
}

/** The form again, each problem beside its input and all of them in the summary, with any times the council offered instead. */
private fun BookState.Form.refused(failure: Outcome.Failed): BookState.Form {
    val inputs = (fields.map { it.problemField } + BookScreen.LOCATION + BookScreen.SLOT + BookScreen.FALLBACK).associateWith { it }
    val refusal = failure.onForm(inputs)
    return copy(errors = refusal.errors, summary = refusal.summary, alternatives = failure.alternatives, focus = null)
}
