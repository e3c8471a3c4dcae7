// What a screen shows after it asked the core for something.
//
// Invariant: every failure the core reports becomes one `Outcome.Failed` whose `advice` says
// what the resident can do; nothing else is caught, so a bug is never dressed up as advice.
package uk.doorstep.shared

import uniffi.doorstep_mobile.DoorstepException
import uniffi.doorstep_mobile.InputProblem
import uniffi.doorstep_protocol.Slot

/** What the resident can do about a failure. */
enum class Advice { FIX_INPUT, NOT_FOUND, TRY_WHEN_ONLINE, SIGN_IN, CHANGE_OR_GIVE_UP, NOT_OFFERED, STORAGE, REPORT_A_BUG }

sealed class Outcome<out T> {
    data class Done<T>(val value: T) : Outcome<T>()

    /**
     * `field` names the input to fix first and `problems` are all of them, in the core's order
     * (for `FIX_INPUT`); `alternatives` are free slots.
     */
    data class Failed(
        val advice: Advice,
        val reason: String,
        val field: String? = null,
        val alternatives: List<Slot> = emptyList(),
        val problems: List<InputProblem> = emptyList(),
    ) : Outcome<Nothing>()
}

/** The failure as the screen shows it. */
fun DoorstepException.outcome(): Outcome.Failed = when (this) {
    is DoorstepException.FixInput -> Outcome.Failed(Advice.FIX_INPUT, reason, field, problems = problems)
    is DoorstepException.NotFound -> Outcome.Failed(Advice.NOT_FOUND, reason)
    is DoorstepException.Offline -> Outcome.Failed(Advice.TRY_WHEN_ONLINE, reason)
    is DoorstepException.SignInNeeded -> Outcome.Failed(Advice.SIGN_IN, reason)
    is DoorstepException.Refused -> Outcome.Failed(Advice.CHANGE_OR_GIVE_UP, reason, field, alternatives)
    is DoorstepException.NotOffered -> Outcome.Failed(Advice.NOT_OFFERED, reason)
    is DoorstepException.Storage -> Outcome.Failed(Advice.STORAGE, reason)
    is DoorstepException.Internal -> Outcome.Failed(Advice.REPORT_A_BUG, reason)
}

/** Run one call to the core and say how it went. */
suspend fun <T> attempt(call: suspend () -> T): Outcome<T> =
    try {
        Outcome.Done(call())
    } catch (e: DoorstepException) {
        e.outcome()
    }
