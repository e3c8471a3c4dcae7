// The "report a problem" journey as its screen draws it: the service's questions, what is wrong
// and where (the phone's position, an address found by postcode, or coordinates typed in),
// photos, contact details, "Check your answers", then the council's reference — or, when the
// council cannot be reached, "saved, we'll send it". No UIKit, SwiftUI or Combine: the Linux
// tests drive this model.
//
// Invariant: the questions, every row of "Check your answers", every problem and whether the
// report reached the council are the core's; this model keeps what the resident gave (never losing it on the
// way back to the form), puts each problem beside the input whose field it names, and sends a
// report at most once per "Send".
import Foundation

/// A problem in the error summary; `field` is the input it links to, nil when none can fix it.
public struct FormError: Equatable {
    public let field: String?
    public let message: String
}

/// The form. `errors` holds the first message for each input, by the field the core's problems
/// name (a question's `problemField`, or one of `ReportScreen.inputs`); `summary` holds every
/// message, in the core's order. `focus` is the input the resident came back from "Check your
/// answers" to change (a row's code, or a question's `problemField`). `addresses` are those
/// found at the postcode looked up last.
public struct ReportForm: Equatable {
    public let service: Service
    public var answers: [String: GivenAnswer] = [:]
    public var description = ""
    public var location = Location(lat: nil, lon: nil, uprn: nil, address: nil)
    public var photos: [Data] = []
    public var contact = ContactDetails(name: nil, email: nil, phone: nil)
    public var addresses: [Address] = []
    public var errors: [String: String] = [:]
    public var summary: [FormError] = []
    public var focus: String?

    /// The service's questions, in the council's order.
    public var fields: [Field] { service.fields }
}

public enum ReportState: Equatable {
    /// Finding the service's questions.
    case loading
    /// The questions could not be found; `canRetry` when trying again online may find them.
    case failed(message: String, canRetry: Bool)
    case form(ReportForm)
    /// "Check your answers", every row in the core's words; `form` is what "Change" goes back to.
    case check(rows: [CheckedAnswer], sending: Bool, form: ReportForm)
    /// The council has the report.
    case done(reference: String, whatHappensNext: String?, report: MyReport)
    /// Saved on this phone and sent when the council can be reached; `problem` is the council's
    /// refusal, when it needs the resident.
    case saved(report: MyReport, problem: String?)
}

@MainActor
public final class ReportScreen {
    /// The field the core's problems name for what is wrong, and its row's code.
    nonisolated public static let descriptionField = "description"
    /// The field the core's problems name for where it is, and its row's code.
    nonisolated public static let locationField = "location"
    /// The field the core's problems name for the photos.
    nonisolated public static let photosField = "attachments"
    /// The field the core's problems name for the contact email address.
    nonisolated public static let emailField = "contact.email"
    /// The postcode of the address lookup.
    nonisolated public static let postcodeField = "postcode"
    /// The form's inputs besides the service's questions, by the field a problem names.
    nonisolated public static let inputs: Set<String> = [descriptionField, locationField, photosField, emailField, postcodeField]

    public private(set) var state = ReportState.loading
    private let resident: Resident

    public init(resident: Resident) {
        self.resident = resident
    }

    public func load(_ serviceCode: String) async {
        state = .loading
        switch await resident.service(serviceCode) {
        case let .done(service): state = .form(ReportForm(service: service))
        case let .failed(failure): state = .failed(message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
    }

    public func answer(_ code: String, _ given: GivenAnswer) { edit { $0.answers[code] = given } }

    public func describe(_ text: String) { edit { $0.description = text } }

    /// A point: the phone's position, or coordinates typed in. It is no longer an address.
    public func place(lat: Double, lon: Double) { edit { $0.location = Location(lat: lat, lon: lon, uprn: nil, address: nil) } }

    /// The addresses at a postcode, to pick the place from; a postcode the core refuses is
    /// beside its input.
    public func lookUp(_ postcode: String) async {
        let found = await attempt { try await resident.core.addresses(postcode: postcode) }
        edit { form in
            switch found {
            case let .done(addresses):
                form.addresses = addresses.addresses
                form.errors[ReportScreen.postcodeField] = nil
            case let .failed(failure):
                form.addresses = []
                form.errors[ReportScreen.postcodeField] = failure.reason
            }
        }
    }

    /// One of the addresses found: its place and its property reference.
    public func pick(_ uprn: String) {
        edit { form in
            guard let address = form.addresses.first(where: { $0.uprn == uprn }) else { return }
            form.location = Location(lat: address.lat, lon: address.lon, uprn: address.uprn, address: address.address)
        }
    }

    /// A photo as a JPEG (the shell turns whatever was taken or picked into one).
    public func addPhoto(_ jpeg: Data) { edit { $0.photos.append(jpeg) } }

    public func removePhoto(at index: Int) { edit { if $0.photos.indices.contains(index) { $0.photos.remove(at: index) } } }

    public func contact(_ details: ContactDetails) { edit { $0.contact = details } }

    /// On to "Check your answers", in the core's words.
    public func check() async {
        guard case let .form(form) = state else { return }
        switch await resident.checkReport(form.input) {
        case let .done(rows): state = .check(rows: rows, sending: false, form: form)
        case let .failed(failure): state = .form(form.refused(failure))
        }
    }

    /// Back to the form from a row of "Check your answers", at that row's input.
    public func change(_ code: String) {
        guard case .check(_, false, var form) = state else { return }
        form.focus = form.fields.inputOf(code)
        state = .form(form)
    }

    /// Send the report checked; a second "Send" while the first is on its way does nothing.
    public func send() async {
        guard case let .check(rows, false, form) = state else { return }
        state = .check(rows: rows, sending: true, form: form)
        switch await resident.report(form.input) {
        case let .done(accepted): state = await delivered(accepted, of: form.service)
        case let .failed(failure): state = .form(form.refused(failure))
        }
    }

    /// Try to send what the core accepted now, and show where it stands after.
    private func delivered(_ accepted: MyReport, of service: Service) async -> ReportState {
        _ = await resident.syncNow()
        let report: MyReport
        if case let .done(now) = await resident.report(localId: accepted.localId) { report = now } else { report = accepted }
        switch (report.delivery, report.shown.reference) {
        case let (.sent, reference?):
            return .done(reference: reference, whatHappensNext: service.whatHappensNext, report: report)
        case let (.needsAttention(_, problem), _):
            return .saved(report: report, problem: problem.message)
        default:
            return .saved(report: report, problem: nil)
        }
    }

    private func edit(_ change: (inout ReportForm) -> Void) {
        guard case var .form(form) = state else { return }
        change(&form)
        state = .form(form)
    }
}

extension ReportForm {
    /// The form again, each problem beside its input and all of them in the summary.
    func refused(_ failure: Failure) -> ReportForm {
        let inputs = Set(fields.map(\.problemField)).union(ReportScreen.inputs)
        let refusal = failure.onForm(Dictionary(uniqueKeysWithValues: inputs.map { ($0, $0) }))
        var form = self
        form.summary = refusal.summary
        form.errors = refusal.errors
        form.focus = nil
        return form
    }


    /// The report as the core takes it.
    var input: ReportInput {
        ReportInput(
            serviceCode: service.code, description: description, location: location,
            answers: given(answers), photos: photos, contact: contact)
    }
}
