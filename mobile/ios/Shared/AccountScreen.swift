// The resident's account as its screen draws it: sign in with a code sent by email, signed in
// as …, sign out; their data exported as a file, or erased after they confirm. No UIKit,
// SwiftUI or Combine: the Linux tests drive this model.
//
// Invariant: who is signed in, where the code went, every refusal, the exported text and the
// erasing are the core's; a refusal stands beside the field it names (the email or the code)
// and what was typed is kept; each tap acts at most once, and nothing is erased unless the
// resident confirmed it.
import Foundation

public enum SignIn: Equatable {
    /// The email to send a code to; `error` is beside the email field.
    case email(String, error: String?)
    /// The code sent to `sent.sentTo`; `error` is beside the code field.
    case code(email: String, sent: CodeSent, code: String, error: String?)
    case signedIn(String)
}

/// The account. `busy` while a call is on its way; `problem` a failure that names no field;
/// `exported` the resident's data once asked for; `confirmingErase` once they asked to erase;
/// `erased` once it is done.
public struct Account: Equatable {
    public var signIn: SignIn
    public var busy = false
    public var problem: String?
    public var exported: SharedFile?
    public var confirmingErase = false
    public var erased = false
}

public enum AccountState: Equatable {
    case loading
    case ready(Account)
}

@MainActor
public final class AccountScreen {
    /// The fields the core's refusals name.
    nonisolated public static let emailField = "email"
    nonisolated public static let codeField = "code"

    public private(set) var state = AccountState.loading
    private let resident: Resident
    private let now: () -> Date
    private let timeZone: TimeZone

    public init(resident: Resident, now: @escaping () -> Date = Date.init, timeZone: TimeZone = .current) {
        self.resident = resident
        self.now = now
        self.timeZone = timeZone
    }

    public func load() async {
        state = .loading
        switch await resident.signedInAs() {
        case let .done(email?): state = .ready(Account(signIn: .signedIn(email)))
        case .done(nil): state = .ready(Account(signIn: .email("", error: nil)))
        case let .failed(failure): state = .ready(Account(signIn: .email("", error: nil), problem: failure.reason))
        }
    }

    public func typeEmail(_ email: String) {
        edit { if case let .email(_, error) = $0.signIn { $0.signIn = .email(email, error: error) } }
    }

    public func typeCode(_ code: String) {
        edit { if case let .code(email, sent, _, error) = $0.signIn { $0.signIn = .code(email: email, sent: sent, code: code, error: error) } }
    }

    /// "Send me a code".
    public func sendCode() async {
        await act { resident, signIn in
            guard case let .email(email, _) = signIn else { return nil }
            return {
                switch await resident.signIn(email: email) {
                case let .done(sent):
                    return (.code(email: email.trimmingCharacters(in: .whitespacesAndNewlines), sent: sent, code: "", error: nil), nil)
                case let .failed(failure):
                    return beside(AccountScreen.emailField, failure, .email(email, error: failure.reason), .email(email, error: nil))
                }
            }
        }
    }

    /// "Use a different email address".
    public func differentEmail() {
        edit { if case let .code(email, _, _, _) = $0.signIn { $0.signIn = .email(email, error: nil) } }
    }

    /// "Sign in" with the code typed.
    public func verify() async {
        await act { resident, signIn in
            guard case let .code(email, sent, code, _) = signIn else { return nil }
            return {
                switch await resident.verify(email: email, code: code) {
                case let .done(account):
                    return (.signedIn(account), nil)
                case let .failed(failure):
                    return beside(
                        AccountScreen.codeField, failure, .code(email: email, sent: sent, code: code, error: failure.reason),
                        .code(email: email, sent: sent, code: code, error: nil))
                }
            }
        }
    }

    public func signOut() async {
        await act { resident, signIn in
            guard case .signedIn = signIn else { return nil }
            return {
                switch await resident.signOut() {
                case .done: return (.email("", error: nil), nil)
                case let .failed(failure): return (signIn, failure.reason)
                }
            }
        }
    }

    /// The resident's data as a file, for the platform to share or save.
    public func export() async {
        guard case var .ready(account) = state, !account.busy else { return }
        account.busy = true
        account.problem = nil
        account.exported = nil
        state = .ready(account)
        let data = await resident.exportData()
        edit {
            $0.busy = false
            switch data {
            case let .done(text): $0.exported = SharedFile(name: self.exportName(), text: text)
            case let .failed(failure): $0.problem = failure.reason
            }
        }
    }

    /// "Delete your data": asks first.
    public func askErase() { edit { $0.confirmingErase = true } }

    /// "No, keep it".
    public func keepData() { edit { $0.confirmingErase = false } }

    /// "Yes, delete my data": only once asked, and once per tap.
    public func erase() async {
        guard case var .ready(account) = state, account.confirmingErase, !account.busy else { return }
        account.busy = true
        account.problem = nil
        state = .ready(account)
        switch await resident.erase() {
        case .done:
            state = .ready(Account(signIn: .email("", error: nil), erased: true))
        case let .failed(failure):
            account.busy = false
            account.problem = failure.reason
            state = .ready(account)
        }
    }

    /// One call from the sign-in part shown: none while another is on its way. `call` gives
    /// nil when the part shown is not the one it is for.
    private func act(
        _ call: (Resident, SignIn) -> (() async -> (SignIn, String?))?
    ) async {
        guard case var .ready(account) = state, !account.busy, let run = call(resident, account.signIn) else { return }
        account.busy = true
        account.problem = nil
        state = .ready(account)
        let (next, problem) = await run()
        account.signIn = next
        account.busy = false
        account.problem = problem
        state = .ready(account)
    }

    private func edit(_ change: (inout Account) -> Void) {
        guard case var .ready(account) = state else { return }
        change(&account)
        state = .ready(account)
    }

    /// The core's name for the export, on the phone's own day.
    private func exportName() -> String {
        let at = now()
        return exportFileName(now: at, utcOffsetSeconds: Int32(timeZone.secondsFromGMT(for: at)))
    }
}

/// The refusal beside `field` when it names it; otherwise the part as it was, and the refusal
/// as the screen's problem.
private func beside(_ field: String, _ failure: Failure, _ named: SignIn, _ unnamed: SignIn) -> (SignIn, String?) {
    failure.field == field ? (named, nil) : (unnamed, failure.reason)
}
