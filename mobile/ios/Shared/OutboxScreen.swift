// "Waiting to send" as its screen draws it: everything kept on this phone until the council
// has it, each in the core's words; what the council refused can be tried again, fixed (another
// time, a changed answer) or discarded. No UIKit, SwiftUI or Combine: the Linux tests drive
// this model.
//
// Invariant: the entries, their states, the council's problems and the badge counts are the
// core's, read again after every action; a fix's refusals stand beside the fields they name;
// nothing is discarded unless the resident confirmed it, and each tap acts at most once.
import Foundation

/// The field the core's problems name for a question's answer: `answers.<code>`.
private let answersPrefix = "answers."

/// One thing waiting to send, as the resident knows it.
public struct WaitingThing: Equatable {
    public let entry: OutboxEntry

    public var key: String { entry.key }

    /// What they asked for, or else the kind of thing.
    public var name: String { entry.about.isEmpty ? entry.what : entry.about }

    /// Why the council refused it, when it needs the resident.
    public var problem: Problem? {
        if case let .needsAttention(problem) = entry.state { return problem }
        return nil
    }

    /// The question whose answer the council's problem names, when a changed answer may fix it.
    public var answerToFix: String? {
        guard let field = problem?.field, field.hasPrefix(answersPrefix) else { return nil }
        return String(field.dropFirst(answersPrefix.count))
    }

    /// Other times to choose from, when the one chosen has gone.
    public var alternatives: [Slot] { problem?.alternatives ?? [] }
}

/// What an action did, to say so.
public enum Acted: Equatable { case retried, fixed, discarded }

/// The last action and the name of what it acted on.
public struct LastAction: Equatable {
    public let acted: Acted
    public let name: String
}

/// What is waiting, oldest first, and the badge's counts. `confirming` is the key the resident
/// asked to discard; `busy` the key acted on now; `problems` each key's failures, each beside the
/// field it names (nil when none); `done` the last action and the name of what it acted on;
/// `sent` or `sendProblem` what "Send now" did.
public struct WaitingToSend: Equatable {
    public var things: [WaitingThing]
    public var status: Status
    public var confirming: String?
    public var busy: String?
    public var problems: [String: [FormError]] = [:]
    public var done: LastAction?
    public var sending = false
    public var sent: SyncReport?
    public var sendProblem: String?
}

public enum OutboxScreenState: Equatable {
    /// Finding what is waiting.
    case loading
    /// The outbox could not be read.
    case failed(message: String)
    case shown(WaitingToSend)
}

@MainActor
public final class OutboxScreen {
    public private(set) var state = OutboxScreenState.loading
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load() async {
        var done: LastAction?
        if case let .shown(before) = state { done = before.done }
        state = await read(done)
    }

    /// Send what waits now; a second tap while sending does nothing.
    public func sendNow() async {
        guard case var .shown(shown) = state, !shown.sending else { return }
        shown.sending = true
        shown.sent = nil
        shown.sendProblem = nil
        state = .shown(shown)
        let round = await resident.syncNow()
        let after = await read(nil)
        guard case var .shown(now) = after else {
            state = after
            return
        }
        switch round {
        case let .done(report): now.sent = report
        case let .failed(failure): now.sendProblem = failure.reason
        }
        state = .shown(now)
    }

    public func retry(_ key: String) async {
        await act(key, .retried) { await $0.retry(key: key).failure }
    }

    /// Fix a refused thing with another slot and changed answers, and send it again.
    public func fix(_ key: String, slotId: String?, answers: [String: GivenAnswer]) async {
        await act(key, .fixed) { await $0.fix(key: key, slotId: slotId, answers: answers).failure }
    }

    /// Ask to discard: nothing is discarded until the resident confirms.
    public func askDiscard(_ key: String) {
        edit { shown in
            if shown.things.contains(where: { $0.key == key && $0.problem != nil }) { shown.confirming = key }
        }
    }

    /// "No, keep it".
    public func keep() { edit { $0.confirming = nil } }

    /// "Yes, discard it": only for the thing the resident asked to discard.
    public func discard(_ key: String) async {
        guard case let .shown(shown) = state, shown.confirming == key else { return }
        await act(key, .discarded) { await $0.discard(key: key).failure }
    }

    /// One action on one thing: none while another is on its way.
    private func act(_ key: String, _ done: Acted, _ action: (Resident) async -> Failure?) async {
        guard case var .shown(shown) = state, shown.busy == nil,
              let thing = shown.things.first(where: { $0.key == key }) else { return }
        shown.busy = key
        shown.problems[key] = nil
        shown.done = nil
        state = .shown(shown)
        if let failure = await action(resident) {
            edit {
                $0.busy = nil
                $0.problems[key] = failure.formErrors
            }
        } else {
            state = await read(LastAction(acted: done, name: thing.name))
        }
    }

    private func read(_ done: LastAction?) async -> OutboxScreenState {
        switch await resident.outbox() {
        case let .done(entries): return .shown(WaitingToSend(things: entries.map(WaitingThing.init), status: resident.status, done: done))
        case let .failed(failure): return .failed(message: failure.reason)
        }
    }

    private func edit(_ change: (inout WaitingToSend) -> Void) {
        guard case var .shown(shown) = state else { return }
        change(&shown)
        state = .shown(shown)
    }
}

extension Failure {
    /// Every problem of a failure, each with the field it names, in the core's order.
    var formErrors: [FormError] {
        problems.isEmpty ? [FormError(field: field, message: reason)] : problems.map { FormError(field: $0.field, message: $0.message) }
    }
}
