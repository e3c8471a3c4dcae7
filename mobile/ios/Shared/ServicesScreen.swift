// The "find a service" journey as its screens draw it: the top tasks, the council's services
// under its groups, a search (online the catalogue is refreshed first; offline what the phone
// holds is searched, and the screen says so), and one service with the journey it opens. No
// UIKit, SwiftUI or Combine: the Linux tests drive this model.
//
// Invariant: the services, their groups' names and what a search finds are the core's, and
// the top tasks and their words are the core's, only those the council offers; what the
// resident typed in the search is kept whatever the search found or failed with.
import Foundation

/// The journey a service opens.
public enum Opens: Equatable {
    case report(serviceCode: String)
    case book(serviceCode: String)
    /// `purpose` is what the payment is for, when the service names it.
    case pay(purpose: String?)
    /// A service the council handles on its own website.
    case website(url: String)
    /// Nothing to do here but read what the service says.
    case information
}

extension Service {
    /// What it offers, by its kind.
    public var opens: Opens {
        switch kind {
        case .report: return .report(serviceCode: code)
        case .booking: return .book(serviceCode: code)
        case .payment: return .pay(purpose: paymentPurpose)
        case .info: return moreInfoUrl.map { .website(url: $0) } ?? .information
        }
    }
}

public enum ServicesState: Equatable {
    /// Finding the council's services.
    case loading
    /// Nothing could be found; `canRetry` when trying again online may find it; `search` is
    /// what was typed.
    case failed(message: String, canRetry: Bool, search: String)
    /// The top tasks and the services under their groups (only those of `kind`, when given);
    /// `offline` when the council could not be reached and this is what the phone holds.
    case listed(tasks: [TopTask], groups: [ServiceGroup], kind: ServiceKind?, offline: Bool)
    /// What a search found, best first (none: no match); `offline` when only what the phone
    /// holds was searched.
    case found(search: String, services: [ServiceSummary], offline: Bool)
    /// One service: what it is and the journey it opens.
    case chosen(service: Service, opens: Opens)
}

@MainActor
public final class ServicesScreen {
    public private(set) var state = ServicesState.loading {
        didSet { onChange?(state) }
    }
    /// Told of each new state, on the main actor (a SwiftUI page keeps it to draw).
    public var onChange: ((ServicesState) -> Void)?
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    /// The top tasks and the services under their groups; only those of `kind`, when given.
    public func load(kind: ServiceKind? = nil) async {
        state = .loading
        switch await refreshed({ await self.resident.serviceGroups(kind: kind) }) {
        case let .found(groups, offline):
            state = .listed(tasks: resident.core.topTasks(), groups: groups, kind: kind, offline: offline)
        case let .failed(failure):
            state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline, search: "")
        }
    }

    /// Search the services; a blank search lists them all, in the council's order.
    public func search(_ typed: String) async {
        state = .loading
        let words = typed.trimmingCharacters(in: .whitespacesAndNewlines)
        switch await refreshed({ await self.resident.servicesHeld(search: words.isEmpty ? nil : words) }) {
        case let .found(services, offline):
            state = .found(search: typed, services: services, offline: offline)
        case let .failed(failure):
            state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline, search: typed)
        }
    }

    /// One service, and the journey it opens.
    public func open(_ serviceCode: String) async {
        state = .loading
        switch await resident.service(serviceCode) {
        case let .done(service): state = .chosen(service: service, opens: service.opens)
        case let .failed(failure):
            state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline, search: "")
        }
    }

    private enum Held<Value> {
        case found(Value, offline: Bool)
        case failed(Failure)
    }

    /// `read` after refreshing the catalogue; offline, `read` of what the phone holds — unless
    /// it holds no catalogue at all, when the refresh's failure is what the screen says.
    private func refreshed<Value>(_ read: () async -> Outcome<Value>) async -> Held<Value> {
        var offline = false
        if case let .failed(refusal) = await resident.refreshCatalogue() {
            guard refusal.advice == .tryWhenOnline else { return .failed(refusal) }
            switch await resident.servicesHeld(search: nil) {
            case let .failed(failure): return .failed(failure)
            case let .done(held) where held.isEmpty: return .failed(refusal)
            case .done: offline = true
            }
        }
        switch await read() {
        case let .done(value): return .found(value, offline: offline)
        case let .failed(failure): return .failed(failure)
        }
    }
}
