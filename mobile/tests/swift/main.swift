// The resident's journey through the Swift bindings and the iOS shell's non-UI layer, against
// the real library and a real council server on 127.0.0.1.
//
// Invariant: every server this runner starts is stopped when its test ends, passed or failed;
// only loopback addresses are used. Ends with one `N passed, N failed` line.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ what: @autoclosure () -> String) throws {
    if !condition { throw TestFailure(description: what()) }
}

extension Outcome {
    func done(_ what: String) throws -> Value {
        switch self {
        case let .done(value): return value
        case let .failed(failure):
            throw TestFailure(description: "\(what): \(failure.advice) \(failure.reason) (field \(failure.field ?? "-"))")
        }
    }
}

/// The server binary and the council profile, as the runner was told them.
enum Given {
    static let environment = ProcessInfo.processInfo.environment
    static let server = environment["DOORSTEP_SERVER"] ?? ""
    static let profile = environment["DOORSTEP_COUNCIL"] ?? ""
}

func freePort() -> UInt16 {
    // The kernel picks a free loopback port.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

func answers(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    let length = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } } == 0
}

/// A council server process of our own, on a port of its own, writing its log to a file. In
/// `demo` mode it sends no email: each sign-in code is in its log.
final class Council {
    let demo: Bool
    let port = freePort()
    var url: String { "http://127.0.0.1:\(port)" }
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-council-\(UUID())")
    /// The council's database file (the server's own commands, such as issuing a staff token,
    /// take it).
    var database: URL { folder.appendingPathComponent("council.sqlite3") }
    private var log: URL { folder.appendingPathComponent("council.log") }
    private var process: Process?

    init(demo: Bool = false) throws {
        self.demo = demo
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        try start()
    }

    func start() throws {
        stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Given.server)
        process.arguments = (demo ? ["--demo"] : [])
            + ["--listen", "127.0.0.1:\(port)", "--db", database.path, "--council", Given.profile]
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }
        let written = try FileHandle(forWritingTo: log)
        written.seekToEndOfFile()
        process.standardOutput = written
        process.standardError = written
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(20)
        while !answers(port: port) {
            try expect(Date() < deadline, "the council server did not start")
            usleep(50_000)
        }
    }

    /// The last sign-in code the council would have emailed (in `demo` mode).
    func emailedCode() throws -> String {
        let written = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let codes = written.components(separatedBy: "code=").dropFirst().compactMap { after -> String? in
            let digits = after.prefix { $0.isNumber }
            return digits.count == 6 ? String(digits) : nil
        }
        guard let code = codes.last else { throw TestFailure(description: "no sign-in code in the council's log") }
        return code
    }

    func stop() {
        guard let process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func close() {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }
}

let returnUrl = phoneReturnUrl()
let potholeAnswers: [String: GivenAnswer] = [
    "depth": .picked(keys: ["deep"]), "width": .picked(keys: ["medium"]), "location_on_road": .picked(keys: ["traffic_lane"]),
]
let durham = Location(lat: 54.7761, lon: -1.5733, uprn: nil, address: nil)

func phone(_ url: String, secrets: SecretStore = MemorySecrets()) async throws -> Resident {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doorstep-phone-\(UUID())")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return try await Resident.open(
        folder: folder.path, councilUrl: url, secrets: secrets, deviceName: "test phone", backgroundSync: false
    ).done("open")
}

func withCouncil(demo: Bool = false, _ test: (Council) async throws -> Void) async throws {
    let council = try Council(demo: demo)
    defer { council.close() }
    try await test(council)
}

func eventually(_ condition: () -> Bool) async throws {
    let deadline = Date().addingTimeInterval(5)
    while !condition() {
        try expect(Date() < deadline, "waited 5 s in vain")
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}

/// Stays on the card page's answer: its redirect goes back to the app, which is not there.
final class NoRedirects: NSObject, URLSessionTaskDelegate {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}

/// Pay on the sandbox's card page, as the resident would in a browser sheet; the address it
/// sends the resident back to.
func payOnCardPage(_ page: String, card: String) async throws -> String {
    let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
    defer { session.finishTasksAndInvalidate() }
    var request = URLRequest(url: URL(string: page)!)
    request.httpMethod = "POST"
    request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    request.httpBody = "card_number=\(card)&action=pay".data(using: .utf8)
    let answer: HTTPURLResponse? = try await withCheckedThrowingContinuation { continuation in
        session.dataTask(with: request) { _, response, error in
            if let error { continuation.resume(throwing: error) } else {
                continuation.resume(returning: response as? HTTPURLResponse)
            }
        }.resume()
    }
    let status = answer?.statusCode ?? 0
    try expect(status > 0 && status < 400, "the card page answered \(status)")
    guard let back = answer?.value(forHTTPHeaderField: "Location") else {
        throw TestFailure(description: "the card page sent the resident nowhere")
    }
    return back
}

/// The web sheet ends on the card page's return: the core finds the payment in it and
/// refreshes that one.
func returned(_ resident: Resident, from back: String, paying localId: String) async throws -> MyPayment {
    try expect(back.hasPrefix(Resident.paymentReturnScheme + "://"), "the sheet waits for the return's scheme: \(back)")
    guard let paid = try await resident.paymentReturned(openedWith: back)?.done("refresh after paying") else {
        throw TestFailure(description: "the card page's return is not the app's: \(back)")
    }
    try expect(paid.localId == localId, "the return names the payment paid: \(back)")
    return paid
}

func aReportMadeOfflineIsSentOnceOnline() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        council.stop()
        let queued = try await resident.report(service: "pothole", description: "A deep pothole by the bus stop", at: durham, answers: potholeAnswers).done("report offline")
        try expect(queued.delivery == .waiting, "queued offline, it waits: \(queued.delivery)")
        try expect(queued.shown.delivery == "Waiting to send" && queued.shown.reference == nil, "the core's words for it: \(queued.shown)")
        try expect(queued.shown.summary == "A deep pothole by the bus stop", "what the resident wrote: \(queued.shown)")
        let offline = await resident.syncNow()
        if case let .done(round) = offline { try expect(round.sent == 0, "syncing offline sends nothing: \(round)") }
        try expect(offline.failure == nil || offline.failure?.advice == .tryWhenOnline, "offline is said so: \(offline)")
        try expect(resident.status.waiting == 1, "the badge shows one waiting: \(resident.status)")
        try council.start()
        let round = try await resident.syncNow().done("sync online")
        try expect(round.sent >= 1, "the report is sent: \(round)")
        let sent = try await resident.report(localId: queued.localId).done("my report")
        try expect(sent.delivery == .sent, "it has reached the council: \(sent.delivery)")
        try expect(!(sent.report?.reference ?? "").isEmpty, "the council gave it a reference")
        try expect(sent.shown.reference == sent.report?.reference && sent.shown.status == "Open", "the council's copy shows: \(sent.shown)")
        try expect(sent.shown.title == "Report a pothole" && !sent.shown.mayReopen, "its title, not reopenable while open: \(sent.shown)")
    }
}

func aLibraryComputerIsBooked() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        try expect(resident.core.capabilities().bookings, "a Doorstep council takes bookings")
        let view = try await resident.slots(service: "library_computer").done("slots")
        try expect(!view.stale, "the slots are live")
        guard let slot = view.list.slots.first(where: { $0.remaining > 0 }) else { throw TestFailure(description: "no free slot") }
        let booked = try await resident.book(service: "library_computer", slotId: slot.id).done("book")
        _ = try await resident.syncNow().done("sync")
        let made = try await resident.booking(localId: booked.localId).done("my booking")
        try expect(made.delivery == .sent, "the booking reached the council: \(made.delivery)")
        try expect(made.booking?.status == .confirmed, "it is confirmed: \(String(describing: made.booking))")
        try expect(made.booking?.siteName == slot.siteName, "at the library chosen")
    }
}

func councilTaxIsPaidThroughTheSandbox() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let started = try await resident.pay(
            purpose: "council_tax", reference: "1234 5678", amount: "£12.50", returnUrl: returnUrl, email: "ann@example.org"
        ).done("pay")
        try expect(started.amountPence == 1250, "the typed amount is read by the core: \(started.amountPence)")
        _ = try await resident.syncNow().done("sync")
        let waiting = try await resident.paymentReturned(localId: started.localId).done("refresh")
        guard let page = waiting.payment?.nextUrl else { throw TestFailure(description: "no card page to open") }
        try await eventually { resident.paymentPages.contains { $0.0 == started.localId } }
        let back = try await payOnCardPage(page, card: "4242424242424242")
        let paid = try await returned(resident, from: back, paying: started.localId)
        try expect(paid.payment?.state.status == .success, "the payment succeeded: \(String(describing: paid.payment))")
        try expect(paid.payment?.receipt != nil, "with a receipt")
    }
}

func aBulkyWasteCollectionIsBookedAndItsFeePaid() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        guard let slot = try await resident.slots(service: "bulky_waste").done("slots").list.slots.first(where: { $0.remaining > 0 }) else {
            throw TestFailure(description: "no free collection day")
        }
        let answers: [String: GivenAnswer] = ["items": .picked(keys: ["sofa", "mattress"]), "where_left": .typed(text: "front")]
        let form = try await resident.service("bulky_waste").done("the service").fields
        try expect(form.prefix(2).map(\.code) == ["items", "where_left"], "the council's order: \(form.map(\.code))")
        try expect(form[0].kind == .anyOf && form[0].choices.contains { $0.key == "sofa" }, "items are picked: \(form[0])")
        try expect(form[1].kind == .oneOf && form[0].problemField == "answers.items", "one place, errors named: \(form[1])")
        try expect(form.last?.label.hasSuffix("(optional)") == true, "an optional question says so")
        let rows = try await resident.checkAnswers(service: "bulky_waste", answers: answers).done("check your answers")
        let check = Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0.answer) })
        try expect(check["items"] == "Sofa or settee, Mattress", "the names of the items picked: \(check)")
        try expect(check["where_left"] == "In the front garden or drive", "the place picked: \(check)")
        try expect(check["access_notes"] == "Not answered", "what was left out: \(check)")
        let booked = try await resident.book(service: "bulky_waste", slotId: slot.id, answers: answers, at: durham).done("book")
        let fee = try await resident.core.payBookingFee(bookingLocalId: booked.localId, returnUrl: returnUrl)
        try expect(fee.amountPence == 2600, "two items cost the first band's fee: \(fee.amountPence)")
        _ = try await resident.syncNow().done("sync")
        let made = try await resident.booking(localId: booked.localId).done("my booking")
        try expect(made.booking?.feePence == 2600, "the council priced it alike: \(String(describing: made.booking))")
        guard let page = try await resident.paymentReturned(localId: fee.localId).done("refresh").payment?.nextUrl else {
            throw TestFailure(description: "no card page for the fee")
        }
        let back = try await payOnCardPage(page, card: "4242424242424242")
        let paid = try await returned(resident, from: back, paying: fee.localId)
        try expect(paid.payment?.state.status == .success, "the fee is paid: \(String(describing: paid.payment))")
    }
}

final class Recorder: EventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var heard: [(Event, Bool)] = []
    var events: [Event] { lock.withLock { heard.map { $0.0 } } }
    var onMainThread: Bool { lock.withLock { heard.contains { $0.1 } } }
    func onEvent(event: Event) { lock.withLock { heard.append((event, Thread.isMainThread)) } }
}

func eventsArriveOnACoreThreadAndStopWhenTheHandleCloses() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let recorder = Recorder()
        var subscription: Subscription? = await resident.core.subscribe(listener: recorder)
        try await eventually {
            recorder.events.contains { if case .outbox = $0 { return true } else { return false } }
                && recorder.events.contains { if case .sync = $0 { return true } else { return false } }
        }
        try expect(!recorder.onMainThread, "events come on the core's threads")
        _ = await resident.report(service: "pothole", description: "Another pothole", at: durham, answers: potholeAnswers)
        try await eventually { recorder.events.contains { if case .outbox(1, _) = $0 { return true } else { return false } } }
        try expect(subscription != nil, "the handle was held")
        subscription = nil
        let before = recorder.events.count
        _ = await resident.report(service: "pothole", description: "A third pothole", at: durham, answers: potholeAnswers)
        _ = await resident.syncNow()
        try await Task.sleep(nanoseconds: 300_000_000)
        try expect(recorder.events.count == before, "no event after the handle was dropped: \(recorder.events.dropFirst(before))")
        let again = await resident.core.subscribe(listener: recorder)
        try await eventually { recorder.events.count > before }
        again.cancel()
    }
}

func badInputGivesTheMappedErrorNeverACrash() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let core = resident.core
        func fixes(_ field: String, _ call: () async throws -> Void) async throws {
            do {
                try await call()
                throw TestFailure(description: "\(field): accepted")
            } catch let DoorstepError.FixInput(reason, named, _) {
                try expect(named == field, "the error names \(field): \(named) (\(reason))")
                try expect(!reason.isEmpty, "with a reason")
            }
        }
        try await fixes("amount") { _ = try amountInPence(typed: "twelve pounds") }
        try await fixes("amount") {
            _ = try await core.startPayment(input: PaymentInput(purpose: "council_tax", reference: "12345678", amount: "£-3", returnUrl: returnUrl))
        }
        try await fixes("email") {
            _ = try await core.startPayment(input: PaymentInput(
                purpose: "council_tax", reference: "12345678", amount: "12", returnUrl: returnUrl, email: "ann@"))
        }
        try await fixes("uprn") { _ = try await core.collections(uprn: "not a uprn") }
        try await fixes("body") { _ = try await core.saveDraft(id: nil, kind: "report", body: "{not json") }
        try await fixes("photos.0") {
            let answers = potholeAnswers.map { AnswerGiven(question: $0.key, answer: $0.value) }
            _ = try await core.submitReport(input: ReportInput(
                serviceCode: "pothole", description: "A photo that is not one", location: durham, answers: answers,
                photos: [Data([1, 2, 3])], contact: nil))
        }
        try await fixes("server") {
            let settings = Settings(dataDir: NSTemporaryDirectory(), councilUrl: "ftp://nowhere", platform: "ios", deviceName: "x", backgroundSync: false, backend: .doorstep)
            _ = try await Doorstep.open(settings: settings, secrets: MemorySecrets())
        }
        let outcome = await resident.report(service: "pothole", description: "", at: Location(lat: .nan, lon: 500, uprn: nil, address: nil), answers: ["depth": .typed(text: "bottomless")])
        try expect(outcome.failure?.advice == .fixInput && outcome.failure?.field != nil, "a bad report names a field: \(outcome)")
        do {
            _ = try await core.report(localId: "no such report")
            throw TestFailure(description: "found a report that does not exist")
        } catch let DoorstepError.NotFound(reason) {
            try expect(!reason.isEmpty, "says what was not found")
        }
        try expect(try await resident.outbox().done("outbox").isEmpty, "nothing bad was queued")
        let settings = Settings(
            dataDir: NSTemporaryDirectory() + "doorstep-open311-\(UUID())", councilUrl: "\(council.url)/open311/v2",
            platform: "ios", deviceName: "x", backgroundSync: false, backend: .open311(apiKey: nil, jurisdiction: nil))
        let open311 = try await Doorstep.open(settings: settings, secrets: MemorySecrets())
        do {
            _ = try await open311.slots(serviceCode: "library_computer")
            throw TestFailure(description: "an Open311 council took a booking")
        } catch let DoorstepError.NotOffered(reason) {
            try expect(!open311.capabilities().bookings && !reason.isEmpty, "bookings are not offered, and it says so")
        }
    }
}

final class LockedSecrets: SecretStore, @unchecked Sendable {
    func get(name: String) throws -> String? { throw SecretStoreError.Unavailable(reason: "the keychain is locked") }
    func set(name: String, value: String) throws { throw SecretStoreError.Unavailable(reason: "the keychain is locked") }
    func delete(name: String) throws { throw SecretStoreError.Unavailable(reason: "the keychain is locked") }
}

func tokensLiveInTheShellsSecretStore() async throws {
    try await withCouncil { council in
        let secrets = MemorySecrets()
        let resident = try await phone(council.url, secrets: secrets)
        _ = try await resident.report(service: "pothole", description: "By the school", at: durham, answers: potholeAnswers).done("report")
        _ = try await resident.syncNow().done("sync")
        try expect(secrets.names.contains("device_token"), "the device token is in the shell's store: \(secrets.names)")
        resident.close()
        let locked = try await phone(council.url, secrets: LockedSecrets())
        defer { locked.close() }
        _ = try await locked.report(service: "pothole", description: "By the church", at: durham, answers: potholeAnswers).done("report with a locked store")
        let round = await locked.syncNow()
        if case let .done(report) = round { try expect(report.sent == 0, "nothing is sent without a token: \(report)") }
        try expect(try await locked.outbox().done("outbox").count == 1, "the report still waits")
    }
}

let tests: [(String, () async throws -> Void)] = [
    ("aReportMadeOfflineIsSentOnceOnline", aReportMadeOfflineIsSentOnceOnline),
    ("aLibraryComputerIsBooked", aLibraryComputerIsBooked),
    ("councilTaxIsPaidThroughTheSandbox", councilTaxIsPaidThroughTheSandbox),
    ("aBulkyWasteCollectionIsBookedAndItsFeePaid", aBulkyWasteCollectionIsBookedAndItsFeePaid),
    ("eventsArriveOnACoreThreadAndStopWhenTheHandleCloses", eventsArriveOnACoreThreadAndStopWhenTheHandleCloses),
    ("badInputGivesTheMappedErrorNeverACrash", badInputGivesTheMappedErrorNeverACrash),
    ("tokensLiveInTheShellsSecretStore", tokensLiveInTheShellsSecretStore),
] + reportScreenJourneys + servicesScreenJourneys + requestsScreenJourneys + requestScreenJourneys + notificationsJourneys
    + binsScreenJourneys + outboxScreenJourneys + accountScreenJourneys + bookScreenJourneys + payScreenJourneys + placesJourneys + pushJourneys

if Given.server.isEmpty || Given.profile.isEmpty {
    print("DOORSTEP_SERVER and DOORSTEP_COUNCIL name the server binary and the council profile")
    exit(2)
}
let only = Given.environment["DOORSTEP_ONLY"]
var passed = 0
var failed = 0
for (name, test) in tests where only.map({ name.contains($0) }) ?? true {
    do {
        try await test()
        passed += 1
        print("ok   \(name)")
    } catch {
        failed += 1
        print("FAIL \(name): \(error)")
    }
}
print("Swift: \(passed) passed, \(failed) failed")
exit(failed == 0 ? 0 : 1)
