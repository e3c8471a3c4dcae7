// "My requests" drawn from RequestsScreen: the reports, bookings and payments this phone made,
// each with its title, reference and tag. Only drawing lives here.
//
// Invariant: every word of a row is the model's (the core's `shown`); the list follows the
// core while the page is shown and stops when it goes.
import SwiftUI

struct RequestsPage: View {
    let screen: RequestsScreen
    /// Opens a request's own page (a report's, a booking's or a payment's, by its kind).
    let onOpen: (RequestRow) -> Void
    @State private var state = RequestsState.loading

    var body: some View {
        List {
            switch state {
            case .loading:
                Text("Finding your requests…")
            case let .failed(message):
                Text(message)
            case let .listed(list) where list.nothingYet:
                Text("You have not reported, booked or paid for anything yet.")
            case let .listed(list):
                section("Your reports", list.reports)
                section("Your bookings", list.bookings)
                section("Your payments", list.payments)
            }
        }
        .navigationTitle("Your requests")
        .task {
            screen.onChange = { state = $0 }
            await screen.follow()
        }
    }

    @ViewBuilder private func section(_ heading: String, _ rows: [RequestRow]) -> some View {
        if !rows.isEmpty {
            Section(heading) {
                ForEach(rows, id: \.localId) { row in
                    Button { onOpen(row) } label: {
                        VStack(alignment: .leading) {
                            Text(row.shown.title).font(.headline)
                            Text(row.shown.summary)
                            Text(row.shown.reference ?? "Not sent yet").font(.caption)
                            Text(row.tag).font(.caption.bold()).foregroundStyle(row.needsAttention ? .red : .blue)
                        }
                    }
                }
            }
        }
    }
}
