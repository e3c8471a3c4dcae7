// Status-change notifications through the iOS shell's model (StatusNotification), against the
// real library and a real council server on 127.0.0.1: the council moves a report on, the
// phone syncs, and what it posts is the core's title and body, opening that report.
import Foundation

/// What was posted, from the core's threads.
final class Posted: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [StatusNotification] = []
    var all: [StatusNotification] { lock.withLock { held } }
    func post(_ notification: StatusNotification) { lock.withLock { held.append(notification) } }
}

func aStatusChangeBecomesANotificationInTheCoresWords() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let sent = try await sentPothole(resident, "A deep pothole by the bus stop")
        guard let reference = sent.shown.reference else { throw TestFailure(description: "no reference: \(sent.shown)") }
        let posted = Posted()
        let events = await resident.hear()
        let posting = Task { await postNotifications(from: events, posted.post) }
        try await council.movesOn(sent, status: "in_progress", note: "A crew is on its way")
        _ = try await resident.syncNow().done("sync")
        try await eventually { !posted.all.isEmpty }
        posting.cancel()
        let all = posted.all
        guard all.count == 1, let notice = all.first else { throw TestFailure(description: "one notification: \(all)") }
        try expect(notice.title == "Report a pothole \(reference)" && notice.body == "Now: In progress", "the core's words: \(notice)")
        try expect(notice.opens == sent.localId && notice.kind == .report, "it opens the report: \(notice)")
        let other: [Event] = [
            .itemChanged(localId: sent.localId, kind: "report"), .outbox(waiting: 0, needsAttention: 0),
            .paymentNeedsAction(localId: sent.localId, nextUrl: returnUrl),
        ]
        try expect(other.allSatisfy { statusNotification($0) == nil }, "no other event is posted")
        let event = Event.statusChanged(localId: "p1", kind: "payment", title: "Council tax 1234 5678", body: "Now: Paid")
        try expect(statusNotification(event) == StatusNotification(title: "Council tax 1234 5678", body: "Now: Paid", opens: "p1", kind: .payment),
                   "a payment's, unchanged")
    }
}

/// The journeys of this file, by name, for the runner.
let notificationsJourneys: [(String, () async throws -> Void)] = [
    ("aStatusChangeBecomesANotificationInTheCoresWords", aStatusChangeBecomesANotificationInTheCoresWords),
]
