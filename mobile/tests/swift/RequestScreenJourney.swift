// One report through the iOS shell's screen model (RequestScreen), against the real library and
// a real council server on 127.0.0.1: its timeline in the core's words, an update added once
// per tap, a blank one refused beside its field, one saved offline, and a report the council
// fixed said to be still not fixed.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What the request screen shows of the report, when it shows it.
func shownReport(_ screen: RequestScreen, _ what: String) async throws -> RequestShowing {
    let state = await screen.state
    guard case let .showing(showing) = state else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return showing
}

extension Council {
    /// The council's staff move a report on with a public note, through the back office's
    /// endpoint.
    func movesOn(_ report: MyReport, status: String, note: String) async throws {
        guard let id = report.report?.id else { throw TestFailure(description: "the council does not have the report yet") }
        let issuing = Process()
        issuing.executableURL = URL(fileURLWithPath: Given.server)
        issuing.arguments = ["staff", "token", "--db", database.path]
        let out = Pipe()
        issuing.standardOutput = out
        issuing.standardError = FileHandle.nullDevice
        try issuing.run()
        let token = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        issuing.waitUntilExit()
        try expect(issuing.terminationStatus == 0 && !token.isEmpty, "a staff token was issued")
        var request = URLRequest(url: URL(string: "\(url)/v1/staff/reports/\(id)/status")!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(UUID().uuidString, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: ["status": status, "note": note])
        let answer: HTTPURLResponse? = try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { _, response, error in
                if let error { continuation.resume(throwing: error) } else {
                    continuation.resume(returning: response as? HTTPURLResponse)
                }
            }.resume()
        }
        let code = answer?.statusCode ?? 0
        try expect((200..<300).contains(code), "the council moved the report on: \(code)")
    }
}

/// A pothole reported and sent to the council.
func sentPothole(_ resident: Resident, _ description: String) async throws -> MyReport {
    _ = try await resident.services().done("catalogue")
    let made = try await resident.report(service: "pothole", description: description, at: durham, answers: potholeAnswers).done("report")
    _ = try await resident.syncNow().done("sync")
    return try await resident.report(localId: made.localId).done("my report")
}

func anUpdateIsAddedToAReport() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let sent = try await sentPothole(resident, "A deep pothole by the bus stop")
        let screen = await RequestScreen(resident: resident)
        await screen.load(sent.localId)
        let shown = try await shownReport(screen, "loaded")
        try expect(shown.report.shown == sent.shown && shown.report.shown.steps.count == 1, "the core's words and timeline: \(shown.report.shown)")
        try expect(!shown.mayReopen && shown.report.shown.status == "Open", "an open report is not reopened: \(shown.report.shown)")
        await screen.write("   ")
        await screen.addUpdate()
        let blank = try await shownReport(screen, "a blank update")
        guard let refusal = await resident.addUpdate(localId: sent.localId, text: "   ", reopen: false).failure,
              refusal.problems.count == 1, let problem = refusal.problems.first else {
            throw TestFailure(description: "the core took a blank update, or said more than one thing")
        }
        try expect(problem.field == RequestScreen.updateField && blank.errors[RequestScreen.updateField] == problem.message
                   && blank.summary.map(\.field) == [RequestScreen.updateField],
                   "the core's refusal beside the update: \(blank.errors) \(blank.summary)")
        try expect(blank.update == "   " && blank.added == nil, "what was typed is kept: \(blank)")
        await screen.write("It is getting bigger")
        async let first: Void = screen.addUpdate()
        async let second: Void = screen.addUpdate()
        _ = await (first, second)
        let added = try await shownReport(screen, "updated")
        try expect(added.added?.sent == true && added.update.isEmpty && added.errors.isEmpty, "with the council, the box emptied: \(added)")
        let steps = added.report.shown.steps
        try expect(steps.count == 2 && steps.last?.by == "You" && steps.last?.note == "It is getting bigger", "one update for two taps, in the core's words: \(steps)")
        try expect(try await resident.outbox().done("outbox").isEmpty, "nothing left to send")
    }
}

func anUpdateMadeOfflineIsSavedToSend() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let sent = try await sentPothole(resident, "A pothole by the church")
        let screen = await RequestScreen(resident: resident)
        await screen.load(sent.localId)
        council.stop()
        await screen.write("Two cars have hit it")
        await screen.addUpdate()
        let saved = try await shownReport(screen, "updated offline")
        try expect(saved.added?.sent == false && saved.report.shown.delivery == "Waiting to send", "saved, to send later: \(saved)")
        let waiting = try await resident.outbox().done("outbox")
        try expect(waiting.count == 1 && !waiting[0].what.isEmpty, "the update waits in the outbox")
        try council.start()
        _ = try await resident.syncNow().done("sync")
        let later = try await resident.report(localId: sent.localId).done("my report").shown
        try expect(later.steps.last?.note == "Two cars have hit it" && later.delivery == "Sent", "sent once online: \(later)")
    }
}

func aFixedReportIsReopenedAsStillNotFixed() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let sent = try await sentPothole(resident, "A deep pothole by the bus stop")
        let screen = await RequestScreen(resident: resident)
        await screen.load(sent.localId)
        await screen.write("It is still there")
        await screen.reopen()
        let untouched = try await shownReport(screen, "open")
        try expect(try await resident.outbox().done("outbox").isEmpty && untouched.added == nil, "an open report is not reopened")
        let following = Task { await screen.follow() }
        defer { following.cancel() }
        try await council.movesOn(sent, status: "fixed", note: "Filled on Tuesday")
        _ = try await resident.syncNow().done("sync")
        try await eventuallyShown { (try? await shownReport(screen, "fixed"))?.mayReopen == true }
        let fixed = try await shownReport(screen, "fixed")
        try expect(fixed.report.shown.status == "Fixed" && fixed.report.shown.steps.last?.note == "Filled on Tuesday", "the council's words: \(fixed.report.shown)")
        try expect(fixed.update == "It is still there", "what was typed is kept while the report is read again: \(fixed.update)")
        await screen.reopen()
        let reopened = try await shownReport(screen, "reopened")
        try expect(reopened.added?.sent == true && reopened.report.shown.status == "Open" && !reopened.mayReopen, "open again: \(reopened.report.shown)")
        let last = reopened.report.shown.steps.last
        try expect(last?.by == "You" && last?.status == "Open" && last?.note == "It is still there", "the resident's step: \(String(describing: last))")
    }
}

/// The journeys of this file, by name, for the runner.
let requestScreenJourneys: [(String, () async throws -> Void)] = [
    ("anUpdateIsAddedToAReport", anUpdateIsAddedToAReport),
    ("anUpdateMadeOfflineIsSavedToSend", anUpdateMadeOfflineIsSavedToSend),
    ("aFixedReportIsReopenedAsStillNotFixed", aFixedReportIsReopenedAsStillNotFixed),
]
