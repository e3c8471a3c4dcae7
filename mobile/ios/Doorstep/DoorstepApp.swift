// The iOS app: opens the core once, tells it about connectivity (NWPathMonitor), syncs in the
// background (BGTaskScheduler), and lets go of its event subscription before suspension.
//
// Invariant: the shell reports what iOS knows — network, lifecycle, background time — and the
// core decides what to send and when.
import BackgroundTasks
import Network
import SwiftUI

@main
struct DoorstepApp: App {
    @Environment(\.scenePhase) private var phase
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

@MainActor
final class AppModel: ObservableObject {
    static let syncTask = "uk.doorstep.sync"
    static var shared: AppModel?

    @Published var resident: Resident?
    @Published var problem: String?
    private let monitor = NWPathMonitor()

    init() {
        AppModel.shared = self
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

    /// Back from the payment page: the core reads which payment from the address.
    func returned(from url: URL) async {
        _ = await resident?.paymentReturned(openedWith: url.absoluteString)
    }
}
