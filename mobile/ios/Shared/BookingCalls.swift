// The calls to the core that booking and paying make, beside Resident's own: a booking's fee
// and whether it may be cancelled, cancelling, another time after a refusal, a booking's fee to
// pay, the council's payment purposes and one payment as the phone holds it.
//
// Invariant: each call is one call to the core through `attempt`, so every failure is the
// core's `Outcome.failed`; the payment page always sends the resident back to the core's own
// return address.
import Foundation

extension Resident {
    /// What a booking with these answers would cost, in pence; nil when it has no fee or the
    /// answers do not say yet.
    public func bookingFee(service: String, answers: [String: GivenAnswer]) async -> Outcome<UInt32?> {
        await attempt { try await core.bookingFee(serviceCode: service, answers: asGiven(answers)) }
    }

    /// The fee to pay on a booking now, in pence; nil when nothing is due.
    public func feeDue(localId: String) async -> Outcome<UInt32?> {
        await attempt { try await core.feeDue(localId: localId) }
    }

    /// Whether a booking may be cancelled now.
    public func mayCancel(localId: String) async -> Outcome<Bool> {
        await attempt { try await core.mayCancel(localId: localId) }
    }

    public func cancelBooking(localId: String) async -> Outcome<MyBooking> {
        await attempt { try await core.cancelBooking(localId: localId) }
    }

    /// Book another time for a booking the council refused (its outbox `key`); the operation's
    /// new key.
    public func bookInstead(key: String, slotId: String) async -> Outcome<String> {
        await attempt { try await core.fix(key: key, slotId: slotId, answers: []) }
    }

    /// Pay a booking's fee on the payment page, coming back to the app.
    public func payBookingFee(localId: String) async -> Outcome<MyPayment> {
        await attempt { try await core.payBookingFee(bookingLocalId: localId, returnUrl: phoneReturnUrl()) }
    }

    /// The council's profile (what it takes payments for), fetched when the phone has none yet.
    public func council() async -> Outcome<CouncilProfile?> {
        await attempt {
            if let known = try await core.council() { return known }
            _ = try await core.refreshCatalogue()
            return try await core.council()
        }
    }

    public func payment(localId: String) async -> Outcome<MyPayment> {
        await attempt { try await core.payment(localId: localId) }
    }
}

private func asGiven(_ answers: [String: GivenAnswer]) -> [AnswerGiven] {
    answers.sorted { $0.key < $1.key }.map { AnswerGiven(question: $0.key, answer: $0.value) }
}
