// Bin day's screen: draws BinsScreen's state, hands the calendar file to the share sheet, and
// schedules the core's reminders with UNUserNotificationCenter. No rule lives here.
//
// Invariant: every word about the bins, the reminders and their times comes from the model (the
// core's); one reminder a collection, by the reminder's id, so scheduling again replaces it.
import SwiftUI
import UserNotifications

struct BinsPage: View {
    let screen: BinsScreen
    @State private var state = BinsState.loading
    @State private var postcode = ""
    @State private var shared: URL?
    @State private var reminded: String?

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding your collections…")
            case let .postcode(_, error, searching):
                Section(footer: Text(error ?? "For example, DH1 5UQ").foregroundStyle(error == nil ? .secondary : .red)) {
                    TextField("Postcode", text: $postcode)
                        .textContentType(.postalCode)
                        .onChange(of: postcode) { screen.type($0) }
                }
                Button("Find address") { run { await screen.find() } }.disabled(searching)
            case let .choose(_, found, error):
                Section(found.stale ? "Choose your address (saved from an earlier visit)" : "Choose your address") {
                    if let error { Text(error).foregroundStyle(.red) }
                    ForEach(found.addresses, id: \.uprn) { address in
                        Button(address.address) { run { await screen.choose(address.uprn) } }
                    }
                }
                Button("Change postcode") { run { screen.change() } }
            case let .failed(_, message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { run { await screen.refresh() } } }
                Button("Change address") { run { screen.change() } }
            case let .calendar(calendar, reminders, _, fileProblem):
                Section(calendar.address) {
                    if calendar.stale {
                        Text("These collections were saved earlier; they may have changed.").foregroundStyle(.red)
                    }
                    if calendar.collections.isEmpty { Text("The council has no collections listed for this address.") }
                    ForEach(calendar.collections, id: \.date) { collection in
                        VStack(alignment: .leading) {
                            Text(day(collection.date)).font(.headline)
                            ForEach(collection.bins, id: \.code) { bin in Text("\(bin.name) (\(bin.colour) bin)") }
                        }
                    }
                    if !calendar.advice.isEmpty { Text(calendar.advice) }
                }
                Button("Remind me the evening before") { Task { reminded = await remind(reminders) } }
                    .disabled(reminders.isEmpty)
                if let reminded { Text(reminded) }
                Button("Save to your calendar") {
                    run {
                        await screen.calendarFile()
                        if case let .calendar(_, _, file?, _) = screen.state { shared = saved(file) }
                    }
                }
                if let shared { ShareLink("Share the calendar file", item: shared) }
                if let fileProblem { Text(fileProblem) }
                Button("Change address") { run { screen.change() } }
            }
        }
        .navigationTitle("Bin day")
        .task { run { await screen.load() } }
    }

    /// Do what was tapped, then draw the model's state.
    private func run(_ action: @escaping () async -> Void) {
        Task {
            await action()
            state = screen.state
        }
    }

    /// A collection's day as a heading: "Tuesday 3 June".
    private func day(_ date: String) -> String {
        let reading = DateFormatter()
        reading.dateFormat = "yyyy-MM-dd"
        let writing = DateFormatter()
        writing.dateFormat = "EEEE d MMMM"
        return reading.date(from: date).map(writing.string(from:)) ?? date
    }

    /// Schedule each reminder at its local time, replacing one of the same id; what to say after.
    private func remind(_ reminders: [BinReminder]) async -> String? {
        let centre = UNUserNotificationCenter.current()
        guard (try? await centre.requestAuthorization(options: [.alert, .sound])) == true else {
            return "Allow notifications for Doorstep in Settings to be reminded."
        }
        for reminder in reminders {
            let content = UNMutableNotificationContent()
            content.title = reminder.title
            content.body = reminder.body
            let when = DateComponents(
                year: Int(reminder.year), month: Int(reminder.month), day: Int(reminder.day),
                hour: Int(reminder.hour), minute: Int(reminder.minute))
            let trigger = UNCalendarNotificationTrigger(dateMatching: when, repeats: false)
            try? await centre.add(UNNotificationRequest(identifier: reminder.id, content: content, trigger: trigger))
        }
        return nil
    }
}

/// The file written where the share sheet can read it, by its name.
func saved(_ file: SharedFile) -> URL? {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(file.name)
    return (try? file.text.write(to: url, atomically: true, encoding: .utf8)).map { url }
}
