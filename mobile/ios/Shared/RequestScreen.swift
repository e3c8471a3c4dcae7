// One report as its screen draws it: its reference, status, timeline and answers in the core's
// words, "add an update", and "it is still not fixed" (reopen) when the core says it may be.
// No UIKit, SwiftUI or Combine: the Linux tests drive this model.
//
// Invariant: what is shown of the report is the core's (`shown`), read again when the core
// says it may have changed; what the resident typed is kept until the core has taken it; an
// update is sent at most once per tap, and reopening is only asked for when `shown.mayReopen`
// offers it.
import Foundation

/// An update the core took: `sent` once the council has it, else saved on this phone to send.
public struct UpdateAdded: Equatable {
    public let sent: Bool
}

/// The report and the update being written. `errors` holds the first message for each input
/// by the field the core's problems name (`RequestScreen.updateField`); `summary` every
/// message, in the core's order. `added` says how the last update taken on this screen stands.
public struct RequestShowing: Equatable {
    public var report: MyReport
    public var update = ""
    public var sending = false
    public var errors: [String: String] = [:]
    public var summary: [FormError] = []
    public var added: UpdateAdded?

    /// Whether "it is still not fixed" is offered.
    public var mayReopen: Bool { report.shown.mayReopen }
}

public enum RequestState: Equatable {
    /// Finding the report.
    case loading
    /// The report could not be found; `canRetry` when trying again may find it.
    case failed(message: String, canRetry: Bool)
    case showing(RequestShowing)
}

@MainActor
public final class RequestScreen {
    /// The field the core's problems name for the update's text.
    nonisolated public static let updateField = "text"

    public private(set) var state = RequestState.loading {
        didSet { onChange?(state) }
    }
    /// Told of each new state, on the main actor (a SwiftUI page keeps it to draw).
    public var onChange: ((RequestState) -> Void)?
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load(_ localId: String) async {
        state = .loading
        switch await resident.report(localId: localId) {
        case let .done(report): state = .showing(RequestShowing(report: report))
        case let .failed(failure): state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
    }

    /// Read the report again each time the core says it may have changed, keeping what is being
    /// typed, until cancelled.
    public func follow() async {
        for await event in await resident.hear() where event.changesRequests {
            guard case let .showing(showing) = state,
                  case let .done(now) = await resident.report(localId: showing.report.localId) else { continue }
            edit { $0.report = now }
        }
    }

    public func write(_ text: String) { edit { $0.update = text } }

    /// Add what was typed as an update.
    public func addUpdate() async { await send(reopen: false) }

    /// Say it is still not fixed, with what was typed; only when the core offers it.
    public func reopen() async {
        guard case let .showing(showing) = state, showing.mayReopen else { return }
        await send(reopen: true)
    }

    /// A second tap while the first update is on its way does nothing.
    private func send(reopen: Bool) async {
        guard case var .showing(showing) = state, !showing.sending else { return }
        showing.sending = true
        state = .showing(showing)
        let localId = showing.report.localId
        switch await resident.addUpdate(localId: localId, text: showing.update, reopen: reopen) {
        case let .done(taken):
            _ = await resident.syncNow()
            var report = taken
            if case let .done(now) = await resident.report(localId: localId) { report = now }
            let sent: Bool
            if case .sent = report.delivery { sent = true } else { sent = false }
            state = .showing(RequestShowing(report: report, added: UpdateAdded(sent: sent)))
        case let .failed(failure):
            state = .showing(showing.refused(failure))
        }
    }

    private func edit(_ change: (inout RequestShowing) -> Void) {
        guard case var .showing(showing) = state else { return }
        change(&showing)
        state = .showing(showing)
    }
}

extension RequestShowing {
    /// The report again with what was typed, each problem beside the update or in the summary
    /// alone.
    func refused(_ failure: Failure) -> RequestShowing {
        let problems = failure.problems.isEmpty
            ? [(failure.field, failure.reason)] : failure.problems.map { ($0.field, $0.message) }
        var showing = self
        showing.sending = false
        showing.summary = problems.map { field, message in
            FormError(field: field == RequestScreen.updateField ? field : nil, message: message)
        }
        showing.errors = [:]
        for error in showing.summary {
            if let field = error.field, showing.errors[field] == nil { showing.errors[field] = error.message }
        }
        showing.added = nil
        return showing
    }
}
