// One payment on its way, as its screen draws it: waiting for the council to start it, its
// payment page to open (the platform opens it in ASWebAuthenticationSession and waits for the
// app's return address), being checked, then paid with its receipt or not paid. No UIKit,
// SwiftUI or Combine: the Linux tests drive this model.
//
// Invariant: "paid" and "not paid" are only what the council said when last asked, asked again
// whenever the resident comes back from the payment page; the words are the core's `shown`.
import Foundation

public enum PaymentScreenState {
    /// Saved on this phone, or on its way: the council has not started it yet.
    case waiting(MyPayment)
    /// The council could not start it: `problem` is its refusal, fixed or discarded from the
    /// outbox.
    case notStarted(MyPayment, problem: String)
    /// Open `page` for the resident to pay on; the app waits to be opened with its return address.
    case openPage(MyPayment, page: String)
    /// Paid on the page, and the payment provider is still checking it.
    case beingChecked(MyPayment)
    /// The council says it is paid: `shown` says so, with the amount, the reference and the receipt.
    case paid(MyPayment)
    /// Not taken (declined, cancelled on the page): `message` is the provider's reason; it may be
    /// tried again.
    case notPaid(MyPayment, message: String?)

    public var payment: MyPayment {
        switch self {
        case let .waiting(payment), let .notStarted(payment, _), let .openPage(payment, _),
             let .beingChecked(payment), let .paid(payment), let .notPaid(payment, _):
            return payment
        }
    }
}

@MainActor
public final class PaymentScreen {
    public private(set) var state: PaymentScreenState
    /// The council could not be asked; what is shown is what it said last.
    public private(set) var problem: String?
    public let localId: String
    private let resident: Resident

    public init(resident: Resident, started: MyPayment) {
        self.resident = resident
        localId = started.localId
        state = paymentState(started, pages: resident.paymentPages)
    }

    /// Send what waits, then ask the council how the payment stands.
    public func refresh() async {
        _ = await resident.syncNow()
        show(await resident.paymentReturned(localId: localId))
    }

    /// The app was opened with `url`: when it is this payment's return, ask the council how it went.
    public func returned(_ url: String) async -> Bool {
        guard returnedPayment(openedWith: url) == localId else { return false }
        if let asked = await resident.paymentReturned(openedWith: url) { show(asked) }
        return true
    }

    private func show(_ asked: Outcome<MyPayment>) {
        switch asked {
        case let .done(payment):
            problem = nil
            state = paymentState(payment, pages: resident.paymentPages)
        case let .failed(failure):
            problem = failure.reason
        }
    }
}

/// Where a payment stands, from the core's record and the pages the core said to open.
func paymentState(_ payment: MyPayment, pages: [(String, String)]) -> PaymentScreenState {
    let page = payment.payment?.nextUrl ?? pages.last { $0.0 == payment.localId }?.1
    if case let .needsAttention(_, problem) = payment.delivery { return .notStarted(payment, problem: problem.message) }
    guard let made = payment.payment else { return .waiting(payment) }
    if made.state.status == .success { return .paid(payment) }
    if made.state.finished { return .notPaid(payment, message: made.state.message) }
    if made.state.status == .submitted || made.state.status == .capturable { return .beingChecked(payment) }
    if let page { return .openPage(payment, page: page) }
    return .waiting(payment)
}
