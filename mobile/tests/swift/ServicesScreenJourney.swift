// The "find a service" journey through the iOS shell's screen model (ServicesScreen), against
// the real library and a real council server on 127.0.0.1: the top tasks the council offers,
// its services under its groups' names, a search online and offline, a search with no match,
// what each kind of service opens, and nothing held offline.
import Foundation

/// What the services screen shows, when it is the `what` expected.
func showing<Shown>(_ screen: ServicesScreen, _ what: String, _ pick: (ServicesState) -> Shown?) async throws -> Shown {
    let state = await screen.state
    guard let shown = pick(state) else { throw TestFailure(description: "\(what): the screen shows \(state)") }
    return shown
}

extension ServicesState {
    var listed: (tasks: [TopTask], groups: [ServiceGroup], offline: Bool)? {
        if case let .listed(tasks, groups, _, offline) = self { return (tasks, groups, offline) } else { return nil }
    }
    var found: (search: String, services: [ServiceSummary], offline: Bool)? {
        if case let .found(search, services, offline) = self { return (search, services, offline) } else { return nil }
    }
    var chosen: (service: Service, opens: Opens)? {
        if case let .chosen(service, opens) = self { return (service, opens) } else { return nil }
    }
    var failed: (message: String, canRetry: Bool, search: String)? {
        if case let .failed(message, canRetry, search) = self { return (message, canRetry, search) } else { return nil }
    }
}

func theServicesScreenListsTopTasksAndTheCouncilsGroups() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ServicesScreen(resident: resident)
        await screen.load()
        let listed = try await showing(screen, "loaded", \.listed)
        try expect(listed.tasks.map(\.task) == [.report, .book, .pay, .bins] && listed.tasks.first?.text == "Report a problem" && !listed.offline, "a Doorstep council offers every top task: \(listed.tasks)")
        let names = listed.groups.map(\.name)
        try expect(Array(names.prefix(3)) == ["Bins and recycling", "Roads and pavements", "Street lighting"], "the council's names, in its order: \(names)")
        try expect(names.contains("Fly-tipping and litter") && names.contains("Council Tax"), "as the council writes them: \(names)")
        let codes = listed.groups.flatMap { $0.services.map(\.code) }
        try expect(codes == (try await resident.core.services(search: nil)).map(\.code), "each service once, in the catalogue's order: \(codes)")
        try expect(listed.groups.allSatisfy { group in group.services.allSatisfy { $0.group == group.code } }, "each under its own group")
        await screen.load(kind: .booking)
        let booking = try await showing(screen, "the booking services", \.listed)
        let booked = booking.groups.flatMap { $0.services.map(\.code) }
        try expect(booked.contains("bulky_waste") && booked.contains("library_computer") && !booked.contains("pothole"), "only what is booked: \(booked)")
        try expect(booking.groups.flatMap(\.services).allSatisfy { $0.kind == .booking } && booking.groups.allSatisfy { !$0.services.isEmpty },
                   "no other kind, no empty group: \(booking.groups)")
    }
}

func aServiceIsFoundBySearchOnline() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ServicesScreen(resident: resident)
        await screen.search("pothole")
        let found = try await showing(screen, "searched online", \.found)
        try expect(found.services.first?.code == "pothole" && !found.offline && !found.services.isEmpty, "the best match first, online: \(found)")
        try expect(found.search == "pothole", "what was typed is kept: \(found.search)")
        await screen.open("pothole")
        let pothole = try await showing(screen, "the pothole service", \.chosen)
        try expect(pothole.opens == .report(serviceCode: "pothole") && pothole.service.name == found.services.first?.name, "a report: \(pothole)")
        await screen.open("bulky_waste")
        try expect(try await showing(screen, "bulky waste", \.chosen).opens == .book(serviceCode: "bulky_waste"), "a booking")
        await screen.open("pay_parking_penalty")
        try expect(try await showing(screen, "a penalty", \.chosen).opens == .pay(purpose: "parking_penalty"), "a payment, for its purpose")
        await screen.open("roadworks")
        let roadworks = try await showing(screen, "roadworks", \.chosen)
        try expect(roadworks.opens == .website(url: roadworks.service.moreInfoUrl ?? ""), "the council's website: \(roadworks)")
    }
}

func aServiceIsFoundBySearchOfflineInWhatThePhoneHolds() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ServicesScreen(resident: resident)
        await screen.load()
        council.stop()
        await screen.search("bulky")
        let found = try await showing(screen, "searched offline", \.found)
        try expect(found.offline && found.services.first?.code == "bulky_waste", "what the phone holds, and it says so: \(found)")
        await screen.load()
        let listed = try await showing(screen, "listed offline", \.listed)
        try expect(listed.offline && !listed.groups.isEmpty, "the phone's copy, said so: \(listed)")
    }
}

func aSearchWithNoMatchSaysSo() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ServicesScreen(resident: resident)
        await screen.search("zebra crossing xylophone")
        let found = try await showing(screen, "searched", \.found)
        try expect(found.services.isEmpty && found.search == "zebra crossing xylophone" && !found.offline, "no match, what was typed kept: \(found)")
        await screen.search("   ")
        let all = try await showing(screen, "a blank search", \.found)
        try expect(all.services.map(\.code) == (try await resident.core.services(search: nil)).map(\.code), "a blank search lists every service")
    }
}

func theServicesScreenSaysWhenNothingIsHeldOffline() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let screen = await ServicesScreen(resident: resident)
        council.stop()
        await screen.load()
        let nothing = try await showing(screen, "loaded offline with nothing held", \.failed)
        try expect(nothing.canRetry && !nothing.message.isEmpty, "offline, try again: \(nothing)")
        await screen.search("pothole")
        let searched = try await showing(screen, "searched offline with nothing held", \.failed)
        try expect(searched.canRetry && searched.search == "pothole", "try again, what was typed kept: \(searched)")
        try council.start()
        await screen.search(searched.search)
        try expect(try await showing(screen, "searched again online", \.found).services.first?.code == "pothole", "found once online")
        await screen.open("no_such_service")
        let unknown = try await showing(screen, "an unknown service", \.failed)
        try expect(!unknown.canRetry && unknown.message.contains("no_such_service"), "the core's words, no retry: \(unknown)")
    }
}

/// The journeys of this file, by name, for the runner.
let servicesScreenJourneys: [(String, () async throws -> Void)] = [
    ("theServicesScreenListsTopTasksAndTheCouncilsGroups", theServicesScreenListsTopTasksAndTheCouncilsGroups),
    ("aServiceIsFoundBySearchOnline", aServiceIsFoundBySearchOnline),
    ("aServiceIsFoundBySearchOfflineInWhatThePhoneHolds", aServiceIsFoundBySearchOfflineInWhatThePhoneHolds),
    ("aSearchWithNoMatchSaysSo", aSearchWithNoMatchSaysSo),
    ("theServicesScreenSaysWhenNothingIsHeldOffline", theServicesScreenSaysWhenNothingIsHeldOffline),
]
