// Pay the council, drawn: the reference (with the council's label and hint), the amount as the
// resident writes it and an email for the receipt, each refusal beside its field, then the
// payment on its way. Only drawing; what is decided is the PayScreen model's.
//
// Invariant: every field shows what the model holds, so nothing typed is lost when the core
// refuses it or a payment is not taken.
import SwiftUI

struct PayPage: View {
    let screen: PayScreen
    let purpose: String
    @State private var state = PayState.loading

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding the payment…")
            case let .failed(message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { Task { await load() } } }
            case let .notTaken(purpose):
                Text("This council takes no payments for “\(purpose)”.")
            case let .form(form):
                ForEach(form.summary.indices, id: \.self) { Text(form.summary[$0].message).foregroundStyle(.red) }
                Section {
                    TextField(form.purpose.referenceLabel, text: typed(form.reference, screen.reference))
                    Text(form.errors[PayScreen.referenceField] ?? form.purpose.referenceHint).font(.caption)
                }
                Section {
                    TextField("Amount to pay", text: typed(form.amount, screen.amount)).keyboardType(.decimalPad)
                    if let error = form.errors[PayScreen.amountField] { Text(error).foregroundStyle(.red) }
                }
                Section {
                    TextField("Email address (optional)", text: typed(form.email, screen.email)).keyboardType(.emailAddress)
                    Text(form.errors[PayScreen.emailField] ?? "The payment service sends your receipt here").font(.caption)
                }
                Button("Continue to payment") { Task { await act { await screen.pay() } } }.disabled(form.sending)
            case let .paying(payment, _):
                PaymentPage(screen: payment, tryAgain: { screen.again(); state = screen.state })
            }
        }
        .navigationTitle("Pay the council")
        .task { await load() }
    }

    private func load() async { await act { await screen.load(purpose) } }

    private func act(_ action: () async -> Void) async {
        await action()
        state = screen.state
    }

    /// A field showing what the model holds, telling the model of each change.
    private func typed(_ value: String, _ change: @escaping (String) -> Void) -> Binding<String> {
        Binding(get: { value }, set: { change($0); state = screen.state })
    }
}
