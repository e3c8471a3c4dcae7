// Book a time, drawn: the service's questions, the address when the service comes to the
// resident, the council's times (with a warning when they were saved earlier), what to do if
// the time is taken and the fee; "Check your answers"; then the booking, its fee to pay, or the
// other times the council offers. Only drawing; what is decided is the BookScreen model's.
//
// Invariant: every input shows what the model holds, and every problem the model puts beside
// it; "Book" and "Book this time" do nothing while the model says one is on its way.
import SwiftUI

struct BookPage: View {
    let screen: BookScreen
    let serviceCode: String
    @State private var state = BookState.loading

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding the times…")
            case let .failed(message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { Task { await act { await screen.load(serviceCode) } } } }
            case let .form(form):
                formView(form)
            case let .check(rows, booking, form):
                Section("Check your answers") {
                    ForEach(rows, id: \.code) { row in
                        HStack {
                            LabeledContent(row.question, value: row.answer)
                            Button("Change") { screen.change(row.code); state = screen.state }
                        }
                    }
                    LabeledContent("Time", value: form.chosen.map(slotWords) ?? "Not chosen")
                    if let fee = form.fee { LabeledContent("Fee", value: pounds(fee)) }
                }
                Button(booking ? "Booking…" : "Book") { Task { await act { await screen.book() } } }.disabled(booking)
            case let .booked(booked):
                let shown = booked.booking.shown
                Text(booked.reference == nil ? "Booking saved" : "Booking made").font(.title2)
                Text(booked.reference ?? shown.delivery)
                Text(shown.summary)
                if let status = shown.status { Text(status) }
                if let next = booked.whatHappensNext { Text(next) }
                if let fee = booked.fee {
                    PaymentPage(screen: fee)
                } else if let due = booked.feeDue {
                    Text("Your booking is not confirmed until the fee is paid.")
                    Button("Pay \(pounds(due)) now") { Task { await act { await screen.payFee() } } }
                }
                if let problem = booked.feeProblem { Text(problem).foregroundStyle(.red) }
            case let .taken(taken):
                Text("The council could not make your booking").font(.title2)
                Text(taken.problem)
                if !taken.alternatives.isEmpty {
                    times("Choose another time", taken.alternatives, picked: taken.picked) { screen.pick($0) }
                    Button("Book this time") { Task { await act { await screen.bookPicked() } } }
                        .disabled(taken.picked == nil || taken.sending)
                }
            }
        }
        .navigationTitle("Book a time")
        .task { await act { await screen.load(serviceCode) } }
    }

    @ViewBuilder
    private func formView(_ form: BookForm) -> some View {
        ForEach(form.summary.indices, id: \.self) { Text(form.summary[$0].message).foregroundStyle(.red) }
        ForEach(form.fields, id: \.code) { field in question(field, form) }
        if form.service.needsLocation {
            Section("Address for the collection") {
                TextField("Address", text: Binding(
                    get: { form.location.address ?? "" },
                    set: { address in
                        var location = form.location
                        location.address = address
                        screen.place(location)
                        state = screen.state
                    }))
                if let error = form.errors[BookScreen.locationField] { Text(error).foregroundStyle(.red) }
            }
        }
        if !form.alternatives.isEmpty {
            times("That time has been taken: choose another", form.alternatives, picked: form.slot) { screen.choose($0) }
        }
        if let slots = form.slots {
            if slots.slots.isEmpty {
                Text("There are no times left to book. Try again another day.")
            } else {
                if form.stale {
                    let saved = Date(timeIntervalSince1970: TimeInterval(slots.fetchedAt)).formatted(date: .long, time: .shortened)
                    Text("These times were saved earlier and may have changed (saved on \(saved)).").foregroundStyle(.orange)
                }
                if let error = form.errors[BookScreen.slotField] { Text(error).foregroundStyle(.red) }
                times("Choose a time", slots.slots, picked: form.slot) { screen.choose($0) }
            }
        } else {
            Text(form.slotsProblem ?? "Finding the times…")
            if form.slotsProblem != nil { Button("Try again") { Task { await act { await screen.refreshSlots() } } } }
        }
        Picker("If this time is taken", selection: Binding(get: { form.fallback }, set: { screen.ifTaken($0); state = screen.state })) {
            Text("Don’t book").tag(Fallback.none)
            Text("Book another time that day").tag(Fallback.sameDay)
            Text("Book the next time available").tag(Fallback.nextAvailable)
        }
        if let fee = form.fee { Text("For what you have chosen, the fee is \(pounds(fee)). You pay it after booking.") }
        Button("Continue") { Task { await act { await screen.check() } } }
    }

    /// One question of the service, drawn by the kind of field the core says it is.
    private func question(_ field: Field, _ form: BookForm) -> some View {
        let given = form.answers[field.code]
        let picked: [String] = { if case let .picked(keys) = given { return keys } else { return [] } }()
        let text: String = { if case let .typed(typed) = given { return typed } else { return "" } }()
        return Section {
            if let hint = field.hint { Text(hint).font(.caption) }
            if let error = form.errors[field.problemField] { Text(error).foregroundStyle(.red) }
            switch field.kind {
            case .oneOf, .anyOf:
                ForEach(field.choices, id: \.key) { choice in
                    Button {
                        let keys = field.kind == .oneOf ? [choice.key]
                            : picked.contains(choice.key) ? picked.filter { $0 != choice.key } : picked + [choice.key]
                        Task { await act { await screen.answer(field.code, .picked(keys: keys)) } }
                    } label: {
                        Label(choice.name, systemImage: picked.contains(choice.key) ? "checkmark.circle.fill" : "circle")
                    }
                }
            case .line, .lines, .number, .date:
                TextField(field.label, text: Binding(
                    get: { text },
                    set: { typed in Task { await act { await screen.answer(field.code, .typed(text: typed)) } } }),
                    axis: field.kind == .lines ? .vertical : .horizontal)
            }
        } header: {
            Text(field.label)
        }
    }

    private func times(_ legend: String, _ slots: [Slot], picked: String?, choose: @escaping (String) -> Void) -> some View {
        Section(legend) {
            ForEach(slots, id: \.id) { slot in
                Button {
                    choose(slot.id)
                    state = screen.state
                } label: {
                    Label("\(slotWords(slot)) — \(slot.remaining) left", systemImage: slot.id == picked ? "largecircle.fill.circle" : "circle")
                }
            }
        }
    }

    private func act(_ action: () async -> Void) async {
        await action()
        state = screen.state
    }
}

/// When and where a slot is, in the phone's own date style.
private func slotWords(_ slot: Slot) -> String {
    "\(slot.start.formatted(date: .complete, time: .shortened)), \(slot.siteName)"
}

/// Pence as pounds, as the fee is written.
private func pounds(_ pence: UInt32) -> String {
    String(format: "£%d.%02d", pence / 100, pence % 100)
}
