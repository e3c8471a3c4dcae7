// Report a problem, drawn from ReportScreen: what is wrong, the service's questions, where (the
// phone's position, an address found by postcode, or coordinates typed in), photos from the
// library or the camera, contact details, "Check your answers", then the council's reference or
// "saved, we'll send it". Only drawing and platform calls (CoreLocation, PhotosPicker) live
// here.
//
// Invariant: every input shows what the model holds and the problem the model puts beside it;
// "Send report" is disabled while the model says the report is on its way.
import CoreLocation
import PhotosUI
import SwiftUI

struct ReportPage: View {
    let screen: ReportScreen
    let serviceCode: String
    /// Opens the report's own page once it is made.
    let onRequest: (String) -> Void
    @State private var state = ReportState.loading
    @State private var postcode = ""
    @State private var lat = ""
    @State private var lon = ""
    @State private var picked: [PhotosPickerItem] = []
    private let position = CLLocationManager()

    var body: some View {
        Form {
            switch state {
            case .loading:
                Text("Finding the questions…")
            case let .failed(message, canRetry):
                Text(message)
                if canRetry { Button("Try again") { Task { await act { await screen.load(serviceCode) } } } }
            case let .form(form):
                formView(form)
            case let .check(rows, sending, _):
                Section("Check your answers") {
                    ForEach(rows, id: \.code) { row in
                        HStack {
                            LabeledContent(row.question, value: row.answer)
                            Button("Change") { screen.change(row.code); state = screen.state }.disabled(sending)
                        }
                    }
                }
                Button(sending ? "Sending…" : "Send report") { Task { await act { await screen.send() } } }.disabled(sending)
            case let .done(reference, whatHappensNext, report):
                Text("Report sent").font(.title2)
                LabeledContent("Your reference is", value: reference)
                if let next = whatHappensNext { Section("What happens next") { Text(next) } }
                Button("See your report") { onRequest(report.localId) }
            case let .saved(report, problem):
                Text(problem == nil ? "Report saved" : "The council could not take your report").font(.title2)
                Text(problem ?? "We will send it when you are back online. \(report.shown.delivery).")
                Button("See your report") { onRequest(report.localId) }
            }
        }
        .navigationTitle("Report a problem")
        .onAppear { position.requestWhenInUseAuthorization() }
        .onChange(of: picked) { _, items in Task { await add(items) } }
        .task { await act { await screen.load(serviceCode) } }
    }

    @ViewBuilder
    private func formView(_ form: ReportForm) -> some View {
        if !form.summary.isEmpty {
            Section("There is a problem") { ForEach(form.summary.indices, id: \.self) { Text(form.summary[$0].message).foregroundStyle(.red) } }
        }
        Section("What is wrong?") {
            TextField("What is wrong?", text: typed(form.description, screen.describe), axis: .vertical)
            problem(form, ReportScreen.descriptionField)
        }
        ForEach(form.fields, id: \.code) { field in
            QuestionField(field: field, given: form.answers[field.code], error: form.errors[field.problemField]) { given in
                screen.answer(field.code, given)
                state = screen.state
            }
        }
        Section("Where is it?") {
            problem(form, ReportScreen.locationField)
            if let address = form.location.address { Text(address) }
            Button("Use where I am now") {
                if let here = position.location?.coordinate { screen.place(lat: here.latitude, lon: here.longitude); state = screen.state }
            }
            TextField("Find an address by postcode", text: $postcode)
            problem(form, ReportScreen.postcodeField)
            Button("Find address") { Task { await act { await screen.lookUp(postcode) } } }
            ForEach(form.addresses, id: \.uprn) { address in
                Button { screen.pick(address.uprn); state = screen.state } label: {
                    Label(address.address, systemImage: form.location.uprn == address.uprn ? "checkmark.circle.fill" : "circle")
                }
            }
            TextField("Latitude", text: $lat).keyboardType(.decimalPad)
            TextField("Longitude", text: $lon).keyboardType(.decimalPad)
            Button("Use these coordinates") {
                if let a = Double(lat), let b = Double(lon) { screen.place(lat: a, lon: b); state = screen.state }
            }
        }
        Section("Photos (optional)") {
            problem(form, ReportScreen.photosField)
            ForEach(form.photos.indices, id: \.self) { i in
                HStack {
                    Text("Photo \(i + 1)")
                    Button("Remove") { screen.removePhoto(at: i); state = screen.state }
                }
            }
            PhotosPicker("Choose or take a photo", selection: $picked, matching: .images)
        }
        Section("Your contact details (optional)") {
            TextField("Full name", text: typed(form.contact.name ?? "") { name in contact(form) { $0.name = name } })
            TextField("Email address", text: typed(form.contact.email ?? "") { email in contact(form) { $0.email = email } })
                .keyboardType(.emailAddress)
            problem(form, ReportScreen.emailField)
            TextField("Phone number", text: typed(form.contact.phone ?? "") { phone in contact(form) { $0.phone = phone } })
                .keyboardType(.phonePad)
        }
        Button("Continue") { Task { await act { await screen.check() } } }
    }

    @ViewBuilder
    private func problem(_ form: ReportForm, _ field: String) -> some View {
        if let message = form.errors[field] { Text(message).foregroundStyle(.red) }
    }

    /// A text field bound to what the model holds; each change goes to the model.
    private func typed(_ value: String, _ change: @escaping (String) -> Void) -> Binding<String> {
        Binding(get: { value }, set: { change($0); state = screen.state })
    }

    private func contact(_ form: ReportForm, _ change: (inout Contact) -> Void) {
        var details = form.contact
        change(&details)
        screen.contact(details)
    }

    /// Whatever the library holds (HEIC, say) goes to the core as a JPEG, which it reads.
    private func add(_ items: [PhotosPickerItem]) async {
        for item in items {
            if let data = try? await item.loadTransferable(type: Data.self), let jpeg = UIImage(data: data)?.jpegData(compressionQuality: 0.9) {
                screen.addPhoto(jpeg)
            }
        }
        picked = []
        state = screen.state
    }

    private func act(_ action: () async -> Void) async {
        await action()
        state = screen.state
    }
}
