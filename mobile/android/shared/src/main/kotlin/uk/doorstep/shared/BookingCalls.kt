// The calls to the core that booking and paying make, beside Resident's own: a booking's fee
// and whether it may be cancelled, cancelling, another time after a refusal, a booking's fee to
// pay, the council's payment purposes and one payment as the phone holds it.
//
// Invariant: each call is one call to the core through `attempt`, so every failure is the
// core's `Outcome.Failed`; the payment page always sends the resident back to the core's own
// return address.
package uk.doorstep.shared

import uniffi.doorstep_mobile.AnswerGiven
import uniffi.doorstep_mobile.CouncilProfile
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_core.MyBooking
import uniffi.doorstep_core.MyPayment
import uniffi.doorstep_mobile.phoneReturnUrl

/** What a booking with these answers would cost, in pence; null when it has no fee or the answers do not say yet. */
suspend fun Resident.bookingFee(serviceCode: String, answers: Map<String, GivenAnswer>): Outcome<UInt?> =
    attempt { core.bookingFee(serviceCode, answers.asGiven()) }

/** The fee to pay on a booking now, in pence; null when nothing is due. */
suspend fun Resident.feeDue(localId: String): Outcome<UInt?> = attempt { core.feeDue(localId) }

/** Whether a booking may be cancelled now. */
suspend fun Resident.mayCancel(localId: String): Outcome<Boolean> = attempt { core.mayCancel(localId) }

suspend fun Resident.cancelBooking(localId: String): Outcome<MyBooking> = attempt { core.cancelBooking(localId) }

/** Book another time for a booking the council refused (its outbox `key`); the operation's new key. */
suspend fun Resident.bookInstead(key: String, slotId: String): Outcome<String> =
    attempt { core.fix(key, slotId, emptyList()) }

/** Pay a booking's fee on the payment page, coming back to the app. */
suspend fun Resident.payBookingFee(bookingLocalId: String): Outcome<MyPayment> =
    attempt { core.payBookingFee(bookingLocalId, phoneReturnUrl()) }

/** The council's profile (what it takes payments for), fetched when the phone has none yet. */
suspend fun Resident.council(): Outcome<CouncilProfile?> = attempt {
    core.council() ?: core.refreshCatalogue().let { core.council() }
}

suspend fun Resident.payment(localId: String): Outcome<MyPayment> = attempt { core.payment(localId) }

private fun Map<String, GivenAnswer>.asGiven() = map { (question, answer) -> AnswerGiven(question, answer) }
