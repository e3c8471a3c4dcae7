// "Waiting to send" through the iOS shell's screen model (OutboxScreen), against the real
// library and a real council server on 127.0.0.1: what the council refused, in the core's
// words, tried again, fixed (its refusals beside their fields) or discarded once confirmed.
import Foundation

extension OutboxScreenState {
    var waiting: WaitingToSend? { if case let .shown(shown) = self { return shown } else { return nil } }
}

func aRefusedReportIsFixedFromWaitingToSend() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        // The phone has not read the council's questions yet, so only the council can judge the answers.
        var wrong = potholeAnswers
        wrong["depth"] = .typed(text: "bottomless")
        let made = try await resident.report(service: "pothole", description: "By the bus stop", at: durham, answers: wrong).done("report")
        _ = try await resident.syncNow().done("sync")
        try await eventually { resident.status.needsAttention == 1 }
        let screen = await OutboxScreen(resident: resident)
        await screen.load()
        let waiting = try shown(await screen.state, "waiting to send", \.waiting)
        guard waiting.things.count == 1, let thing = waiting.things.first else {
            throw TestFailure(description: "one thing refused: \(waiting.things)")
        }
        try expect(thing.entry.item == made.localId && thing.name == thing.entry.about && !thing.name.isEmpty, "named as the core names it: \(thing)")
        try expect(thing.problem?.field == "answers.depth" && thing.answerToFix == "depth", "the council's problem names the depth: \(String(describing: thing.problem))")
        try expect(waiting.status.needsAttention == 1, "the badge: \(waiting.status)")
        _ = try await resident.services().done("catalogue")
        let stillWrong: [String: GivenAnswer] = ["depth": .typed(text: "bottomless")]
        await screen.fix(thing.key, slotId: nil, answers: stillWrong)
        let refused = try shown(await screen.state, "fixed wrongly", \.waiting)
        guard let core = await resident.fix(key: thing.key, slotId: nil, answers: stillWrong).failure else {
            throw TestFailure(description: "the core took the wrong answer")
        }
        guard let beside = refused.problems[thing.key] else { throw TestFailure(description: "no problem shown: \(refused)") }
        try expect(beside == core.problems.map { FormError(field: $0.field, message: $0.message) }, "the core's refusals, in its order: \(beside)")
        try expect(beside.contains { $0.field == "answers.depth" } && refused.busy == nil, "beside the depth: \(beside)")
        try expect(refused.things.map(\.key) == [thing.key], "still waiting to be fixed")
        await screen.fix(thing.key, slotId: nil, answers: ["depth": .picked(keys: ["deep"])])
        let fixed = try shown(await screen.state, "fixed", \.waiting)
        try expect(fixed.done == LastAction(acted: .fixed, name: thing.name) && fixed.problems.isEmpty, "said so: \(fixed)")
        try expect(fixed.things.count == 1 && fixed.things[0].problem == nil, "it waits to be sent again: \(fixed.things)")
        _ = try await resident.syncNow().done("sync again")
        await screen.load()
        try expect(try shown(await screen.state, "after sending", \.waiting).things.isEmpty, "nothing waits")
        try expect(try await resident.report(localId: made.localId).done("my report").delivery == .sent, "the council has it")
    }
}

func aRefusedReportIsDiscardedOnlyWhenConfirmed() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let made = try await resident.report(service: "dragon_sighting", description: "A dragon by the bus stop", at: durham, answers: [:]).done("report")
        _ = try await resident.syncNow().done("sync")
        let screen = await OutboxScreen(resident: resident)
        await screen.load()
        let thing = try shown(await screen.state, "refused", \.waiting).things[0]
        try expect(!(thing.problem?.message ?? "").isEmpty, "the council said why: \(thing)")
        await screen.retry(thing.key)
        let retried = try shown(await screen.state, "tried again as it is", \.waiting)
        guard let core = await resident.retry(key: thing.key).failure else {
            throw TestFailure(description: "the core sent a refused report again unchanged")
        }
        try expect(retried.problems[thing.key] == core.problems.map { FormError(field: $0.field, message: $0.message) } && retried.done == nil, "the core's refusal, beside it: \(retried)")
        try expect(retried.busy == nil && retried.things.count == 1 && retried.things[0].problem != nil, "it still needs attention: \(retried)")
        let again = retried.things[0]
        await screen.discard(again.key)
        try expect(try await resident.outbox().done("outbox").count == 1, "not discarded unasked")
        await screen.askDiscard(again.key)
        try expect(try shown(await screen.state, "asked", \.waiting).confirming == again.key, "asks to confirm")
        await screen.keep()
        await screen.discard(again.key)
        let kept = try shown(await screen.state, "kept", \.waiting)
        let stillThere = try await resident.outbox().done("outbox").count
        try expect(kept.confirming == nil && stillThere == 1, "kept")
        await screen.askDiscard(again.key)
        async let first: Void = screen.discard(again.key)
        async let second: Void = screen.discard(again.key)
        _ = await (first, second)
        let gone = try shown(await screen.state, "discarded", \.waiting)
        try expect(gone.things.isEmpty && gone.done == LastAction(acted: .discarded, name: again.name), "discarded: \(gone)")
        try expect(gone.problems.isEmpty, "one discard for two taps: \(gone.problems)")
        let lost = await resident.report(localId: made.localId)
        try expect(lost.failure?.advice == .notFound, "the report went with it: \(lost)")
        try await eventually { resident.status.needsAttention == 0 }
        await screen.load()
        try expect(try shown(await screen.state, "the badge", \.waiting).status.needsAttention == 0, "the badge is clear")
    }
}

/// The journeys of this file, by name, for the runner.
let outboxScreenJourneys: [(String, () async throws -> Void)] = [
    ("aRefusedReportIsFixedFromWaitingToSend", aRefusedReportIsFixedFromWaitingToSend),
    ("aRefusedReportIsDiscardedOnlyWhenConfirmed", aRefusedReportIsDiscardedOnlyWhenConfirmed),
]
