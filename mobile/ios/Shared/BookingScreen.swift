// One booking as its screen draws it: its title, reference, status, time and answers in the
// core's words, "continue to payment" when a fee is due, and cancelling it (after the resident
// confirms) while the council still takes a cancellation. No UIKit, SwiftUI or Combine: the
// Linux tests drive this model.
//
// Invariant: what is shown, whether a fee is due and whether it may be cancelled are the core's,
// read again after every change; a booking is cancelled at most once per confirmed tap and only
// when the core says it may be; its fee is paid at most once per tap.
import Foundation

/// The booking (`booking.shown` is what it says); `feeDue` the fee to pay now, `mayCancel`
/// whether cancelling is offered, `confirming` while "Are you sure?" is asked, `cancelling`
/// while the cancellation is on its way, `problem` the core's words when an action failed, `fee`
/// the fee's payment once asked for.
public struct BookingShown {
    public let booking: MyBooking
    public let feeDue: UInt32?
    public let mayCancel: Bool
    public var confirming = false
    public var cancelling = false
    public var problem: String?
    public var fee: PaymentScreen?
}

public enum BookingState {
    /// Finding the booking.
    case loading
    /// It could not be found; `canRetry` when trying again may find it.
    case failed(message: String, canRetry: Bool)
    case showing(BookingShown)
}

@MainActor
public final class BookingScreen {
    public private(set) var state = BookingState.loading
    private let resident: Resident
    private var startingFee = false

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load(_ localId: String) async {
        state = await read(localId)
    }

    /// "Cancel this booking": ask the resident to confirm, when it may be cancelled.
    public func askToCancel() {
        edit {
            guard $0.mayCancel, !$0.cancelling else { return }
            $0.confirming = true
            $0.problem = nil
        }
    }

    /// "No, keep it".
    public func keep() { edit { if !$0.cancelling { $0.confirming = false } } }

    /// "Yes, cancel this booking": once, however many taps, and only after `askToCancel`.
    public func cancel() async {
        guard case var .showing(shown) = state, shown.confirming, !shown.cancelling, shown.mayCancel else { return }
        shown.cancelling = true
        state = .showing(shown)
        switch await resident.cancelBooking(localId: shown.booking.localId) {
        case .done:
            _ = await resident.syncNow()
            state = await read(shown.booking.localId)
        case let .failed(failure):
            shown.cancelling = false
            shown.confirming = false
            shown.problem = failure.reason
            state = .showing(shown)
        }
    }

    /// "Continue to payment": the fee due, on the payment page; once per tap.
    public func payFee() async {
        guard case var .showing(shown) = state, shown.feeDue != nil, shown.fee == nil, !startingFee else { return }
        startingFee = true
        defer { startingFee = false }
        switch await resident.payBookingFee(localId: shown.booking.localId) {
        case let .done(started):
            let fee = PaymentScreen(resident: resident, started: started)
            await fee.refresh()
            shown.fee = fee
            shown.problem = nil
        case let .failed(failure):
            shown.problem = failure.reason
        }
        if case .showing = state { state = .showing(shown) }
    }

    private func read(_ localId: String) async -> BookingState {
        let booking: MyBooking
        switch await resident.booking(localId: localId) {
        case let .done(found): booking = found
        case let .failed(failure): return .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
        var feeDue: UInt32?
        if case let .done(due) = await resident.feeDue(localId: localId) { feeDue = due }
        var mayCancel = false
        if case let .done(may) = await resident.mayCancel(localId: localId) { mayCancel = may }
        return .showing(BookingShown(booking: booking, feeDue: feeDue, mayCancel: mayCancel))
    }

    private func edit(_ change: (inout BookingShown) -> Void) {
        guard case var .showing(shown) = state else { return }
        change(&shown)
        state = .showing(shown)
    }
}
