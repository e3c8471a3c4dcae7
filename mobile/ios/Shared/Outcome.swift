// What a screen shows after it asked the core for something.
//
// Invariant: every failure the core reports becomes one `Outcome.failed` whose `advice` says
// what the resident can do; nothing else is caught, so a bug is never dressed up as advice.
import Foundation

/// What the resident can do about a failure.
public enum Advice: Equatable {
    case fixInput, notFound, tryWhenOnline, signIn, changeOrGiveUp, notOffered, storage, reportABug
}

public struct Failure: Error, Equatable {
    public let advice: Advice
    public let reason: String
    /// The input to fix, for `fixInput`.
    public let field: String?
    /// Free slots, when the one chosen has gone.
    public let alternatives: [Slot]
    /// Every input to fix, in the core's order, for `fixInput`.
    public let problems: [InputProblem]
}

public enum Outcome<Value> {
    case done(Value)
    case failed(Failure)

    public var failure: Failure? {
        if case let .failed(failure) = self { return failure }
        return nil
    }
}

extension DoorstepError {
    /// The failure as the screen shows it.
    public var failure: Failure {
        switch self {
        case let .FixInput(reason, field, problems):
            return Failure(advice: .fixInput, reason: reason, field: field, alternatives: [], problems: problems)
        case let .NotFound(reason):
            return Failure(advice: .notFound, reason: reason, field: nil, alternatives: [], problems: [])
        case let .Offline(reason):
            return Failure(advice: .tryWhenOnline, reason: reason, field: nil, alternatives: [], problems: [])
        case let .SignInNeeded(reason):
            return Failure(advice: .signIn, reason: reason, field: nil, alternatives: [], problems: [])
        case let .Refused(reason, _, field, alternatives):
            return Failure(advice: .changeOrGiveUp, reason: reason, field: field, alternatives: alternatives, problems: [])
        case let .NotOffered(reason):
            return Failure(advice: .notOffered, reason: reason, field: nil, alternatives: [], problems: [])
        case let .Storage(reason):
            return Failure(advice: .storage, reason: reason, field: nil, alternatives: [], problems: [])
        case let .Internal(reason):
            return Failure(advice: .reportABug, reason: reason, field: nil, alternatives: [], problems: [])
        }
    }
}

/// Run one call to the core and say how it went.
public func attempt<Value>(_ call: () async throws -> Value) async -> Outcome<Value> {
    do {
        return .done(try await call())
    } catch let error as DoorstepError {
        return .failed(error.failure)
    } catch {
        return .failed(Failure(advice: .reportABug, reason: "\(error)", field: nil, alternatives: [], problems: []))
    }
}
