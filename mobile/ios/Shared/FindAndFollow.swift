// The calls the screens for finding a service and following what was sent make to the core:
// the catalogue under its groups, the reports, bookings and payments this phone made, an update
// to a report, and the core's events as they come. No UIKit or SwiftUI: the Linux tests run
// this layer.
//
// Invariant: each call is one call to the core, its failure an `Outcome.failed`; the events
// heard are the core's own, in its order, and hearing stops (the core's subscription with it)
// when the stream's reader is cancelled or lets it go.
import Foundation

extension Resident {
    /// Fetch the catalogue if it changed; says whether it did.
    public func refreshCatalogue() async -> Outcome<Bool> {
        await attempt { try await core.refreshCatalogue() }
    }

    /// The services the phone holds under the council's names for their groups; only those of
    /// `kind`, when given.
    public func serviceGroups(kind: ServiceKind? = nil) async -> Outcome<[ServiceGroup]> {
        await attempt { try await core.serviceGroups(kind: kind) }
    }

    /// The services the phone holds, the best matches for `search` first.
    public func servicesHeld(search: String?) async -> Outcome<[ServiceSummary]> {
        await attempt { try await core.services(search: search) }
    }

    /// The reports this phone made, newest first.
    public func reportsMade() async -> Outcome<[MyReport]> { await attempt { try await core.reports() } }

    /// The bookings this phone made, newest first.
    public func bookingsMade() async -> Outcome<[MyBooking]> { await attempt { try await core.bookings() } }

    /// The payments this phone made, newest first.
    public func paymentsMade() async -> Outcome<[MyPayment]> { await attempt { try await core.payments() } }

    /// Add an update to a report, or say it is still not fixed (`reopen`); kept and sent like
    /// everything else.
    public func addUpdate(localId: String, text: String, reopen: Bool) async -> Outcome<MyReport> {
        await attempt { try await core.addUpdate(localId: localId, text: text, reopen: reopen) }
    }

    /// The core's events from now on (it hears once this returns), until the stream's reader
    /// is cancelled or lets it go.
    public func hear() async -> AsyncStream<Event> {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        let subscription = await core.subscribe(listener: EventRelay(continuation))
        continuation.onTermination = { _ in subscription.cancel() }
        return events
    }
}

/// Hands each event, on the core's thread, to the stream that hears them.
final class EventRelay: EventListener, @unchecked Sendable {
    private let continuation: AsyncStream<Event>.Continuation

    init(_ continuation: AsyncStream<Event>.Continuation) {
        self.continuation = continuation
    }

    func onEvent(event: Event) { continuation.yield(event) }
}

extension Event {
    /// Whether it may change what a list or a request shows — the outbox moved, an item
    /// changed, a payment waits on its page — so a screen showing them reads them again, as
    /// the desktop's do.
    public var changesRequests: Bool {
        switch self {
        case .outbox, .itemChanged, .paymentNeedsAction: return true
        case .sync, .statusChanged: return false
        }
    }
}
