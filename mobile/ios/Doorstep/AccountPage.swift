// The account's screen: draws AccountScreen's state — sign in by emailed code, signed in as …,
// sign out, the resident's data handed to the share sheet, and erasing behind a question. No
// rule lives here.
//
// Invariant: every action goes through the model, which acts once per tap and erases only once
// the resident confirmed; a refusal is drawn beside the field it names.
import SwiftUI

struct AccountPage: View {
    let screen: AccountScreen
    @State private var state = AccountState.loading
    @State private var email = ""
    @State private var code = ""
    @State private var shared: URL?

    var body: some View {
        Form {
            if case let .ready(account) = state {
                if account.erased { Text("Your data has been deleted from this phone and the council.") }
                if let problem = account.problem { Text(problem).foregroundStyle(.red) }
                Section("Sign in") { signIn(account) }
                Section("Your data") { data(account) }
            } else {
                Text("Finding your account…")
            }
        }
        .navigationTitle("Account")
        .task { run { await screen.load() } }
    }

    @ViewBuilder
    private func signIn(_ account: Account) -> some View {
        switch account.signIn {
        case let .email(_, error):
            Text("Sign in to see what you sent from other devices. You do not need to sign in to use the app.")
            TextField("Email address", text: $email)
                .textContentType(.emailAddress)
                .keyboardType(.emailAddress)
                .onChange(of: email) { screen.typeEmail($0) }
            if let error { Text(error).foregroundStyle(.red) }
            Button("Send me a code") { run { await screen.sendCode() } }.disabled(account.busy)
        case let .code(_, sent, _, error):
            TextField("Code", text: $code)
                .textContentType(.oneTimeCode)
                .keyboardType(.numberPad)
                .onChange(of: code) { screen.typeCode($0) }
            Text(error ?? "We sent a code to \(sent.sentTo). It works for \(sent.expiresInSeconds / 60) minutes.")
                .foregroundStyle(error == nil ? .secondary : .red)
            Button("Sign in") { run { await screen.verify() } }.disabled(account.busy)
            Button("Use a different email address") { run { screen.differentEmail() } }
        case let .signedIn(email):
            Text("You are signed in as \(email).")
            Button("Sign out") { run { await screen.signOut() } }.disabled(account.busy)
        }
    }

    @ViewBuilder
    private func data(_ account: Account) -> some View {
        Text("Download everything this phone and the council hold about you, as a file.")
        Button("Download your data") {
            run {
                await screen.export()
                if case let .ready(now) = screen.state, let file = now.exported { shared = saved(file) }
            }
        }
        .disabled(account.busy)
        if let shared { ShareLink("Share your data", item: shared) }
        Text("Deleting your data removes your reports, bookings, payments and drafts from this phone, and your account and device from the council. You need to be online. It cannot be undone.")
        if account.confirmingErase {
            Text("Are you sure you want to delete your data?").bold()
            Button("Yes, delete my data", role: .destructive) { run { await screen.erase() } }.disabled(account.busy)
            Button("No, keep it") { run { screen.keepData() } }
        } else {
            Button("Delete your data", role: .destructive) { run { screen.askErase() } }
        }
    }

    /// Do what was tapped, then draw the model's state.
    private func run(_ action: @escaping () async -> Void) {
        Task {
            await action()
            state = screen.state
        }
    }
}
