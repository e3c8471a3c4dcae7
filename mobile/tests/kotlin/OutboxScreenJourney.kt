// "Waiting to send" through the Android shell's screen model (OutboxScreen), against the real
// library and a real council server on 127.0.0.1: what the council refused, in the core's
// words, tried again, fixed (its refusals beside their fields) or discarded once confirmed.
package uk.doorstep.tests

import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.Advice
import uk.doorstep.shared.Acted
import uk.doorstep.shared.LastAction
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.OutboxScreen
import uk.doorstep.shared.OutboxScreenState
import uk.doorstep.shared.fix
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_mobile.GivenAnswer

fun aRefusedReportIsFixedFromWaitingToSend() = withCouncil { council ->
    phone(council.url).use { resident ->
        // The phone has not read the council's questions yet, so only the council can judge the answers.
        val wrong = POTHOLE_ANSWERS + ("depth" to GivenAnswer.Typed("bottomless"))
        val made = resident.report("pothole", "By the bus stop", DURHAM, wrong).done("report")
        resident.syncNow().done("sync")
        eventually { resident.status.needsAttention == 1uL }
        val screen = OutboxScreen(resident)
        screen.load()
        val shown = screen.state.showing<OutboxScreenState.Shown>("waiting to send")
        val thing = shown.things.singleOrNull() ?: throw Failure("one thing refused: ${shown.things}")
        expect(thing.entry.item == made.localId && thing.name == thing.entry.about && thing.name.isNotBlank()) { "named as the core names it: $thing" }
        expect(thing.problem?.field == "answers.depth" && thing.answerToFix == "depth") { "the council's problem names the depth: ${thing.problem}" }
        expect(shown.status.needsAttention == 1uL) { "the badge: ${shown.status}" }
        resident.services().done("catalogue")
        val stillWrong = mapOf("depth" to GivenAnswer.Typed("bottomless"))
        screen.fix(thing.key, null, stillWrong)
        val refused = screen.state.showing<OutboxScreenState.Shown>("fixed wrongly")
        val core = resident.fix(thing.key, null, stillWrong) as? Outcome.Failed ?: throw Failure("the core took the wrong answer")
        val beside = refused.problems[thing.key] ?: throw Failure("no problem shown: $refused")
        expect(beside.map { it.field to it.message } == core.problems.map { it.field to it.message }) { "the core's refusals, in its order: $beside" }
        expect(beside.any { it.field == "answers.depth" } && refused.busy == null) { "beside the depth: $beside" }
        expect(refused.things.single().key == thing.key) { "still waiting to be fixed" }
        screen.fix(thing.key, null, mapOf("depth" to GivenAnswer.Picked(listOf("deep"))))
        val fixed = screen.state.showing<OutboxScreenState.Shown>("fixed")
        expect(fixed.done == LastAction(Acted.FIXED, thing.name) && fixed.problems.isEmpty()) { "said so: $fixed" }
        expect(fixed.things.single().problem == null) { "it waits to be sent again: ${fixed.things}" }
        resident.syncNow().done("sync again")
        screen.load()
        expect(screen.state.showing<OutboxScreenState.Shown>("after sending").things.isEmpty()) { "nothing waits" }
        expect(resident.report(made.localId).done("my report").delivery == Delivery.Sent) { "the council has it" }
    }
}

fun aRefusedReportIsDiscardedOnlyWhenConfirmed() = withCouncil { council ->
    phone(council.url).use { resident ->
        val made = resident.report("dragon_sighting", "A dragon by the bus stop", DURHAM, emptyMap()).done("report")
        resident.syncNow().done("sync")
        val screen = OutboxScreen(resident)
        screen.load()
        val thing = screen.state.showing<OutboxScreenState.Shown>("refused").things.single()
        expect(thing.problem?.message?.isNotBlank() == true) { "the council said why: $thing" }
        screen.retry(thing.key)
        val retried = screen.state.showing<OutboxScreenState.Shown>("tried again as it is")
        val core = resident.retry(thing.key) as? Outcome.Failed ?: throw Failure("the core sent a refused report again unchanged")
        expect(retried.problems[thing.key]?.map { it.field to it.message } == core.problems.map { it.field to it.message } && retried.done == null) { "the core's refusal, beside it: $retried" }
        expect(retried.busy == null && retried.things.single().problem != null) { "it still needs attention: $retried" }
        val again = retried.things.single()
        screen.discard(again.key)
        expect(resident.outbox().done("outbox").size == 1) { "not discarded unasked" }
        screen.askDiscard(again.key)
        expect(screen.state.showing<OutboxScreenState.Shown>("asked").confirming == again.key) { "asks to confirm" }
        screen.keep()
        screen.discard(again.key)
        expect(screen.state.showing<OutboxScreenState.Shown>("kept").confirming == null && resident.outbox().done("outbox").size == 1) { "kept" }
        screen.askDiscard(again.key)
        coroutineScope {
            launch { screen.discard(again.key) }
            launch { screen.discard(again.key) }
        }
        val gone = screen.state.showing<OutboxScreenState.Shown>("discarded")
        expect(gone.things.isEmpty() && gone.done == LastAction(Acted.DISCARDED, again.name)) { "discarded: $gone" }
        expect(gone.problems.isEmpty()) { "one discard for two taps: ${gone.problems}" }
        val lost = resident.report(made.localId)
        expect(lost is Outcome.Failed && lost.advice == Advice.NOT_FOUND) { "the report went with it: $lost" }
        eventually { resident.status.needsAttention == 0uL }
        screen.load()
        expect(screen.state.showing<OutboxScreenState.Shown>("the badge").status.needsAttention == 0uL) { "the badge is clear" }
    }
}

/** The journeys of this file, by name, for the runner. */
val outboxScreenJourneys = listOf(
    "aRefusedReportIsFixedFromWaitingToSend" to ::aRefusedReportIsFixedFromWaitingToSend,
    "aRefusedReportIsDiscardedOnlyWhenConfirmed" to ::aRefusedReportIsDiscardedOnlyWhenConfirmed,
)
