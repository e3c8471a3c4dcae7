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
        ForEach(form.fields, id: \.code) { field in
            QuestionField(field: field, given: form.answers[field.code], error: form.errors[field.problemField]) { given in
                Task { await act { await screen.answer(field.code, given) } }
            }
        }
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
            if slots.list.slots.isEmpty {
                Text("There are no times left to book. Try again another day.")
            } else {
                if form.stale {
                    let saved = Date(timeIntervalSince1970: TimeInterval(slots.fetchedAt)).formatted(date: .long, time: .shortened)
                    Text("These times were saved earlier and may have changed (saved on \(saved)).").foregroundStyle(.orange)
                }
                if let error = form.errors[BookScreen.slotField] { Text(error).foregroundStyle(.red) }
                times("Choose a time", slots.list.slots, picked: form.slot) { screen.choose($0) }
            }
        } else {
            Text(form.slotsProblem ?? "Finding the times…")
            if form.slotsProblem != nil { Button("Try again") { Task { await act { await screen.refreshSlots() } } } }
        }
        Picker("If this time is taken", selection: Binding(get: { form.fallback }, set: { screen.ifTaken($0); state = screen.state })) {
            ForEach(fallbackChoices(), id: \.name) { choice in Text(choice.name).tag(choice.fallback) }
        }
        if let fee = form.fee { Text("For what you have chosen, the fee is \(pounds(fee)). You pay it after booking.") }
        Button("Continue") { Task { await act { await screen.check() } } }
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
