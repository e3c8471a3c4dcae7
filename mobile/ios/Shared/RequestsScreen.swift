// "My requests" as its screen draws it: the reports, bookings and payments this phone made,
// each with its title, reference, summary and tag in the core's words, read again whenever
// the core says one may have changed. No UIKit, SwiftUI or Combine: the Linux tests drive this
// model.
//
// Invariant: every word a row shows is the core's (`shown`); the list is only ever what the
// core held when last read, never patched here.
import Foundation

/// What a request is, and so which screen opens it.
public enum RequestKind: String, Equatable, CaseIterable {
    case report, booking, payment

    /// The kind the core names in its events ("report", "booking", "payment").
    public init?(named kind: String) { self.init(rawValue: kind) }
}

/// One line of the list. `tag` is the council's status once the council has it, else where it
/// stands on its way there; `needsAttention` when the council refused something about it.
public struct RequestRow: Equatable {
    public let localId: String
    public let kind: RequestKind
    public let shown: Shown
    public let tag: String
    public let needsAttention: Bool

    /// A request's line, as the desktop's list shows it.
    public init(localId: String, kind: RequestKind, shown: Shown, delivery: Delivery) {
        self.localId = localId
        self.kind = kind
        self.shown = shown
        tag = shown.tag
        if case .needsAttention = delivery { needsAttention = true } else { needsAttention = false }
    }
}

/// Each kind newest first; all empty when nothing was made yet.
public struct RequestsList: Equatable {
    public let reports: [RequestRow]
    public let bookings: [RequestRow]
    public let payments: [RequestRow]

    public var nothingYet: Bool { reports.isEmpty && bookings.isEmpty && payments.isEmpty }
}

public enum RequestsState: Equatable {
    /// Finding what this phone made.
    case loading
    case failed(message: String)
    case listed(RequestsList)
}

@MainActor
public final class RequestsScreen {
    public private(set) var state = RequestsState.loading {
        didSet { onChange?(state) }
    }
    /// Told of each new state, on the main actor (a SwiftUI page keeps it to draw).
    public var onChange: ((RequestsState) -> Void)?
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    /// Read the list from the core.
    public func load() async {
        let reports = await resident.reportsMade()
        let bookings = await resident.bookingsMade()
        let payments = await resident.paymentsMade()
        switch (reports, bookings, payments) {
        case let (.done(reports), .done(bookings), .done(payments)):
            state = .listed(RequestsList(
                reports: reports.map { RequestRow(localId: $0.localId, kind: .report, shown: $0.shown, delivery: $0.delivery) },
                bookings: bookings.map { RequestRow(localId: $0.localId, kind: .booking, shown: $0.shown, delivery: $0.delivery) },
                payments: payments.map { RequestRow(localId: $0.localId, kind: .payment, shown: $0.shown, delivery: $0.delivery) }))
        default:
            let failure = reports.failure ?? bookings.failure ?? payments.failure
            state = .failed(message: failure?.reason ?? "")
        }
    }

    /// Read the list now and again each time the core says what it shows may have changed,
    /// until cancelled.
    public func follow() async {
        let events = await resident.hear()
        await load()
        for await event in events where event.changesRequests { await load() }
    }
}
