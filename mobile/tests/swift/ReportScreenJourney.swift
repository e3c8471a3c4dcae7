// The report journey through the iOS shell's screen model (ReportScreen), against the real
// library and a real council server on 127.0.0.1: the council's questions and labels, each
// refusal beside its field, "Check your answers" in the core's words, sent once or saved.
import Foundation

/// What the screen shows, when it is the `what` expected.
func showing<Shown>(_ screen: ReportScreen, _ what: String, _ pick: (ReportState) -> Shown?) async throws -> Shown {
    let state = await screen.state
    guard let shown = pick(state) else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

extension ReportState {
    var form: ReportForm? { if case let .form(form) = self { return form } else { return nil } }
    var rows: [CheckedAnswer]? { if case let .check(rows, _, _) = self { return rows } else { return nil } }
    var done: (reference: String, whatHappensNext: String?, report: MyReport)? {
        if case let .done(reference, next, report) = self { return (reference, next, report) } else { return nil }
    }
    var saved: (report: MyReport, problem: String?)? {
        if case let .saved(report, problem) = self { return (report, problem) } else { return nil }
    }
    var failed: (message: String, canRetry: Bool)? {
        if case let .failed(message, canRetry) = self { return (message, canRetry) } else { return nil }
    }
}

/// A photo as the shell hands it over: a small JPEG (16 by 12, black).
let aPhoto = Data(base64Encoded: "/9j/4AAQSkZJRgABAgAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAMABADASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD5/ooooA//2Q==")!

func aProblemIsReportedThroughTheReportScreen() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await ReportScreen(resident: resident)
        await screen.load("pothole")
        let form = try await showing(screen, "loaded", \.form)
        try expect(form.fields.map(\.code) == ["depth", "width", "location_on_road", "landmark"], "the council's order: \(form.fields.map(\.code))")
        try expect(form.fields[0].label == "How deep is it?" && form.fields[3].label == "Nearest house number or landmark (optional)",
                   "the core's labels: \(form.fields.map(\.label))")
        await screen.answer("width", potholeAnswers["width"]!)
        await screen.answer("location_on_road", potholeAnswers["location_on_road"]!)
        await screen.contact(ContactDetails(name: "Ann Smith", email: "ann.example.com", phone: nil))
        await screen.check()
        await screen.send()
        let refused = try await showing(screen, "sent without a depth or a place", \.form)
        try expect(Set(refused.errors.keys) == [form.fields[0].problemField, ReportScreen.locationField, ReportScreen.emailField],
                   "beside the depth, the place and the email address: \(refused.errors)")
        guard let core = await resident.report(
            service: "pothole", description: refused.description, at: refused.location, answers: refused.answers,
            contact: refused.contact
        ).failure else { throw TestFailure(description: "the core took the same report") }
        try expect(refused.summary == core.problems.map { FormError(field: $0.field, message: $0.message) },
                   "the summary is the core's, in its order: \(refused.summary)")
        try expect(refused.answers == potholeAnswers.filter { $0.key != "depth" }, "nothing given is lost: \(refused.answers)")
        try expect(try await resident.core.reports().isEmpty, "nothing refused was kept")
        await screen.answer("depth", potholeAnswers["depth"]!)
        await screen.describe("A deep pothole by the bus stop")
        await screen.contact(ContactDetails(name: "Ann Smith", email: "ann@example.com", phone: nil))
        await screen.addPhoto(aPhoto)
        await screen.lookUp("DH1")
        let cutShort = try await showing(screen, "a postcode cut short", \.form)
        try expect(cutShort.errors[ReportScreen.postcodeField] != nil, "the lookup's refusal is beside the postcode")
        await screen.lookUp("DH1 4RB")
        let found = try await showing(screen, "addresses found", \.form)
        try expect(!found.addresses.isEmpty && found.errors[ReportScreen.postcodeField] == nil, "the addresses at the postcode: \(found)")
        await screen.pick(found.addresses[0].uprn)
        let picked = try await showing(screen, "an address picked", \.form)
        try expect(picked.location.uprn == found.addresses[0].uprn, "the address's property reference")
        await screen.place(lat: durham.lat!, lon: durham.lon!)
        await screen.check()
        let atPoint = try await showing(screen, "checked at a point", \.rows)
        let coordinates = atPoint.first { $0.code == ReportScreen.locationField }?.answer
        try expect(coordinates == "54.7761, -1.5733", "a point typed in is no longer the address: \(String(describing: coordinates))")
        await screen.change(ReportScreen.locationField)
        await screen.pick(found.addresses[0].uprn)
        await screen.check()
        let checked = try await showing(screen, "checked", \.rows)
        let rows = Dictionary(uniqueKeysWithValues: checked.map { ($0.code, $0.answer) })
        try expect(rows["depth"] == "More than 10cm" && rows["width"] == "About the size of a dustbin lid", "the names of the choices picked: \(rows)")
        try expect(rows["landmark"] == "Not answered", "what was left out: \(rows)")
        try expect(rows[ReportScreen.descriptionField] == "A deep pothole by the bus stop" && rows[ReportScreen.locationField] == found.addresses[0].address,
                   "what and where: \(rows)")
        try expect(rows["photos"] == "1 chosen" && rows["contact"] == "Ann Smith, ann@example.com", "the photos and the contact details: \(rows)")
        await screen.change("depth")
        let changing = try await showing(screen, "changing the depth", \.form)
        try expect(changing.focus == "answers.depth" && changing.answers == potholeAnswers, "back at the depth, answers kept: \(changing)")
        await screen.check()
        async let first: Void = screen.send()
        async let second: Void = screen.send()
        _ = await (first, second)
        let (reference, next, report) = try await showing(screen, "sent", \.done)
        try expect(!reference.isEmpty && report.shown.reference == reference, "the council's reference: \(reference)")
        try expect(next?.hasPrefix("An inspector will look at it") == true, "what happens next: \(String(describing: next))")
        let made = try await resident.core.reports().count
        try expect(made == 1, "two taps of Send make one report: \(made)")
    }
}

func aReportMadeOfflineOnTheReportScreenIsSaved() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await ReportScreen(resident: resident)
        await screen.load("pothole")
        council.stop()
        for (code, given) in potholeAnswers { await screen.answer(code, given) }
        await screen.describe("A deep pothole by the bus stop")
        await screen.place(lat: durham.lat!, lon: durham.lon!)
        await screen.check()
        await screen.send()
        let (report, problem) = try await showing(screen, "sent offline", \.saved)
        try expect(report.shown.delivery == "Waiting to send" && problem == nil, "saved, to send later: \(report.shown)")
        try await eventually { resident.status.waiting == 1 }
    }
}

func theReportScreenSaysWhenAServiceCannotBeFound() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ReportScreen(resident: resident)
        council.stop()
        await screen.load("pothole")
        let (offline, retry) = try await showing(screen, "loaded offline", \.failed)
        try expect(retry && !offline.isEmpty, "offline, try again: \(offline)")
        try council.start()
        await screen.load("pothole")
        _ = try await showing(screen, "loaded again online", \.form)
        await screen.load("no_such_service")
        let (unknown, again) = try await showing(screen, "an unknown service", \.failed)
        try expect(!again && unknown.contains("no_such_service"), "the core's words, no retry: \(unknown)")
    }
}

/// The journeys of this file, by name, for the runner.
let reportScreenJourneys: [(String, () async throws -> Void)] = [
    ("aProblemIsReportedThroughTheReportScreen", aProblemIsReportedThroughTheReportScreen),
    ("aReportMadeOfflineOnTheReportScreenIsSaved", aReportMadeOfflineOnTheReportScreenIsSaved),
    ("theReportScreenSaysWhenAServiceCannotBeFound", theReportScreenSaysWhenAServiceCannotBeFound),
]
