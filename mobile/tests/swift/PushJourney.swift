// Push through the iOS shell's layer (Push.swift), against the real library and a real council
// server on 127.0.0.1: the phone gives APNs's device token (as hexadecimal), the council moves
// a report on, and the push handed to the shared layer runs a round that pulls the change,
// which becomes the core's status notification.
import Foundation

func aPushFromTheCouncilWakesThePhoneWhichPullsTheChange() async throws {
    try await withCouncil { council in
        let resident = try await phone(council.url)
        defer { resident.close() }
        let empty = await resident.pushToken(Data())
        try expect(empty.failure?.field == "token", "an empty token is refused by its field: \(empty)")
        _ = try await resident.pushToken(Data((0..<32).map { UInt8($0) })).done("push token")
        let sent = try await sentPothole(resident, "A deep pothole by the bus stop")
        let posted = Posted()
        let events = await resident.hear()
        let posting = Task { await postNotifications(from: events, posted.post) }
        try await council.movesOn(sent, status: "in_progress", note: "A crew is on its way")
        _ = try await resident.pushed().done("pull")
        try await eventually { !posted.all.isEmpty }
        posting.cancel()
        try expect(posted.all.count == 1 && posted.all.first?.opens == sent.localId, "the pushed change is the report's: \(posted.all)")
    }
}

/// The journeys of this file, by name, for the runner.
let pushJourneys: [(String, () async throws -> Void)] = [
    ("aPushFromTheCouncilWakesThePhoneWhichPullsTheChange", aPushFromTheCouncilWakesThePhoneWhichPullsTheChange),
]
