// "Waiting to send" as its screen draws it: everything kept on this phone until the council
// has it, each in the core's words; what the council refused can be tried again, fixed (another
// time, a changed answer) or discarded. No Android import: the JVM tests drive this model.
//
// Invariant: the entries, their states, the council's problems and the badge counts are the
// core's, read again after every action; a fix's refusals stand beside the fields they name;
// nothing is discarded unless the resident confirmed it, and each tap acts at most once.
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_mobile.OutboxEntry
import uniffi.doorstep_mobile.OutboxState
import uniffi.doorstep_core.Problem
import uniffi.doorstep_protocol.Slot
import uniffi.doorstep_core.SyncReport

/** One thing waiting to send, as the resident knows it. */
data class WaitingThing(val entry: OutboxEntry) {
    val key: String get() = entry.key

    /** What they asked for, or else the kind of thing. */
    val name: String get() = entry.about.ifEmpty { entry.what }

    /** Why the council refused it, when it needs the resident. */
    val problem: Problem? get() = (entry.state as? OutboxState.NeedsAttention)?.problem

    /** The question whose answer the council's problem names, when a changed answer may fix it. */
    val answerToFix: String? get() = problem?.field?.takeIf { it.startsWith(ANSWERS) }?.removePrefix(ANSWERS)

    /** Other times to choose from, when the one chosen has gone. */
    val alternatives: List<Slot> get() = problem?.alternatives ?: emptyList()
}

/** What an action did, to say so. */
enum class Acted { RETRIED, FIXED, DISCARDED }

/** The last action and the name of what it acted on. */
data class LastAction(val acted: Acted, val name: String)

sealed class OutboxScreenState {
    /** Finding what is waiting. */
    data object Loading : OutboxScreenState()

    /** The outbox could not be read. */
    data class Failed(val message: String) : OutboxScreenState()

    /**
     * What is waiting, oldest first, and the badge's counts. `confirming` is the key the
     * resident asked to discard; `busy` the key acted on now; `problems` each key's failures,
     * each beside the field it names (null when none); `done` the last action and the name of
     * what it acted on; `sent` or `sendProblem` what "Send now" did.
     */
    data class Shown(
        val things: List<WaitingThing>,
        val status: Status,
        val confirming: String? = null,
        val busy: String? = null,
        val problems: Map<String, List<FormError>> = emptyMap(),
        val done: LastAction? = null,
        val sending: Boolean = false,
        val sent: SyncReport? = null,
        val sendProblem: String? = null,
    ) : OutboxScreenState()
}

class OutboxScreen(private val resident: Resident) {
    private val current = MutableStateFlow<OutboxScreenState>(OutboxScreenState.Loading)
    val state: StateFlow<OutboxScreenState> = current.asStateFlow()

    suspend fun load() {
        val before = current.value as? OutboxScreenState.Shown
        current.value = read(before?.done)
    }

    /** Send what waits now; a second tap while sending does nothing. */
    suspend fun sendNow() {
        val shown = current.value as? OutboxScreenState.Shown ?: return
        if (shown.sending || !current.compareAndSet(shown, shown.copy(sending = true, sent = null, sendProblem = null))) return
        val round = resident.syncNow()
        val after = read(null)
        current.value = if (after is OutboxScreenState.Shown) {
            when (round) {
                is Outcome.Done -> after.copy(sent = round.value)
                is Outcome.Failed -> after.copy(sendProblem = round.reason)
            }
        } else {
            after
        }
    }

    suspend fun retry(key: String) = act(key, Acted.RETRIED) { resident.retry(key) }

    /** Fix a refused thing with another slot and changed answers, and send it again. */
    suspend fun fix(key: String, slotId: String?, answers: Map<String, GivenAnswer>) =
        act(key, Acted.FIXED) { resident.fix(key, slotId, answers) }

    /** Ask to discard: nothing is discarded until the resident confirms. */
    fun askDiscard(key: String) = edit { shown ->
        if (shown.things.any { it.key == key && it.problem != null }) shown.copy(confirming = key) else shown
    }

    /** "No, keep it". */
    fun keep() = edit { it.copy(confirming = null) }

    /** "Yes, discard it": only for the thing the resident asked to discard. */
    suspend fun discard(key: String) {
        if ((current.value as? OutboxScreenState.Shown)?.confirming != key) return
        act(key, Acted.DISCARDED) { resident.discard(key) }
    }

    /** One action on one thing: none while another is on its way. */
    private suspend fun act(key: String, done: Acted, action: suspend () -> Outcome<*>) {
        val shown = current.value as? OutboxScreenState.Shown ?: return
        val thing = shown.things.firstOrNull { it.key == key } ?: return
        if (shown.busy != null || !current.compareAndSet(shown, shown.copy(busy = key, problems = shown.problems - key, done = null))) return
        when (val outcome = action()) {
            is Outcome.Done -> current.value = read(LastAction(done, thing.name))
            is Outcome.Failed -> edit { it.copy(busy = null, problems = it.problems + (key to outcome.formErrors())) }
        }
    }

    private suspend fun read(done: LastAction?): OutboxScreenState = when (val found = resident.outbox()) {
        is Outcome.Done -> OutboxScreenState.Shown(found.value.map(::WaitingThing), resident.status, done = done)
        is Outcome.Failed -> OutboxScreenState.Failed(found.reason)
    }

    private fun edit(change: (OutboxScreenState.Shown) -> OutboxScreenState.Shown) {
        while (true) {
            val shown = current.value as? OutboxScreenState.Shown ?: return
            if (current.compareAndSet(shown, change(shown))) return
        }
    }
}

/** The field the core's problems name for a question's answer: `answers.<code>`. */
private const val ANSWERS = "answers."

/** Every problem of a failure, each with the field it names, in the core's order. */
private fun Outcome.Failed.formErrors(): List<FormError> =
    problems.map { FormError(it.field, it.message) }.ifEmpty { listOf(FormError(field, reason)) }
