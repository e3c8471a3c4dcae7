// Bin day through the iOS shell's screen model (BinsScreen), against the real library and a
// real council server on 127.0.0.1: a postcode and its refusal, the address chosen and
// remembered, the calendar offline marked stale, its file, and the reminders to schedule.
import Foundation

/// A house in the council's sample gazetteer, at DH1 4RB.
let sherburnRoad = "100110000001"

/// What a screen model shows, when it is the `what` expected.
func shown<State, Shown>(_ state: State, _ what: String, _ pick: (State) -> Shown?) throws -> Shown {
    guard let shown = pick(state) else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

extension BinsState {
    var typing: (postcode: String, error: String?, searching: Bool)? {
        if case let .postcode(postcode, error, searching) = self { return (postcode, error, searching) } else { return nil }
    }
    var choosing: (found: Addresses, error: String?)? {
        if case let .choose(_, found, error) = self { return (found, error) } else { return nil }
    }
    var showingCalendar: (calendar: BinCalendar, reminders: [BinReminder], file: SharedFile?)? {
        if case let .calendar(calendar, reminders, file, _) = self { return (calendar, reminders, file) } else { return nil }
    }
}

/// A date of the bin calendar, `YYYY-MM-DD`, at `hour` o'clock on a clock `offset` hours ahead of UTC.
func moment(_ day: String, hour: Int, offset: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: offset * 3600)!
    let parts = day.split(separator: "-").compactMap { Int($0) }
    return calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: hour))!
}

/// The day before a `YYYY-MM-DD` date, as the same text.
func dayBefore(_ day: String) -> String {
    let before = moment(day, hour: 12).addingTimeInterval(-86_400)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0)!
    let parts = calendar.dateComponents([.year, .month, .day], from: before)
    return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
}

func binDayIsFoundByPostcodeAndRemembered() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await BinsScreen(resident: resident)
        await screen.load()
        _ = try shown(await screen.state, "nothing remembered yet", \.typing)
        await screen.type("not a postcode")
        await screen.find()
        let refused = try shown(await screen.state, "a bad postcode", \.typing)
        guard let core = await resident.addresses(postcode: "not a postcode").failure else {
            throw TestFailure(description: "the core took a bad postcode")
        }
        try expect(core.field == "postcode" && refused.error == core.toFix, "the core's refusal, beside the postcode: \(refused), \(core)")
        try expect(refused.postcode == "not a postcode" && !refused.searching, "what was typed is kept: \(refused)")
        await screen.type("dh1 4rb")
        await screen.find()
        let choosing = try shown(await screen.state, "the addresses there", \.choosing)
        try expect(choosing.found.postcode == "DH1 4RB" && !choosing.found.stale, "the postcode as the council writes it, fresh: \(choosing.found)")
        guard let home = choosing.found.addresses.first(where: { $0.uprn == sherburnRoad }) else {
            throw TestFailure(description: "no Sherburn Road: \(choosing.found)")
        }
        await screen.choose(nil)
        try expect(try shown(await screen.state, "none picked", \.choosing).error == "Choose your address", "an address must be picked, in the core's words")
        await screen.choose(home.uprn)
        let calendar = try shown(await screen.state, "the collections", \.showingCalendar).calendar
        try expect(calendar.address == home.address && !calendar.stale, "the address's own calendar, fresh: \(calendar)")
        try expect(!calendar.collections.isEmpty && !calendar.advice.isEmpty, "its bin days and the council's advice: \(calendar)")
        try expect(try await resident.binAddress().done("remembered") == home.uprn, "the core remembers the address")
        await screen.calendarFile()
        guard let file = try shown(await screen.state, "with its file", \.showingCalendar).file else {
            throw TestFailure(description: "no calendar file")
        }
        try expect(file.name == "bin-collections-\(sherburnRoad).ics" && file.text.hasPrefix("BEGIN:VCALENDAR"), "an iCalendar file: \(file.name)")
        let events = file.text.components(separatedBy: "BEGIN:VEVENT").count - 1
        try expect(events == calendar.collections.count, "one event a collection: \(events)")
        let next = await BinsScreen(resident: resident)
        await next.load()
        let again = try shown(await next.state, "next time", \.showingCalendar).calendar
        try expect(again.uprn == home.uprn && again.collections == calendar.collections, "shown straight away: \(again)")
    }
}

func binDayOfflineIsMarkedStale() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await BinsScreen(resident: resident)
        await screen.load()
        await screen.type("DH1 4RB")
        await screen.find()
        await screen.choose(sherburnRoad)
        let fresh = try shown(await screen.state, "online", \.showingCalendar).calendar
        council.stop()
        let later = await BinsScreen(resident: resident)
        await later.load()
        let stale = try shown(await later.state, "offline", \.showingCalendar).calendar
        try expect(stale.stale && stale.collections == fresh.collections, "the saved calendar, marked stale: \(stale)")
        await later.change()
        await later.type("DH1 5UQ")
        await later.find()
        let unknown = try shown(await later.state, "a postcode never looked up, offline", \.typing)
        try expect(!(unknown.error ?? "").isEmpty && unknown.postcode == "DH1 5UQ", "says it needs the council, keeps the postcode: \(unknown)")
        await later.type("DH1 4RB")
        await later.find()
        let saved = try shown(await later.state, "a postcode looked up before, offline", \.choosing)
        try expect(saved.found.stale && saved.found.addresses.contains { $0.uprn == sherburnRoad }, "the addresses saved, marked stale: \(saved.found)")
        await later.choose(sherburnRoad)
        try expect(try shown(await later.state, "chosen offline", \.showingCalendar).calendar.stale, "still stale offline")
        try council.start()
        await later.refresh()
        try expect(!(try shown(await later.state, "online again", \.showingCalendar).calendar.stale), "fresh once the council answers")
    }
}

func remindersAreTheEveningBeforeEachCollection() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let calendar = try await resident.collections(uprn: sherburnRoad).done("the calendar")
        let first = calendar.collections[0].date
        _ = try await resident.rememberBinAddress(uprn: sherburnRoad).done("remember")
        let utc = TimeZone(secondsFromGMT: 0)!
        let atNoon = await BinsScreen(resident: resident, now: { moment(first, hour: 12) }, timeZone: utc)
        await atNoon.load()
        let (shownCalendar, reminders, _) = try shown(await atNoon.state, "the collections", \.showingCalendar)
        let ahead = shownCalendar.collections.filter { !$0.bins.isEmpty && $0.date > first }
        try expect(!ahead.isEmpty && reminders.map(\.collection) == ahead.map(\.date),
                   "one for each collection whose evening is to come: \(reminders.map(\.collection))")
        for (reminder, collection) in zip(reminders, ahead) {
            let day = String(format: "%04d-%02d-%02d", reminder.year, reminder.month, reminder.day)
            try expect(day == dayBefore(collection.date) && reminder.hour == 19 && reminder.minute == 0, "7pm the evening before: \(reminder)")
            try expect(reminder.title.hasPrefix("Bin day tomorrow") && reminder.body.hasPrefix("Put out your "), "in plain words: \(reminder)")
            try expect(collection.bins.allSatisfy { reminder.body.contains($0.name.prefix(1).lowercased() + $0.name.dropFirst()) },
                       "naming the bins: \(reminder)")
        }
        let eve = dayBefore(ahead[0].date)
        let summer = TimeZone(secondsFromGMT: 3600)!
        let later = await BinsScreen(resident: resident, now: { moment(eve, hour: 18).addingTimeInterval(1800) }, timeZone: summer)
        await later.load()
        let left = try shown(await later.state, "at 7.30pm local time", \.showingCalendar).reminders.map(\.collection)
        try expect(left == ahead.dropFirst().map(\.date), "the phone's own time decides what has passed: \(left)")
    }
}

/// The journeys of this file, by name, for the runner.
let binsScreenJourneys: [(String, () async throws -> Void)] = [
    ("binDayIsFoundByPostcodeAndRemembered", binDayIsFoundByPostcodeAndRemembered),
    ("binDayOfflineIsMarkedStale", binDayOfflineIsMarkedStale),
    ("remindersAreTheEveningBeforeEachCollection", remindersAreTheEveningBeforeEachCollection),
]
