// One booking as its screen draws it: its title, reference, status, time and answers in the
// core's words, "continue to payment" when a fee is due, and cancelling it (after the resident
// confirms) while the council still takes a cancellation. No Android import: the JVM tests
// drive this model.
//
// Invariant: what is shown, whether a fee is due and whether it may be cancelled are the core's,
// read again after every change; a booking is cancelled at most once per confirmed tap and only
// when the core says it may be; its fee is paid at most once per tap.
package uk.doorstep.shared

import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.MyBooking

sealed class BookingState {
    /** Finding the booking. */
    data object Loading : BookingState()

    /** It could not be found; `canRetry` when trying again may find it. */
    data class Failed(val message: String, val canRetry: Boolean) : BookingState()

    /**
     * The booking (`booking.shown` is what it says); `feeDue` the fee to pay now, `mayCancel`
     * whether cancelling is offered, `confirming` while "Are you sure?" is asked, `cancelling`
     * while the cancellation is on its way, `problem` the core's words when an action failed,
     * `fee` the fee's payment once asked for.
     */
    data class Showing(
        val booking: MyBooking,
        val feeDue: UInt?,
        val mayCancel: Boolean,
        val confirming: Boolean,
        val cancelling: Boolean,
        val problem: String?,
        val fee: PaymentScreen?,
    ) : BookingState()
}

class BookingScreen(private val resident: Resident) {
    private val current = MutableStateFlow<BookingState>(BookingState.Loading)
    val state: StateFlow<BookingState> = current.asStateFlow()
    private val startingFee = AtomicBoolean(false)

    suspend fun load(localId: String) {
        current.value = read(localId)
    }

    /** "Cancel this booking": ask the resident to confirm, when it may be cancelled. */
    fun askToCancel() = edit { if (it.mayCancel && !it.cancelling) it.copy(confirming = true, problem = null) else it }

    /** "No, keep it". */
    fun keep() = edit { if (it.cancelling) it else it.copy(confirming = false) }

    /** "Yes, cancel this booking": once, however many taps, and only after `askToCancel`. */
    suspend fun cancel() {
        val showing = current.value as? BookingState.Showing ?: return
        if (!showing.confirming || showing.cancelling || !showing.mayCancel) return
        if (!current.compareAndSet(showing, showing.copy(cancelling = true))) return
        current.value = when (val cancelled = resident.cancelBooking(showing.booking.localId)) {
            is Outcome.Done -> {
                resident.syncNow()
                read(showing.booking.localId)
            }
            is Outcome.Failed -> showing.copy(confirming = false, problem = cancelled.reason)
        }
    }

    /** "Continue to payment": the fee due, on the payment page; once per tap. */
    suspend fun payFee() {
        val showing = current.value as? BookingState.Showing ?: return
        if (showing.feeDue == null || showing.fee != null || !startingFee.compareAndSet(false, true)) return
        try {
            val next = when (val started = resident.payBookingFee(showing.booking.localId)) {
                is Outcome.Done -> showing.copy(fee = PaymentScreen(resident, started.value).also { it.refresh() }, problem = null)
                is Outcome.Failed -> showing.copy(problem = started.reason)
            }
            current.compareAndSet(showing, next)
        } finally {
            startingFee.set(false)
        }
    }

    private suspend fun read(localId: String): BookingState {
        val booking = when (val found = resident.booking(localId)) {
            is Outcome.Done -> found.value
            is Outcome.Failed -> return BookingState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
        }
        val feeDue = (resident.feeDue(localId) as? Outcome.Done)?.value
        val mayCancel = (resident.mayCancel(localId) as? Outcome.Done)?.value == true
        return BookingState.Showing(booking, feeDue, mayCancel, false, false, null, null)
    }

    private fun edit(change: (BookingState.Showing) -> BookingState.Showing) {
        while (true) {
            val showing = current.value as? BookingState.Showing ?: return
            if (current.compareAndSet(showing, change(showing))) return
        }
    }
}
