// The calls the bin day, waiting to send and account screens make to the core, beside those
// in Resident. No UIKit or SwiftUI: the Linux tests run this layer.
//
// Invariant: each call is one call to the core, its failure an `Outcome.failed`; nothing here
// decides anything the core decides.
import Foundation

extension Resident {
    /// The addresses at a postcode (from an earlier visit when offline).
    public func addresses(postcode: String) async -> Outcome<Addresses> {
        await attempt { try await core.addresses(postcode: postcode) }
    }

    /// An address's bin days (from an earlier visit when offline, marked stale).
    public func collections(uprn: String) async -> Outcome<BinCalendar> {
        await attempt { try await core.collections(uprn: uprn) }
    }

    /// The bin days as an iCalendar file's text.
    public func collectionsFile(uprn: String) async -> Outcome<String> {
        await attempt { try await core.collectionsIcs(uprn: uprn) }
    }

    /// Remember the address chosen for bin day.
    public func rememberBinAddress(uprn: String) async -> Outcome<Void> {
        await attempt { try await core.rememberBinAddress(uprn: uprn) }
    }

    /// The address remembered for bin day, if one was chosen on this phone.
    public func binAddress() async -> Outcome<String?> { await attempt { try await core.binAddress() } }

    public func retry(key: String) async -> Outcome<Void> { await attempt { try await core.retry(key: key) } }

    public func discard(key: String) async -> Outcome<Void> { await attempt { try await core.discard(key: key) } }

    /// Fix what the council refused (another slot, changed answers) and send it again; the new key.
    public func fix(key: String, slotId: String?, answers: [String: GivenAnswer]) async -> Outcome<String> {
        await attempt {
            try await core.fix(
                key: key, slotId: slotId,
                answers: answers.sorted { $0.key < $1.key }.map { AnswerGiven(question: $0.key, answer: $0.value) })
        }
    }

    /// Ask for a sign-in code by email.
    public func signIn(email: String) async -> Outcome<CodeSent> { await attempt { try await core.signIn(email: email) } }

    /// Enter the emailed code; the account's email.
    public func verify(email: String, code: String) async -> Outcome<String> {
        await attempt { try await core.verify(email: email, code: code) }
    }

    public func signOut() async -> Outcome<Void> { await attempt { try await core.signOut() } }

    public func signedInAs() async -> Outcome<String?> { await attempt { try await core.signedInAs() } }

    /// Everything the phone holds about the resident, as JSON text.
    public func exportData() async -> Outcome<String> { await attempt { try await core.export() } }

    /// Erase the resident here and at the council.
    public func erase() async -> Outcome<Void> { await attempt { try await core.erase() } }
}

/// The reminders to schedule for a calendar, at `now` on a clock `utcOffsetSeconds` ahead of UTC.
public func remindersFor(_ calendar: BinCalendar, now: Date, utcOffsetSeconds: Int32) async -> Outcome<[BinReminder]> {
    await attempt { binReminders(calendar: calendar, now: now, utcOffsetSeconds: utcOffsetSeconds) }
}
