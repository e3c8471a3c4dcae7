// "Waiting to send"'s screen: draws OutboxScreen's state — each thing in the core's words, the
// council's problem, "Try again", "Fix and send again", and "Discard" behind a question. No rule
// lives here.
//
// Invariant: every action goes through the model, which acts once per tap and discards only
// what the resident confirmed; a fix's problems are drawn beside the field they name.
import SwiftUI

struct OutboxPage: View {
    let screen: OutboxScreen
    @State private var state = OutboxScreenState.loading
    @State private var answers: [String: String] = [:]
    @State private var slots: [String: String] = [:]

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding what is waiting…")
            case let .failed(message):
                Text(message)
            case let .shown(shown):
                Section {
                    Text("Waiting to send: \(shown.status.waiting) · Needs your attention: \(shown.status.needsAttention)")
                    if let done = shown.done { Text(words(done)) }
                    Button(shown.sending ? "Sending…" : "Send now") { run { await screen.sendNow() } }.disabled(shown.sending)
                    if let sent = shown.sent { Text(sent.said) }
                    if let problem = shown.sendProblem { Text("Nothing could be sent: \(problem)") }
                }
                if shown.things.isEmpty { Text("Nothing is waiting to send.") }
                ForEach(shown.things, id: \.key) { thing in
                    Section(thing.name) { row(thing, in: shown) }
                }
            }
        }
        .navigationTitle("Waiting to send")
        .task { run { await screen.load() } }
    }

    @ViewBuilder
    private func row(_ thing: WaitingThing, in shown: WaitingToSend) -> some View {
        let busy = shown.busy == thing.key
        let problems = shown.problems[thing.key] ?? []
        let answerField = thing.answerToFix.map { "answers.\($0)" }
        if !thing.entry.about.isEmpty { Text(thing.entry.what).font(.caption) }
        switch thing.entry.state {
        case let .waiting(attempts, _, lastError):
            Text(attempts == 0 ? "Waiting to send. Not tried yet." : "Waiting to send. Tried \(attempts) times.")
            if let lastError { Text("Last time: \(lastError)") }
        case let .needsAttention(problem):
            Text("Needs your attention. The council said: \(problem.message)").foregroundStyle(.red)
            if !thing.alternatives.isEmpty {
                Picker("Choose another time", selection: slot(thing.key)) {
                    ForEach(thing.alternatives, id: \.id) { slot in
                        Text("\(slot.siteName): \(slot.start.formatted(date: .abbreviated, time: .shortened))").tag(slot.id)
                    }
                }
            }
            if let code = thing.answerToFix {
                TextField("New answer for “\(code.replacingOccurrences(of: "_", with: " "))”", text: answer(thing.key))
                if let beside = problems.first(where: { $0.field == answerField }) { Text(beside.message).foregroundStyle(.red) }
            }
            if thing.answerToFix != nil || !thing.alternatives.isEmpty {
                Button("Fix and send again") {
                    let typed = thing.answerToFix.map { [$0: GivenAnswer.typed(text: answers[thing.key] ?? "")] } ?? [:]
                    let picked = slots[thing.key]
                    run { await screen.fix(thing.key, slotId: picked, answers: typed) }
                }
                .disabled(busy)
            }
            Button("Try again") { run { await screen.retry(thing.key) } }.disabled(busy)
            if shown.confirming == thing.key {
                Text("Discard “\(thing.name)”? It will not be sent, and what you entered will be deleted from this device.")
                Button("Yes, discard it", role: .destructive) { run { await screen.discard(thing.key) } }.disabled(busy)
                Button("No, keep it") { run { screen.keep() } }
            } else {
                Button("Discard", role: .destructive) { run { screen.askDiscard(thing.key) } }
            }
        }
        ForEach(problems.filter { $0.field == nil || $0.field != answerField }, id: \.message) { other in
            Text(other.message).foregroundStyle(.red)
        }
    }

    private func words(_ done: LastAction) -> String {
        switch done.acted {
        case .retried: return "\(done.name): it will be tried again."
        case .fixed: return "\(done.name): fixed and sent again."
        case .discarded: return "\(done.name): discarded."
        }
    }

    private func slot(_ key: String) -> Binding<String> {
        Binding(get: { slots[key] ?? "" }, set: { slots[key] = $0 })
    }

    private func answer(_ key: String) -> Binding<String> {
        Binding(get: { answers[key] ?? "" }, set: { answers[key] = $0 })
    }

    /// Do what was tapped, then draw the model's state.
    private func run(_ action: @escaping () async -> Void) {
        Task {
            await action()
            state = screen.state
        }
    }
}
