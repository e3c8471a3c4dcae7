// The booking journeys through the iOS shell's screen models (BookScreen, BookingScreen and the
// fee's PaymentScreen), against the real library and a real council server on 127.0.0.1: the
// council's questions and times, stale times offline, a taken time and the council's
// alternatives, a fee paid on the card page, a booking cancelled before its cut-off.
import Foundation

/// What the book screen shows, when it is the `what` expected.
func showing<Shown>(_ screen: BookScreen, _ what: String, _ pick: (BookState) -> Shown?) async throws -> Shown {
    let state = await screen.state
    guard let shown = pick(state) else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

/// What the booking screen shows, when it is the booking.
func showing(_ screen: BookingScreen, _ what: String) async throws -> BookingShown {
    let state = await screen.state
    guard case let .showing(shown) = state else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

extension BookState {
    var form: BookForm? { if case let .form(form) = self { return form } else { return nil } }
    var check: (rows: [CheckedAnswer], form: BookForm)? {
        if case let .check(rows, _, form) = self { return (rows, form) } else { return nil }
    }
    var booked: Booked? { if case let .booked(booked) = self { return booked } else { return nil } }
    var taken: Taken? { if case let .taken(taken) = self { return taken } else { return nil } }
}

let headphones: [String: GivenAnswer] = ["support": .picked(keys: ["headphones"])]

func aComputerIsBookedThroughTheBookScreen() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await BookScreen(resident: resident)
        await screen.load("library_computer")
        let form = try await showing(screen, "loaded", \.form)
        try expect(form.fields.map(\.code) == ["library_card", "support"], "the council's questions: \(form.fields.map(\.code))")
        try expect(!form.stale && !(form.slots?.list.slots ?? []).isEmpty, "the council's times, live: \(String(describing: form.slots))")
        try expect(form.fee == nil && form.fallback == .none, "no fee, and nothing else booked unasked: \(form)")
        let offered = fallbackChoices()
        try expect(offered.map(\.fallback) == [.none, .sameDay, .nextAvailable] && offered.first?.name == "Don’t book",
                   "what to do if the time is taken, as the core offers it: \(offered)")
        await screen.answer("support", headphones["support"]!)
        await screen.check()
        await screen.book()
        let refused = try await showing(screen, "booked without a time", \.form)
        try expect(Set(refused.errors.keys) == [BookScreen.slotField] && refused.summary.count == 1, "beside the time: \(refused.summary)")
        try expect(refused.answers == headphones, "nothing given is lost: \(refused.answers)")
        try expect(try await resident.core.bookings().isEmpty, "nothing refused was kept")
        guard let slot = refused.slots?.list.slots.first(where: { $0.remaining > 0 }) else { throw TestFailure(description: "no free time") }
        await screen.choose(slot.id)
        await screen.check()
        let checking = try await showing(screen, "checked", \.check)
        let rows = Dictionary(uniqueKeysWithValues: checking.rows.map { ($0.code, $0.answer) })
        try expect(rows.filter { $0.key != BookScreen.slotField } == ["library_card": "Not answered", "support": "Headphones", BookScreen.fallbackField: "Don’t book"],
                   "the core's words, no place asked: \(rows)")
        try expect(rows[BookScreen.slotField]?.hasPrefix("\(slot.siteName), ") == true && rows[BookScreen.slotField]?.contains(" at ") == true,
                   "the time at its site: \(rows)")
        try expect(checking.form.chosen == slot, "the time chosen: \(String(describing: checking.form.chosen))")
        async let first: Void = screen.book()
        async let second: Void = screen.book()
        _ = await (first, second)
        let booked = try await showing(screen, "booked", \.booked)
        try expect(booked.reference != nil && booked.reference == booked.booking.booking?.reference, "the council's reference: \(booked)")
        try expect(booked.booking.shown.status == "Confirmed" && booked.feeDue == nil, "confirmed, nothing to pay: \(booked.booking.shown)")
        try expect(booked.booking.booking?.slotId == slot.id, "at the time chosen: \(String(describing: booked.booking.booking))")
        let made = try await resident.core.bookings().count
        try expect(made == 1, "two taps of Book make one booking: \(made)")
    }
}

func slotsShownOfflineAreMarkedStale() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let online = await BookScreen(resident: resident)
        await online.load("library_computer")
        guard let live = try await showing(online, "loaded online", \.form).slots else { throw TestFailure(description: "no times online") }
        try expect(!live.stale, "live online")
        council.stop()
        let screen = await BookScreen(resident: resident)
        await screen.load("library_computer")
        let form = try await showing(screen, "loaded offline", \.form)
        try expect(form.stale && form.slots?.fetchedAt == live.fetchedAt, "the times seen online, marked stale: \(String(describing: form.slots))")
        guard let slot = form.slots?.list.slots.first(where: { $0.remaining > 0 }) else { throw TestFailure(description: "no free time") }
        await screen.choose(slot.id)
        await screen.check()
        await screen.book()
        let saved = try await showing(screen, "booked offline", \.booked)
        try expect(saved.reference == nil && saved.booking.shown.delivery == "Waiting to send", "saved, to send later: \(saved.booking.shown)")
        try await eventually { resident.status.waiting == 1 }
        let booking = await BookingScreen(resident: resident)
        await booking.load(saved.booking.localId)
        let waiting = try await showing(booking, "a booking not sent yet")
        try expect(!waiting.mayCancel && waiting.feeDue == nil, "nothing to cancel at the council yet: \(waiting)")
    }
}

func aTakenTimeOffersTheCouncilsAlternatives() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await BookScreen(resident: resident)
        await screen.load("library_computer")
        guard let slot = try await showing(screen, "loaded", \.form).slots?.list.slots.first(where: { $0.remaining > 0 }) else {
            throw TestFailure(description: "no free time")
        }
        await screen.choose(slot.id)
        await screen.ifTaken(.none)
        await screen.check()
        let others = try await phone(council.url)
        _ = try await others.services().done("their catalogue")
        for _ in 0..<slot.remaining {
            _ = try await others.book(service: "library_computer", slotId: slot.id, fallback: .none).done("another's booking")
        }
        _ = try await others.syncNow().done("their sync")
        try expect(try await others.core.bookings().allSatisfy { $0.delivery == .sent }, "every place at that time is taken")
        others.close()
        await screen.book()
        let taken = try await showing(screen, "booked a time that was taken", \.taken)
        try expect(!taken.problem.isEmpty && taken.booking.shown.delivery == "Needs your attention", "the council's words: \(taken)")
        try expect(!taken.alternatives.isEmpty && !taken.alternatives.contains { $0.id == slot.id }, "other times offered: \(taken.alternatives)")
        await screen.pick("no such time")
        try expect(try await showing(screen, "picked a time not offered", \.taken).picked == nil, "only an offered time is picked")
        let instead = taken.alternatives[0]
        await screen.pick(instead.id)
        async let first: Void = screen.bookPicked()
        async let second: Void = screen.bookPicked()
        _ = await (first, second)
        let booked = try await showing(screen, "booked another time", \.booked)
        try expect(booked.reference != nil && booked.booking.booking?.slotId == instead.id,
                   "at the time picked instead: \(String(describing: booked.booking.booking))")
        try expect(try await resident.core.bookings().count == 1, "one booking for the resident")
        let next = await BookScreen(resident: resident)
        await next.load("library_computer")
        await next.choose(slot.id)
        await next.ifTaken(.nextAvailable)
        await next.check()
        await next.book()
        let moved = try await showing(next, "booked with the next time available", \.booked)
        try expect(moved.reference != nil && moved.booking.booking?.slotId != slot.id,
                   "the council booked another time: \(String(describing: moved.booking.booking))")
    }
}

func aBulkyWasteFeeIsPaidAndTheReceiptShown() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        let screen = await BookScreen(resident: resident)
        await screen.load("bulky_waste")
        try expect(try await showing(screen, "loaded", \.form).fee == nil, "no fee until the items are known")
        await screen.answer("items", .picked(keys: ["sofa", "mattress"]))
        await screen.answer("where_left", .typed(text: "front"))
        let form = try await showing(screen, "answered", \.form)
        try expect(form.fee == 2600, "two items cost the first band's fee: \(String(describing: form.fee))")
        await screen.place(durham)
        guard let slot = form.slots?.list.slots.first(where: { $0.remaining > 0 }) else { throw TestFailure(description: "no free collection day") }
        await screen.choose(slot.id)
        await screen.check()
        let checked = try await showing(screen, "checked", \.check)
        let rows = Dictionary(uniqueKeysWithValues: checked.rows.map { ($0.code, $0.answer) })
        try expect(rows["items"] == "Sofa or settee, Mattress" && rows[BookScreen.locationField] == "54.7761, -1.5733", "what and where: \(rows)")
        await screen.book()
        let booked = try await showing(screen, "booked", \.booked)
        try expect(booked.feeDue == 2600 && booked.booking.shown.status == "Waiting for payment", "the fee is due: \(booked.booking.shown)")
        let page = await BookingScreen(resident: resident)
        await page.load(booked.booking.localId)
        try expect(try await showing(page, "the booking").feeDue == 2600, "the booking offers to pay it too")
        async let first: Void = screen.payFee()
        async let second: Void = screen.payFee()
        _ = await (first, second)
        guard let paying = try await showing(screen, "paying the fee", \.booked).fee else { throw TestFailure(description: "no payment for the fee") }
        try expect(try await resident.core.payments().count == 1, "two taps pay once")
        guard case let .openPage(_, url) = await paying.state else { throw TestFailure(description: "no page to open: \(await paying.state)") }
        let back = try await payOnCardPage(url, card: "4242424242424242")
        let returned = await paying.returned(back)
        try expect(returned, "the return is the fee's")
        guard case let .paid(paid) = await paying.state else { throw TestFailure(description: "not paid: \(await paying.state)") }
        try expect(paid.shown.status == "Paid" && paid.amountPence == 2600, "the core's words and the fee: \(paid.shown)")
        try expect(paid.shown.reference == booked.reference && paid.payment?.receipt != nil, "against the booking's reference, with a receipt")
    }
}

func aBookingIsCancelledBeforeTheCutOff() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        _ = try await resident.services().done("catalogue")
        guard let slot = try await resident.slots(service: "library_computer").done("slots").list.slots.first(where: { $0.remaining > 0 }) else {
            throw TestFailure(description: "no free time")
        }
        let made = try await resident.book(service: "library_computer", slotId: slot.id, answers: headphones).done("book")
        _ = try await resident.syncNow().done("sync")
        let screen = await BookingScreen(resident: resident)
        await screen.load(made.localId)
        let shown = try await showing(screen, "loaded")
        let name = try await resident.service("library_computer").done("the service").name
        try expect(shown.booking.shown.title == name && shown.booking.shown.status == "Confirmed", "the core's words: \(shown.booking.shown)")
        try expect(shown.booking.shown.answers.contains { $0.code == "support" && $0.answer == "Headphones" },
                   "what was answered: \(shown.booking.shown.answers)")
        try expect(shown.mayCancel && shown.feeDue == nil, "before its cut-off, nothing to pay: \(shown)")
        await screen.cancel()
        let unconfirmed = try await showing(screen, "cancelled unconfirmed")
        let queued = try await resident.outbox().done("outbox")
        try expect(unconfirmed.booking.shown.status == "Confirmed" && queued.isEmpty, "nothing is cancelled unconfirmed")
        await screen.askToCancel()
        try expect(try await showing(screen, "asked").confirming, "Are you sure?")
        async let first: Void = screen.cancel()
        async let second: Void = screen.cancel()
        _ = await (first, second)
        let cancelled = try await showing(screen, "cancelled")
        try expect(cancelled.booking.shown.status == "Cancelled" && !cancelled.mayCancel, "cancelled, not offered again: \(cancelled.booking.shown)")
        let left = try await resident.outbox().done("outbox")
        try expect(cancelled.booking.delivery == .sent && left.isEmpty, "one cancellation, taken: \(cancelled.booking.delivery)")
    }
}

/// The journeys of this file, by name, for the runner.
let bookScreenJourneys: [(String, () async throws -> Void)] = [
    ("aComputerIsBookedThroughTheBookScreen", aComputerIsBookedThroughTheBookScreen),
    ("slotsShownOfflineAreMarkedStale", slotsShownOfflineAreMarkedStale),
    ("aTakenTimeOffersTheCouncilsAlternatives", aTakenTimeOffersTheCouncilsAlternatives),
    ("aBulkyWasteFeeIsPaidAndTheReceiptShown", aBulkyWasteFeeIsPaidAndTheReceiptShown),
    ("aBookingIsCancelledBeforeTheCutOff", aBookingIsCancelledBeforeTheCutOff),
]
