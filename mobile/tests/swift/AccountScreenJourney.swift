// The account through the iOS shell's screen model (AccountScreen), against the real library
// and a real council server on 127.0.0.1: signing in by a code the council "emails" (a demo
// council writes it to its log), a wrong code refused beside the code field, signing out, the
// resident's data exported, and erased only once confirmed.
//
// Invariant: the council this file starts is stopped when its test ends, passed or failed.
import Foundation

/// A six-digit code that is not `code`.
func otherThan(_ code: String) -> String {
    String(code.dropLast()) + String(((Int(String(code.last!)) ?? 0) + 1) % 10)
}

extension AccountState {
    var account: Account? { if case let .ready(account) = self { return account } else { return nil } }
}

func aResidentSignsInByCodeAndOut() async throws {
    try await withCouncil(demo: true) { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await AccountScreen(resident: resident)
        await screen.load()
        try expect(try shown(await screen.state, "loaded", \.account).signIn == .email("", error: nil), "signed out at first")
        await screen.typeEmail("ann@")
        await screen.sendCode()
        let badEmail = try shown(await screen.state, "a bad email", \.account)
        guard let refusedEmail = await resident.signIn(email: "ann@").failure else { throw TestFailure(description: "the core took a bad email") }
        try expect(refusedEmail.field == AccountScreen.emailField && badEmail.signIn == .email("ann@", error: refusedEmail.reason),
                   "the core's refusal beside the email: \(badEmail)")
        await screen.typeEmail("ann@example.org")
        await screen.sendCode()
        guard case let .code(email, sent, _, _) = try shown(await screen.state, "a code sent", \.account).signIn else {
            throw TestFailure(description: "no code asked for: \(await screen.state)")
        }
        try expect(sent.sentTo.hasSuffix("@example.org") && sent.sentTo != "ann@example.org", "where it went, partly hidden: \(sent)")
        let emailed = try council.emailedCode()
        await screen.typeCode(otherThan(emailed))
        await screen.verify()
        let wrong = try shown(await screen.state, "a wrong code", \.account)
        guard let refusedCode = await resident.verify(email: "ann@example.org", code: otherThan(emailed)).failure else {
            throw TestFailure(description: "the council took a wrong code")
        }
        try expect(refusedCode.field == AccountScreen.codeField
                   && wrong.signIn == .code(email: email, sent: sent, code: otherThan(emailed), error: refusedCode.reason),
                   "the core's refusal beside the code, the code typed kept: \(wrong)")
        try expect(wrong.problem == nil, "nothing else is wrong: \(wrong)")
        await screen.typeCode(emailed)
        async let first: Void = screen.verify()
        async let second: Void = screen.verify()
        _ = await (first, second)
        let signedIn = try shown(await screen.state, "signed in", \.account)
        try expect(signedIn.signIn == .signedIn("ann@example.org") && signedIn.problem == nil, "signed in as Ann, once: \(signedIn)")
        try expect(try await resident.signedInAs().done("signed in as") == "ann@example.org", "the core says so too")
        await screen.signOut()
        try expect(try shown(await screen.state, "signed out", \.account).signIn == .email("", error: nil), "signed out")
        try expect(try await resident.signedInAs().done("signed in as") == nil, "the core forgot the account")
    }
}

func theResidentsDataIsExportedAndErased() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let made = try await resident.report(
            service: "pothole", description: "A deep pothole by the bus stop", at: durham, answers: potholeAnswers
        ).done("report")
        _ = try await resident.syncNow().done("sync")
        _ = try await resident.rememberBinAddress(uprn: sherburnRoad).done("remember")
        let screen = await AccountScreen(
            resident: resident, now: { moment("2025-06-03", hour: 10) }, timeZone: TimeZone(secondsFromGMT: 0)!)
        await screen.load()
        await screen.export()
        guard let exported = try shown(await screen.state, "exported", \.account).exported else {
            throw TestFailure(description: "nothing exported: \(await screen.state)")
        }
        try expect(exported.name == "doorstep-my-data-2025-06-03.json", "named by the day: \(exported.name)")
        try expect(exported.text.contains(made.localId) && exported.text.contains("A deep pothole by the bus stop"),
                   "with the report: \(exported.text.prefix(200))")
        await screen.erase()
        try expect(try await resident.core.reports().count == 1, "not erased unasked")
        await screen.askErase()
        try expect(try shown(await screen.state, "asked", \.account).confirmingErase, "asks to confirm")
        await screen.keepData()
        await screen.erase()
        try expect(try await resident.core.reports().count == 1, "kept when the resident said keep it")
        await screen.askErase()
        async let first: Void = screen.erase()
        async let second: Void = screen.erase()
        _ = await (first, second)
        let erased = try shown(await screen.state, "erased", \.account)
        try expect(erased.erased && erased.problem == nil && erased.signIn == .email("", error: nil), "erased, once: \(erased)")
        let reports = try await resident.core.reports()
        let waiting = try await resident.outbox().done("outbox")
        try expect(reports.isEmpty && waiting.isEmpty, "no request is left")
        try expect(try await resident.binAddress().done("bin address") == nil, "no address is remembered")
        try expect(try await resident.signedInAs().done("signed in as") == nil, "no account")
    }
}

/// The journeys of this file, by name, for the runner.
let accountScreenJourneys: [(String, () async throws -> Void)] = [
    ("aResidentSignsInByCodeAndOut", aResidentSignsInByCodeAndOut),
    ("theResidentsDataIsExportedAndErased", theResidentsDataIsExportedAndErased),
]
