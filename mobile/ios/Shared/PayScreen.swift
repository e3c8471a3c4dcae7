// The "pay the council" journey as its screen draws it: what for (the council's purpose, its
// reference's label and hint, the amounts it takes), the reference, the amount as the resident
// writes it and an email for the receipt; each refusal beside its input; then the payment page
// and, back in the app, paid or not. No UIKit, SwiftUI or Combine: the Linux tests drive this
// model.
//
// Invariant: what is sent is what the resident typed (the core reads the amount and checks it
// all); nothing typed is lost on the way back to the form, after a refusal or a payment that
// was not taken; a payment is started at most once per "Continue to payment".
import Foundation

/// The form. `errors` holds the first message for each input (`PayScreen.referenceField`,
/// `PayScreen.amountField`, `PayScreen.emailField`) and `summary` every message, in the core's
/// order.
public struct PayForm {
    public let purpose: PaymentPurpose
    public var reference = ""
    public var amount = ""
    public var email = ""
    public var errors: [String: String] = [:]
    public var summary: [FormError] = []
    public var sending = false
}

public enum PayState {
    /// Finding what the council takes payments for.
    case loading
    /// That could not be found; `canRetry` when trying again online may find it.
    case failed(message: String, canRetry: Bool)
    /// The council takes no payments for `purpose`.
    case notTaken(purpose: String)
    case form(PayForm)
    /// On its way to being paid: `payment` says where it stands; `form` is what "Try again" goes
    /// back to.
    case paying(payment: PaymentScreen, form: PayForm)
}

@MainActor
public final class PayScreen {
    nonisolated public static let referenceField = "reference"
    nonisolated public static let amountField = "amount"
    nonisolated public static let emailField = "email"
    /// The input each field the core's problems name is typed in.
    nonisolated static let inputs = [
        referenceField: referenceField, amountField: amountField, "amount_pence": amountField, emailField: emailField,
    ]

    public private(set) var state = PayState.loading
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load(_ purpose: String) async {
        state = .loading
        switch await resident.council() {
        case let .done(council):
            if let found = council?.paymentPurposes.first(where: { $0.code == purpose }) {
                state = .form(PayForm(purpose: found))
            } else {
                state = .notTaken(purpose: purpose)
            }
        case let .failed(failure):
            state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
    }

    public func reference(_ text: String) { edit { $0.reference = text } }

    public func amount(_ text: String) { edit { $0.amount = text } }

    public func email(_ text: String) { edit { $0.email = text } }

    /// "Continue to payment": start it and find its page; a second tap while the first is on its
    /// way does nothing.
    public func pay() async {
        guard case var .form(form) = state, !form.sending else { return }
        form.sending = true
        state = .form(form)
        let email = form.email.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : form.email
        let started = await resident.pay(
            purpose: form.purpose.code, reference: form.reference, amount: form.amount, returnUrl: phoneReturnUrl(),
            email: email)
        form.sending = false
        switch started {
        case let .done(payment):
            let screen = PaymentScreen(resident: resident, started: payment)
            await screen.refresh()
            form.errors = [:]
            form.summary = []
            state = .paying(payment: screen, form: form)
        case let .failed(failure):
            let refusal = failure.onForm(PayScreen.inputs)
            form.errors = refusal.errors
            form.summary = refusal.summary
            state = .form(form)
        }
    }

    /// "Try again" after a payment that was not taken: back to the form with what was typed.
    public func again() {
        guard case let .paying(payment, form) = state, case .notPaid = payment.state else { return }
        state = .form(form)
    }

    private func edit(_ change: (inout PayForm) -> Void) {
        guard case var .form(form) = state, !form.sending else { return }
        change(&form)
        state = .form(form)
    }
}
