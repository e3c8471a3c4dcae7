// Bin day as its screen draws it: a postcode, the addresses there, then the address's
// collections (saved from an earlier visit when offline, and marked so), its calendar file and
// the reminders to schedule. No UIKit, SwiftUI or Combine: the Linux tests drive this model.
//
// Invariant: the addresses, the collections, whether they are stale, the calendar file's text,
// the reminders and every refusal are the core's, and so is the address remembered (shown
// straight away next time); what the resident typed is kept when a search fails.
import Foundation

public enum BinsState: Equatable {
    /// Finding the address remembered, or its collections.
    case loading
    /// The postcode to look up; `error` is the core's refusal, beside the postcode field.
    case postcode(postcode: String, error: String?, searching: Bool)
    /// The addresses at the postcode (`found.stale` when from an earlier visit); `error` is
    /// beside the choice.
    case choose(postcode: String, found: Addresses, error: String?)
    /// The collections of the address remembered could not be found; `canRetry` when online may
    /// find them.
    case failed(uprn: String, message: String, canRetry: Bool)
    /// The address's collections (`calendar.stale` when saved from an earlier visit); the
    /// reminders to schedule; the calendar file once asked for, or why it could not be made.
    case calendar(BinCalendar, reminders: [BinReminder], file: SharedFile?, fileProblem: String?)
}

@MainActor
public final class BinsScreen {
    public private(set) var state = BinsState.loading
    private let resident: Resident
    private let now: () -> Date
    private let timeZone: TimeZone

    public init(resident: Resident, now: @escaping () -> Date = Date.init, timeZone: TimeZone = .current) {
        self.resident = resident
        self.now = now
        self.timeZone = timeZone
    }

    /// The address remembered and its collections, or the postcode to look up.
    public func load() async {
        state = .loading
        if case let .done(remembered?) = await resident.binAddress() {
            state = await shown(remembered)
        } else {
            state = .postcode(postcode: "", error: nil, searching: false)
        }
    }

    public func type(_ postcode: String) {
        guard case .postcode(_, let error, false) = state else { return }
        state = .postcode(postcode: postcode, error: error, searching: false)
    }

    /// Look the postcode up; a second "Find address" while the first is on its way does nothing.
    public func find() async {
        guard case .postcode(let postcode, _, false) = state else { return }
        state = .postcode(postcode: postcode, error: nil, searching: true)
        switch await resident.addresses(postcode: postcode) {
        case let .done(found):
            state = .choose(postcode: postcode, found: found, error: nil)
        case let .failed(failure):
            state = .postcode(postcode: postcode, error: failure.toFix, searching: false)
        }
    }

    /// Remember the address picked (nil when none was) and show its collections. The core
    /// refuses an address not picked; when only remembering failed, the collections are shown
    /// all the same.
    public func choose(_ uprn: String?) async {
        guard case let .choose(postcode, found, _) = state else { return }
        state = .loading
        if case let .failed(failure) = await resident.rememberBinAddress(uprn: uprn ?? ""), failure.advice == .fixInput {
            state = .choose(postcode: postcode, found: found, error: failure.toFix)
            return
        }
        state = await shown(uprn ?? "")
    }

    /// Read the collections again (after coming back online).
    public func refresh() async {
        switch state {
        case let .calendar(calendar, _, _, _): state = await shown(calendar.uprn)
        case let .failed(uprn, _, _): state = await shown(uprn)
        default: return
        }
    }

    /// Back to the postcode, to look up another address.
    public func change() {
        switch state {
        case .calendar, .failed, .choose: state = .postcode(postcode: "", error: nil, searching: false)
        default: return
        }
    }

    /// The calendar file, for the platform to share or save.
    public func calendarFile() async {
        guard case let .calendar(calendar, reminders, _, _) = state else { return }
        let uprn = calendar.uprn
        let next: BinsState
        switch await resident.collectionsFile(uprn: uprn) {
        case let .done(text):
            next = .calendar(calendar, reminders: reminders, file: SharedFile(name: calendarFileName(uprn: uprn), text: text), fileProblem: nil)
        case let .failed(failure):
            next = .calendar(calendar, reminders: reminders, file: nil, fileProblem: failure.reason)
        }
        guard case let .calendar(still, _, _, _) = state, still == calendar else { return }
        state = next
    }

    private func shown(_ uprn: String) async -> BinsState {
        switch await resident.collections(uprn: uprn) {
        case let .done(calendar):
            return .calendar(calendar, reminders: await due(in: calendar), file: nil, fileProblem: nil)
        case let .failed(failure):
            return .failed(uprn: uprn, message: failure.reason, canRetry: failure.advice == .tryWhenOnline)
        }
    }

    private func due(in calendar: BinCalendar) async -> [BinReminder] {
        let at = now()
        let offset = Int32(timeZone.secondsFromGMT(for: at))
        switch await remindersFor(calendar, now: at, utcOffsetSeconds: offset) {
        case let .done(due): return due
        case .failed: return []
        }
    }
}
