// Status changes as iOS notifications: each StatusNotification the shared layer makes from the
// core's events is posted with its title and body, and carries the request it opens. Only
// platform calls live here.
//
// Invariant: the words posted are the core's, unchanged; one notification per request (a
// newer status replaces the older), posted only when the resident allows notifications.
import UserNotifications

enum StatusNotifications {
    /// The user-info key naming the request a notification opens (its local id).
    static let opensRequest = "opensRequest"
    /// The user-info key naming that request's kind (a RequestKind's raw value).
    static let opensKind = "opensKind"

    /// Ask once whether notifications may be shown.
    static func ask() async -> Bool {
        (try? await UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound])) ?? false
    }

    static func post(_ notice: StatusNotification) {
        let content = UNMutableNotificationContent()
        content.title = notice.title
        content.body = notice.body
        content.userInfo = [opensRequest: notice.opens, opensKind: notice.kind?.rawValue ?? ""]
        UNUserNotificationCenter.current().add(UNNotificationRequest(identifier: notice.opens, content: content, trigger: nil))
    }
}
