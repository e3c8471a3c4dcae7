// The "book a time" journey as its screen draws it: the service's questions, where (when the
// service comes to the resident), a time from the council's slots (last-known ones marked stale
// offline), what to do if that time is taken, the fee; "Check your answers"; then the booking
// with the council's reference (or saved to send), its fee to pay, or — when the council says
// the time was taken — the other times it offers. No UIKit, SwiftUI or Combine: the Linux tests
// drive this model.
//
// Invariant: the questions, the slots, the fee, every problem and where the booking stands are
// the core's; what the resident gave is never lost on the way back to the form; a booking is
// made at most once per "Book", another time booked at most once per tap, a fee paid at most
// once per tap.
import Foundation

/// The form. `slots` are the council's times (nil until found; `slotsProblem` says why none
/// could be), `fee` what the answers so far come to, `alternatives` the times the council offered
/// instead of one it refused; `errors` holds the first message for each input by the field the
/// core's problems name, `summary` every message in the core's order.
public struct BookForm {
    public let service: Service
    public var answers: [String: GivenAnswer] = [:]
    public var location = Location(lat: nil, lon: nil, uprn: nil, address: nil)
    public var slot: String?
    public var fallback = Fallback.none
    public var slots: SlotView?
    public var slotsProblem: String?
    public var fee: UInt32?
    public var alternatives: [Slot] = []
    public var errors: [String: String] = [:]
    public var summary: [FormError] = []
    public var focus: String?

    /// The service's questions, in the council's order.
    public var fields: [Field] { service.fields }
    /// The times were saved on an earlier visit (the phone is offline) and may have changed.
    public var stale: Bool { slots?.stale == true }
    /// The time picked, as the council offered it.
    public var chosen: Slot? { ((slots?.list.slots ?? []) + alternatives).first { $0.id == slot } }
}

/// The booking: `reference` once the council has it (nil while it is saved on this phone to
/// send); `feeDue` the fee to pay now, `fee` that payment once asked for.
public struct Booked {
    public let booking: MyBooking
    public let reference: String?
    public let whatHappensNext: String?
    public let feeDue: UInt32?
    public var fee: PaymentScreen?
    public var feeProblem: String?
}

/// The council could not make the booking (`problem`, its words); `alternatives` are the times
/// it offers instead, `picked` the one chosen, `sending` while it is being booked.
public struct Taken {
    public let booking: MyBooking
    public let key: String
    public var problem: String
    public let alternatives: [Slot]
    public var picked: String?
    public var sending = false
    public let whatHappensNext: String?
}

public enum BookState {
    /// Finding the service's questions.
    case loading
    /// The service could not be found; `canRetry` when trying again online may find it.
    case failed(message: String, canRetry: Bool)
    case form(BookForm)
    /// "Check your answers": each question and its answer, and where; the time, the fallback
    /// and the fee are the form's.
    case check(rows: [CheckedAnswer], booking: Bool, form: BookForm)
    case booked(Booked)
    case taken(Taken)
}

@MainActor
public final class BookScreen {
    /// The field the core's problems name for where the service comes to, and its row's code.
    nonisolated public static let locationField = "location"
    /// The field the core's problems name for the time.
    nonisolated public static let slotField = "slot_id"
    /// The field the core's problems name for what to do if the time is taken.
    nonisolated public static let fallbackField = "fallback"

    public private(set) var state = BookState.loading
    private let resident: Resident
    private var startingFee = false

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load(_ serviceCode: String) async {
        state = .loading
        switch await resident.service(serviceCode) {
        case let .done(service):
            var form = BookForm(service: service).withSlots(await resident.slots(service: serviceCode))
            if case let .done(fee) = await resident.bookingFee(service: serviceCode, answers: [:]) { form.fee = fee }
            state = .form(form)
        case let .failed(failure):
            state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
    }

    /// Ask for the council's times again (after they could not be found).
    public func refreshSlots() async {
        guard case let .form(form) = state else { return }
        let found = await resident.slots(service: form.service.code)
        edit { $0 = $0.withSlots(found) }
    }

    /// An answer, and the fee the answers now come to.
    public func answer(_ code: String, _ given: GivenAnswer) async {
        edit { $0.answers[code] = given }
        guard case let .form(form) = state else { return }
        if case let .done(fee) = await resident.bookingFee(service: form.service.code, answers: form.answers) {
            edit { if $0.answers == form.answers { $0.fee = fee } }
        }
    }

    public func place(_ location: Location) { edit { $0.location = location } }

    public func choose(_ slotId: String) { edit { $0.slot = slotId } }

    public func ifTaken(_ fallback: Fallback) { edit { $0.fallback = fallback } }

    /// On to "Check your answers", in the core's words.
    public func check() async {
        guard case let .form(form) = state else { return }
        let checked = await resident.checkBooking(
            service: form.service.code, slotId: form.slot ?? "", answers: form.answers,
            at: form.service.needsLocation ? form.location : nil, fallback: form.fallback)
        switch checked {
        case let .done(rows): state = .check(rows: rows, booking: false, form: form)
        case let .failed(failure): state = .form(form.refused(failure))
        }
    }

    /// Back to the form from a row of "Check your answers", at that row's input.
    public func change(_ code: String) {
        guard case .check(_, false, var form) = state else { return }
        form.focus = form.fields.inputOf(code)
        state = .form(form)
    }

    /// Book what was checked; a second "Book" while the first is on its way does nothing.
    public func book() async {
        guard case let .check(rows, false, form) = state else { return }
        state = .check(rows: rows, booking: true, form: form)
        let made = await resident.book(
            service: form.service.code, slotId: form.slot ?? "", answers: form.answers,
            at: form.service.needsLocation ? form.location : nil, fallback: form.fallback)
        switch made {
        case let .done(accepted): state = await delivered(accepted.localId, whatHappensNext: form.service.whatHappensNext)
        case let .failed(failure): state = .form(form.refused(failure))
        }
    }

    /// Pick one of the times the council offered instead.
    public func pick(_ slotId: String) {
        guard case var .taken(taken) = state, !taken.sending, taken.alternatives.contains(where: { $0.id == slotId }) else { return }
        taken.picked = slotId
        state = .taken(taken)
    }

    /// Book the time picked instead; a second tap while the first is on its way does nothing.
    public func bookPicked() async {
        guard case var .taken(taken) = state, !taken.sending, let picked = taken.picked else { return }
        taken.sending = true
        state = .taken(taken)
        switch await resident.bookInstead(key: taken.key, slotId: picked) {
        case .done: state = await delivered(taken.booking.localId, whatHappensNext: taken.whatHappensNext)
        case let .failed(failure):
            taken.problem = failure.reason
            taken.sending = false
            state = .taken(taken)
        }
    }

    /// Pay the fee due on the booking, on the payment page; once per tap.
    public func payFee() async {
        guard case var .booked(booked) = state, booked.feeDue != nil, booked.fee == nil, !startingFee else { return }
        startingFee = true
        defer { startingFee = false }
        switch await resident.payBookingFee(localId: booked.booking.localId) {
        case let .done(started):
            let fee = PaymentScreen(resident: resident, started: started)
            await fee.refresh()
            booked.fee = fee
            booked.feeProblem = nil
        case let .failed(failure):
            booked.feeProblem = failure.reason
        }
        if case .booked = state { state = .booked(booked) }
    }

    /// Try to send what the core accepted now, and show where the booking stands after.
    private func delivered(_ localId: String, whatHappensNext: String?) async -> BookState {
        _ = await resident.syncNow()
        let booking: MyBooking
        switch await resident.booking(localId: localId) {
        case let .done(found): booking = found
        case let .failed(failure): return .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
        switch booking.delivery {
        case let .needsAttention(key, problem):
            return .taken(Taken(
                booking: booking, key: key, problem: problem.message, alternatives: problem.alternatives,
                whatHappensNext: whatHappensNext))
        case .sent, .waiting:
            var feeDue: UInt32?
            if case let .done(due) = await resident.feeDue(localId: localId) { feeDue = due }
            let reference = booking.delivery == .sent ? booking.shown.reference : nil
            return .booked(Booked(booking: booking, reference: reference, whatHappensNext: whatHappensNext, feeDue: feeDue))
        }
    }

    private func edit(_ change: (inout BookForm) -> Void) {
        guard case var .form(form) = state else { return }
        change(&form)
        state = .form(form)
    }
}

extension BookForm {
    func withSlots(_ found: Outcome<SlotView>) -> BookForm {
        var form = self
        switch found {
        case let .done(slots):
            form.slots = slots
            form.slotsProblem = nil
        case let .failed(failure):
            form.slotsProblem = failure.reason
        }
        return form
    }

    /// The form again, each problem beside its input and all of them in the summary, with any
    /// times the council offered instead.
    func refused(_ failure: Failure) -> BookForm {
        let names = fields.map(\.problemField) + [BookScreen.locationField, BookScreen.slotField, BookScreen.fallbackField]
        let refusal = failure.onForm(Dictionary(names.map { ($0, $0) }, uniquingKeysWith: { first, _ in first }))
        var form = self
        form.errors = refusal.errors
        form.summary = refusal.summary
        form.alternatives = failure.alternatives
        form.focus = nil
        return form
    }
}
