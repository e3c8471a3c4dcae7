// The "find a service" screens drawn from ServicesScreen: the search, the top tasks, the
// services under their groups, what a search found, and one service with its way in. Only
// drawing and platform calls (the browser for a service on the council's website) live here.
//
// Invariant: what is listed, found and opened is the model's state, drawn as it is; the
// search field keeps what the resident typed.
import SwiftUI

struct ServicesPage: View {
    let screen: ServicesScreen
    let kind: ServiceKind?
    /// Follows a top task.
    let onTask: (TopTask) -> Void
    /// Opens a service's journey (a report, a booking, a payment).
    let onOpen: (Opens) -> Void
    @State private var state = ServicesState.loading
    @State private var search = ""
    @Environment(\.openURL) private var openURL

    var body: some View {
        List {
            Section {
                TextField("Search the council's services", text: $search, prompt: Text("For example, pothole, bulky waste or council tax"))
                    .onSubmit { Task { await screen.search(search) } }
                Button("Search") { Task { await screen.search(search) } }
            }
            shown
        }
        .navigationTitle("What do you need to do?")
        .task {
            screen.onChange = { state = $0 }
            await screen.load(kind: kind)
        }
    }

    @ViewBuilder private var shown: some View {
        switch state {
        case .loading:
            Text("Finding the council's services…")
        case let .failed(message, canRetry, typed):
            Text(message)
            if canRetry {
                Button("Try again") { Task { if typed.isEmpty { await screen.load(kind: kind) } else { await screen.search(typed) } } }
            }
        case let .listed(tasks, groups, kind, offline):
            if offline { Text("You are offline: these are the services this phone holds.") }
            if kind == nil {
                Section("Top tasks") {
                    ForEach(tasks, id: \.self) { task in
                        Button { onTask(task) } label: {
                            VStack(alignment: .leading) {
                                Text(task.text).font(.headline)
                                Text(task.hint).font(.caption)
                            }
                        }
                    }
                }
            }
            ForEach(groups, id: \.code) { group in
                Section(group.name) {
                    ForEach(group.services, id: \.code) { service in
                        Button(service.name) { Task { await screen.open(service.code) } }
                    }
                }
            }
        case let .found(_, services, offline):
            Section(services.isEmpty ? "No services match" : services.count == 1 ? "1 service matches" : "\(services.count) services match") {
                if offline { Text("You are offline: this searched the services this phone holds.") }
                if services.isEmpty { Text("Try another word.") }
                ForEach(services, id: \.code) { service in
                    Button { Task { await screen.open(service.code) } } label: {
                        VStack(alignment: .leading) {
                            Text(service.name).font(.headline)
                            Text(service.description).font(.caption)
                        }
                    }
                }
            }
        case let .chosen(service, opens):
            Section(service.name) {
                Text(service.description)
                if let next = service.whatHappensNext { Text(next) }
                switch opens {
                case let .website(url):
                    Button("Open the council's website") { if let address = URL(string: url) { openURL(address) } }
                case .information:
                    EmptyView()
                default:
                    Button("Start now") { onOpen(opens) }
                }
            }
        }
    }
}
