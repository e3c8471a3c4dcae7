// The screens: services, a report with a photo (PhotosPicker) and the phone's location
// (CoreLocation), the outbox, and payments in ASWebAuthenticationSession. Each calls the shared
// layer and shows its `Outcome`; no rule lives here.
//
// Invariant: a failure is shown with the advice the core's error carries, and a field to fix
// is named on the form.
import AuthenticationServices
import CoreLocation
import PhotosUI
import SwiftUI

struct HomeView: View {
    @ObservedObject var model: AppModel
    @State private var services: [ServiceSummary] = []
    @State private var sheet = PaymentSheet()

    var body: some View {
        NavigationStack {
            if let resident = model.resident {
                List(services, id: \.code) { service in
                    NavigationLink(service.name) { ReportView(resident: resident, service: service) }
                }
                .navigationTitle("Doorstep")
                .toolbar {
                    Text("Waiting: \(resident.status.waiting)")
                    if let (_, page) = resident.paymentPages.last {
                        Button("Continue to payment") {
                            sheet.open(page) { url in Task { await model.returned(from: url) } }
                        }
                    }
                }
                .task {
                    if case let .done(found) = await resident.services() { services = found }
                }
            } else {
                Text(model.problem ?? "Opening…")
            }
        }
    }
}

struct ReportView: View {
    let resident: Resident
    let service: ServiceSummary
    @State private var description = ""
    @State private var picked: PhotosPickerItem?
    @State private var result: String?
    private let location = CLLocationManager()

    var body: some View {
        Form {
            TextField("What is wrong?", text: $description, axis: .vertical)
            PhotosPicker("Add a photo", selection: $picked, matching: .images)
            Button("Send report") { Task { await send() } }
            if let result { Text(result) }
        }
        .navigationTitle(service.name)
        .onAppear { location.requestWhenInUseAuthorization() }
    }

    private func send() async {
        // Whatever the library holds (HEIC, say) goes to the core as a JPEG, which it reads.
        let photo = (try? await picked?.loadTransferable(type: Data.self))
            .flatMap { UIImage(data: $0)?.jpegData(compressionQuality: 0.9) }
        let here = location.location?.coordinate
        let outcome = await resident.report(
            service: service.code, description: description,
            at: Location(lat: here?.latitude, lon: here?.longitude, uprn: nil, address: nil),
            answers: [:], photos: photo.map { [$0] } ?? [])
        switch outcome {
        case .done: result = "Saved. It is sent as soon as the council can be reached."
        case let .failed(failure): result = [failure.field, failure.reason].compactMap { $0 }.joined(separator: ": ")
        }
    }
}

/// Opens the provider's page for a payment; the page sends the resident back to the app.
final class PaymentSheet: NSObject, ASWebAuthenticationPresentationContextProviding {
    func open(_ page: String, then returned: @escaping (URL) -> Void) {
        guard let url = URL(string: page) else { return }
        let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Resident.paymentReturnScheme) { back, _ in
            if let back { returned(back) }
        }
        session.presentationContextProvider = self
        session.start()
    }

    func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        ASPresentationAnchor()
    }
}
