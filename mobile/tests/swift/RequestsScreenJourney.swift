// "My requests" through the iOS shell's screen model (RequestsScreen), against the real library
// and a real council server on 127.0.0.1: each report, booking and payment this phone made in
// the core's words, and the list read again when the core says an item changed.
import Foundation

/// What the requests screen lists, when it lists.
func listed(_ screen: RequestsScreen, _ what: String) async throws -> RequestsList {
    let state = await screen.state
    guard case let .listed(list) = state else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return list
}

func theRequestsListShowsEachItemInTheCoresWords() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await RequestsScreen(resident: resident)
        await screen.load()
        try expect(try await listed(screen, "nothing made yet").nothingYet, "nothing yet")
        let report = try await resident.report(service: "pothole", description: "A deep pothole by the bus stop", at: durham, answers: potholeAnswers).done("report")
        guard let slot = try await resident.slots(service: "library_computer").done("slots").list.slots.first(where: { $0.remaining > 0 }) else {
            throw TestFailure(description: "no free slot")
        }
        let booking = try await resident.book(service: "library_computer", slotId: slot.id).done("book")
        _ = try await resident.syncNow().done("sync")
        council.stop()
        let payment = try await resident.pay(purpose: "council_tax", reference: "1234 5678", amount: "£12.50", returnUrl: returnUrl).done("pay offline")
        await screen.load()
        let list = try await listed(screen, "three made")
        let sent = try await resident.report(localId: report.localId).done("my report").shown
        guard list.reports.count == 1, let row = list.reports.first else { throw TestFailure(description: "one report: \(list.reports)") }
        try expect(row.localId == report.localId && row.kind == .report && row.shown == sent, "the report in the core's words: \(row)")
        try expect(row.tag == "Open" && sent.status == "Open" && row.shown.reference != nil && !row.needsAttention, "the council's status once it has it: \(row)")
        guard list.bookings.count == 1, let booked = list.bookings.first else { throw TestFailure(description: "one booking: \(list.bookings)") }
        try expect(booked.localId == booking.localId && booked.tag == "Confirmed" && !booked.shown.summary.isEmpty, "the booking, its status and when: \(booked)")
        guard list.payments.count == 1, let paying = list.payments.first else { throw TestFailure(description: "one payment: \(list.payments)") }
        try expect(paying.localId == payment.localId && paying.kind == .payment, "the payment: \(paying)")
        try expect(paying.tag == "Waiting to send" && paying.shown.reference == nil, "not sent yet, in the core's words: \(paying)")
        try expect(paying.shown == (try await resident.core.payment(localId: payment.localId)).shown, "the core's words, unchanged: \(paying.shown)")
    }
}

func theRequestsListIsReadAgainWhenAnItemChanges() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await RequestsScreen(resident: resident)
        let following = Task { await screen.follow() }
        defer { following.cancel() }
        try await eventuallyShown { if case .listed = await screen.state { return true } else { return false } }
        let made = try await resident.report(service: "pothole", description: "A pothole by the school", at: durham, answers: potholeAnswers).done("report")
        try await eventuallyShown { await onlyReport(screen)?.tag == "Waiting to send" }
        _ = try await resident.syncNow().done("sync")
        try await eventuallyShown { await onlyReport(screen)?.tag == "Open" }
        let row = await onlyReport(screen)
        try expect(row?.localId == made.localId && row?.shown.reference != nil, "the council's copy: \(String(describing: row))")
    }
}

/// The one report listed, if the screen lists one.
@MainActor
func onlyReport(_ screen: RequestsScreen) -> RequestRow? {
    guard case let .listed(list) = screen.state, list.reports.count == 1 else { return nil }
    return list.reports.first
}

/// `eventually`, for what a screen on the main actor shows.
func eventuallyShown(_ condition: () async -> Bool) async throws {
    let deadline = Date().addingTimeInterval(5)
    while !(await condition()) {
        try expect(Date() < deadline, "waited 5 s in vain")
        try await Task.sleep(nanoseconds: 20_000_000)
    }
}

/// The journeys of this file, by name, for the runner.
let requestsScreenJourneys: [(String, () async throws -> Void)] = [
    ("theRequestsListShowsEachItemInTheCoresWords", theRequestsListShowsEachItemInTheCoresWords),
    ("theRequestsListIsReadAgainWhenAnItemChanges", theRequestsListIsReadAgainWhenAnItemChanges),
]
