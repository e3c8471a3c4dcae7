// The iOS app: opens the core once, tells it about connectivity (NWPathMonitor), syncs in the
// background (BGTaskScheduler, and when the council's push wakes it), gives it APNs's device
// token, posts the council's status changes as notifications and opens the request of one
// tapped, and lets go of its event subscriptions before suspension.
//
// Invariant: the shell reports what iOS knows — network, lifecycle, background time — and the
// core decides what to send and when.
import BackgroundTasks
import Network
import SwiftUI
import UserNotifications

@main
struct DoorstepApp: App {
    @Environment(\.scenePhase) private var phase
    @UIApplicationDelegateAdaptor(PushDelegate.self) private var push
    @StateObject private var model = AppModel()

    init() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: AppModel.syncTask, using: nil) { task in
            AppModel.shared?.backgroundSync(task as! BGAppRefreshTask)
        }
    }

    var body: some Scene {
        WindowGroup {
            HomeView(model: model)
                .task { await model.open() }
        }
        .onChange(of: phase) { _, phase in
            if phase == .background {
                model.suspend()
            } else if phase == .active {
                Task { await model.resume() }
            }
        }
    }
}

/// APNs's side: the device token, and the council's background pushes ("something changed").
final class PushDelegate: NSObject, UIApplicationDelegate {
    func application(
        _ application: UIApplication, didFinishLaunchingWithOptions options: [UIApplication.LaunchOptionsKey: Any]? = nil
    ) -> Bool {
        application.registerForRemoteNotifications()
        return true
    }

    func application(_ application: UIApplication, didRegisterForRemoteNotificationsWithDeviceToken deviceToken: Data) {
        Task { @MainActor in await AppModel.shared?.pushTokenGiven(deviceToken) }
    }

    /// A background push: the round runs in the time iOS gives it, and its end is reported.
    func application(
        _ application: UIApplication, didReceiveRemoteNotification userInfo: [AnyHashable: Any]
    ) async -> UIBackgroundFetchResult {
        guard let resident = await AppModel.shared?.resident else { return .noData }
        return await resident.pushed().failure == nil ? .newData : .failed
    }
}

@MainActor
final class AppModel: NSObject, ObservableObject, UNUserNotificationCenterDelegate {
    static let syncTask = "uk.doorstep.sync"
    static var shared: AppModel?

    @Published var resident: Resident?
    @Published var problem: String?
    /// The tab shown, and where the resident went in each.
    @Published var tab = Place.home
    @Published var paths: [Place: [Place]] = [:]
    private let monitor = NWPathMonitor()
    private var notifying: Task<Void, Never>?
    /// APNs's device token, kept until the core is open to take it.
    private var deviceToken: Data?

    override init() {
        super.init()
        AppModel.shared = self
        UNUserNotificationCenter.current().delegate = self
    }

    /// On to `place`: a tab is shown from its start; any other page goes on the tab's stack.
    func go(_ place: Place) {
        if Place.tabs.contains(place) {
            tab = place
            paths[place] = []
        } else {
            paths[tab, default: []].append(place)
        }
    }

    /// A notification tapped: its request, in the tab of your requests.
    nonisolated func userNotificationCenter(
        _ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse
    ) async {
        let info = response.notification.request.content.userInfo
        guard let localId = info[StatusNotifications.opensRequest] as? String else { return }
        let place = Place(noticeOpening: localId, kind: info[StatusNotifications.opensKind] as? String)
        await MainActor.run {
            tab = .requests
            paths[.requests] = place == .requests ? [] : [place]
        }
    }

    func open() async {
        let folder = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        switch await Resident.open(
            folder: folder.path, councilUrl: "https://council.example/", secrets: KeychainSecrets(),
            deviceName: UIDevice.current.name)
        {
        case let .done(resident):
            self.resident = resident
            if let deviceToken { _ = await resident.pushToken(deviceToken) }
            notifying = Task {
                guard await StatusNotifications.ask() else { return }
                await postNotifications(from: await resident.hear()) { StatusNotifications.post($0) }
            }
            monitor.pathUpdateHandler = { path in
                Task { await resident.connectivity(online: path.status == .satisfied) }
            }
            monitor.start(queue: .global(qos: .utility))
        case let .failed(failure):
            problem = failure.reason
        }
    }

    /// Before suspension: stop listening and ask for background time to sync later.
    func suspend() {
        notifying?.cancel()
        resident?.close()
        let request = BGAppRefreshTaskRequest(identifier: AppModel.syncTask)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    func resume() async {
        guard resident != nil else { return }
        resident = nil
        await open()
    }

    nonisolated func backgroundSync(_ task: BGAppRefreshTask) {
        let work = Task { @MainActor in
            let done = await resident?.syncNow()
            task.setTaskCompleted(success: done?.failure == nil)
        }
        task.expirationHandler = { work.cancel() }
    }

    /// APNs gave this app its device token (on every launch).
    func pushTokenGiven(_ token: Data) async {
        deviceToken = token
        _ = await resident?.pushToken(token)
    }

    /// Back from the payment page: the core reads which payment from the address.
    func returned(from url: URL) async {
        _ = await resident?.paymentReturned(openedWith: url.absoluteString)
    }
}
