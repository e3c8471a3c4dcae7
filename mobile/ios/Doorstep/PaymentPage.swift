// One payment on its way, drawn: its payment page opened in ASWebAuthenticationSession, then
// paid with its receipt or not paid. Only drawing and the web sheet; where the payment stands is
// the PaymentScreen model's.
//
// Invariant: the page is opened only when the model says which, and the sheet's return is handed
// to the model, which asks the council again.
import SwiftUI

struct PaymentPage: View {
    let screen: PaymentScreen
    var tryAgain: (() -> Void)?
    @State private var state: PaymentScreenState?
    @State private var sheet = PaymentSheet()

    var body: some View {
        let now = state ?? screen.state
        let shown = now.payment.shown
        VStack(alignment: .leading) {
            Text(shown.title).font(.headline)
            Text(shown.summary)
            switch now {
            case .waiting:
                Text(shown.delivery)
            case let .notStarted(_, problem):
                Text(problem)
            case let .openPage(_, page):
                Button("Continue to payment") {
                    sheet.open(page) { url in Task { await returned(url) } }
                }
                Button("I have finished paying") { Task { await refresh() } }
            case .beingChecked:
                Text(shown.status ?? shown.delivery)
                Button("Check again") { Task { await refresh() } }
            case let .paid(payment):
                Text(shown.status ?? shown.delivery).font(.title2)
                if let reference = shown.reference { Text(reference) }
                if let receipt = payment.payment?.receipt { Text(receipt.receiptNumber) }
            case let .notPaid(_, message):
                Text([shown.status, message].compactMap { $0 }.joined(separator: ": "))
                if let tryAgain { Button("Try again", action: tryAgain) }
            }
            if let problem = screen.problem { Text(problem).foregroundStyle(.red) }
        }
    }

    private func refresh() async {
        await screen.refresh()
        state = screen.state
    }

    private func returned(_ url: URL) async {
        _ = await screen.returned(url.absoluteString)
        state = screen.state
    }
}
