// The paying journeys through the iOS shell's screen models (PayScreen and its PaymentScreen),
// against the real library and a real council server on 127.0.0.1: what the resident typed,
// each refusal beside its input, one payment per tap, the card page and the receipt, and a
// declined card tried again.
import Foundation

/// What the pay screen shows, when it is the `what` expected.
func showing<Shown>(_ screen: PayScreen, _ what: String, _ pick: (PayState) -> Shown?) async throws -> Shown {
    let state = await screen.state
    guard let shown = pick(state) else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

extension PayState {
    var form: PayForm? { if case let .form(form) = self { return form } else { return nil } }
    var paying: PaymentScreen? { if case let .paying(payment, _) = self { return payment } else { return nil } }
    var notTaken: String? { if case let .notTaken(purpose) = self { return purpose } else { return nil } }
}

/// The payment's page, paid with `card`, and the app opened with the page's return.
func paid(_ payment: PaymentScreen, with card: String) async throws {
    guard case let .openPage(_, url) = await payment.state else { throw TestFailure(description: "no page to open: \(await payment.state)") }
    let back = try await payOnCardPage(url, card: card)
    let returned = await payment.returned(back)
    try expect(returned, "the return is this payment's")
}

@MainActor
func fillIn(_ screen: PayScreen, reference: String, amount: String, email: String) {
    screen.reference(reference)
    screen.amount(amount)
    screen.email(email)
}

func councilTaxIsPaidThroughThePayScreen() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await PayScreen(resident: resident)
        await screen.load("no_such_purpose")
        _ = try await showing(screen, "an unknown purpose", \.notTaken)
        await screen.load("council_tax")
        let form = try await showing(screen, "loaded", \.form)
        try expect(!form.purpose.referenceLabel.isEmpty && form.purpose.minPence <= 1250, "the council's purpose: \(form.purpose)")
        await fillIn(screen, reference: "1234 5678", amount: "twelve pounds", email: "ann@example.org")
        await screen.pay()
        let unread = try await showing(screen, "an amount that is not one", \.form)
        let core: [String]
        do {
            _ = try amountInPence(typed: "twelve pounds")
            throw TestFailure(description: "the core read twelve pounds")
        } catch let DoorstepError.FixInput(_, _, problems) {
            core = problems.map(\.message)
        }
        try expect(core.count == 1 && unread.errors == [PayScreen.amountField: core[0]], "the core's words beside the amount: \(unread.errors), the core: \(core)")
        try expect(unread.amount == "twelve pounds" && unread.reference == "1234 5678" && unread.email == "ann@example.org",
                   "nothing typed is lost: \(unread)")
        await screen.amount("£12.50")
        await screen.email("ann@")
        await screen.pay()
        try expect(Set(try await showing(screen, "an email that is not one", \.form).errors.keys) == [PayScreen.emailField], "beside the email")
        try expect(try await resident.core.payments().isEmpty, "nothing refused was kept")
        await screen.email("ann@example.org")
        async let first: Void = screen.pay()
        async let second: Void = screen.pay()
        _ = await (first, second)
        let paying = try await showing(screen, "paying", \.paying)
        try expect(try await resident.core.payments().count == 1, "two taps start one payment")
        let elsewhere = await paying.returned(returnUrl + "?payment=someone-elses")
        try expect(!elsewhere, "another payment's return is not this one's")
        try await paid(paying, with: "4242424242424242")
        guard case let .paid(payment) = await paying.state else { throw TestFailure(description: "not paid: \(await paying.state)") }
        try expect(payment.amountPence == 1250 && payment.shown.status == "Paid", "the amount typed, paid: \(payment.shown)")
        try expect(payment.shown.reference != nil && payment.payment?.receipt != nil, "the council's reference and the receipt")
    }
}

func aDeclinedCardMayBeTriedAgain() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await PayScreen(resident: resident)
        await screen.load("council_tax")
        await fillIn(screen, reference: "1234 5678", amount: "£20", email: "")
        await screen.pay()
        let first = try await showing(screen, "paying", \.paying)
        try await paid(first, with: "4000000000000002")
        guard case let .notPaid(declined, message) = await first.state else {
            throw TestFailure(description: "taken with a declined card: \(await first.state)")
        }
        try expect(message == "Your card was declined" && declined.shown.status == "Not paid", "the provider's reason: \(declined.shown)")
        await screen.again()
        let form = try await showing(screen, "tried again", \.form)
        try expect(form.reference == "1234 5678" && form.amount == "£20" && !form.sending, "what was typed is kept: \(form)")
        await screen.pay()
        let second = try await showing(screen, "paying again", \.paying)
        try expect(second.localId != first.localId, "a payment of its own")
        try await paid(second, with: "4242424242424242")
        guard case let .paid(payment) = await second.state else { throw TestFailure(description: "not paid: \(await second.state)") }
        try expect(payment.amountPence == 2000, "paid this time: \(payment)")
    }
}

/// The journeys of this file, by name, for the runner.
let payScreenJourneys: [(String, () async throws -> Void)] = [
    ("councilTaxIsPaidThroughThePayScreen", councilTaxIsPaidThroughThePayScreen),
    ("aDeclinedCardMayBeTriedAgain", aDeclinedCardMayBeTriedAgain),
]
