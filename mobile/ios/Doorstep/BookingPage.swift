// One booking, drawn: its title, reference, status, when and where and what was answered in
// the core's words, "Continue to payment" when a fee is due, and cancelling it after "Are you
// sure?". Only drawing; what is decided is the BookingScreen model's.
//
// Invariant: cancelling and paying are offered only when the model says so.
import SwiftUI

struct BookingPage: View {
    let screen: BookingScreen
    let localId: String
    @State private var state = BookingState.loading

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding the booking…")
            case let .failed(message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { Task { await act { await screen.load(localId) } } } }
            case let .showing(now):
                let shown = now.booking.shown
                Text(shown.title).font(.title2)
                Text(shown.reference ?? shown.delivery)
                if let status = shown.status { Text(status) }
                Text(shown.summary)
                if let place = shown.place { Text(place) }
                ForEach(shown.answers, id: \.code) { row in LabeledContent(row.question, value: row.answer) }
                if let fee = now.fee {
                    PaymentPage(screen: fee)
                } else if now.feeDue != nil {
                    Button("Continue to payment") { Task { await act { await screen.payFee() } } }
                }
                if now.mayCancel {
                    if now.confirming {
                        Text("Are you sure? Your time will be given to someone else.")
                        Button("Yes, cancel this booking", role: .destructive) { Task { await act { await screen.cancel() } } }
                            .disabled(now.cancelling)
                        Button("No, keep it") { screen.keep(); state = screen.state }
                    } else {
                        Button("Cancel this booking", role: .destructive) { screen.askToCancel(); state = screen.state }
                    }
                }
                if let problem = now.problem { Text(problem).foregroundStyle(.red) }
            }
        }
        .navigationTitle("Your booking")
        .task { await act { await screen.load(localId) } }
    }

    private func act(_ action: () async -> Void) async {
        await action()
        state = screen.state
    }
}
