// Push from the council: the device token APNs gives this app goes to the core, which gives it
// to the council in its next round; a push that arrives runs a round, which pulls the change
// feed, and what changed reaches the resident as the core's status notification. No UIKit or
// SwiftUI: the Linux tests run this layer; the app delegate calls it.
//
// Invariant: a push carries nothing the phone reads — it only says "pull now".
import Foundation

extension Resident {
    /// The device token APNs gave this app (`didRegisterForRemoteNotificationsWithDeviceToken`),
    /// on every start and whenever iOS gives a new one; the council takes it in hexadecimal.
    public func pushToken(_ deviceToken: Data) async -> Outcome<Void> {
        let hex = deviceToken.map { String(format: "%02x", $0) }.joined()
        return await attempt { try await core.registerPush(service: .apns, token: hex) }
    }

    /// A push came from the council: something changed; a round pulls what, in the time iOS
    /// gives a background push (about thirty seconds).
    public func pushed() async -> Outcome<SyncReport> { await syncNow() }
}
