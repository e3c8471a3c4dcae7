// What the phone posts when the council moves something the resident sent on: the core's
// StatusChanged event as a notification, and the request it opens. No UIKit, SwiftUI or
// UserNotifications: the Linux tests drive this model; the app hands each one to the platform.
//
// Invariant: a notification's title and body are the core's, unchanged; only a status change
// becomes one, every other event none.
import Foundation

/// A notification to post; tapping it opens the request `opens` of `kind` (nil when the core
/// names a kind this app does not know).
public struct StatusNotification: Equatable {
    public let title: String
    public let body: String
    public let opens: String
    public let kind: RequestKind?
}

/// The notification an event makes, if any.
public func statusNotification(_ event: Event) -> StatusNotification? {
    guard case let .statusChanged(localId, kind, title, body) = event else { return nil }
    return StatusNotification(title: title, body: body, opens: localId, kind: RequestKind(named: kind))
}

/// Post a notification for each status change heard, until the events stop or the caller is
/// cancelled.
public func postNotifications(from events: AsyncStream<Event>, _ post: (StatusNotification) -> Void) async {
    for await event in events {
        if let notification = statusNotification(event) { post(notification) }
    }
}
