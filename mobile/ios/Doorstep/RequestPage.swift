// One report drawn from RequestScreen: its reference, status, what was answered, its timeline,
// and the field for an update with "Add update" and, when offered, "It is still not fixed".
// Only drawing lives here.
//
// Invariant: every word about the report is the model's (the core's `shown`); the update field
// is the model's text, so nothing typed is lost when the core refuses it; the page follows the
// report while it is shown.
import SwiftUI

struct RequestPage: View {
    let screen: RequestScreen
    let localId: String
    @State private var state = RequestState.loading

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding your report…")
            case let .failed(message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { Task { await screen.load(localId) } } }
            case let .showing(showing):
                report(showing)
            }
        }
        .task {
            screen.onChange = { state = $0 }
            await screen.load(localId)
            await screen.follow()
        }
    }

    @ViewBuilder private func report(_ showing: RequestShowing) -> some View {
        let shown = showing.report.shown
        if !showing.summary.isEmpty {
            Section { ForEach(showing.summary.indices, id: \.self) { Text(showing.summary[$0].message).foregroundStyle(.red) } }
        }
        Section(shown.title) {
            LabeledContent("Reference", value: shown.reference ?? "Not sent yet")
            LabeledContent("Status", value: [shown.status, shown.delivery].compactMap { $0 }.joined(separator: " · "))
            Text(shown.summary)
            if let place = shown.place { LabeledContent("Where", value: place) }
            ForEach(shown.answers, id: \.code) { LabeledContent($0.question, value: $0.answer) }
        }
        if !shown.steps.isEmpty {
            Section("What has happened") {
                ForEach(shown.steps.indices, id: \.self) { index in
                    let step = shown.steps[index]
                    VStack(alignment: .leading) {
                        Text("\(step.at.formatted(date: .abbreviated, time: .shortened)) · \(step.by)").font(.caption)
                        if let status = step.status { Text(status).font(.headline) }
                        if let note = step.note { Text(note) }
                    }
                }
            }
        }
        Section("Tell the council something more") {
            if let added = showing.added {
                Text(added.sent ? "Your update is with the council." : "Your update is saved and will be sent.")
            }
            TextField("Your update", text: Binding(get: { showing.update }, set: { screen.write($0) }), axis: .vertical)
                .lineLimit(3...)
            if let problem = showing.errors[RequestScreen.updateField] { Text(problem).foregroundStyle(.red) }
            Button("Add update") { Task { await screen.addUpdate() } }.disabled(showing.sending)
            if showing.mayReopen {
                Button("It is not fixed: reopen this report") { Task { await screen.reopen() } }.disabled(showing.sending)
            }
        }
    }
}
