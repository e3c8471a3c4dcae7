// The resident's side of the app: the one open core, what the screens show of the outbox and
// of syncing, and the calls the screens make. No UIKit or SwiftUI: the Linux tests run this layer.
//
// Invariant: one core per data folder, opened once; the status the screens read is only ever
// what the core's events said last (replayed on subscribing), never guessed here.
import Foundation

/// What the app bar shows: the outbox badge and how syncing stands.
public struct Status: Equatable {
    public var waiting: UInt64 = 0
    public var needsAttention: UInt64 = 0
    public var sync: SyncState = .idle
    public var lastError: String?
}

/// Hears the core's events on the core's threads and keeps the latest status.
final class StatusListener: EventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var current = Status()
    private var pages: [(String, String)] = []

    var status: Status { lock.withLock { current } }
    var paymentPages: [(String, String)] { lock.withLock { pages } }

    func onEvent(event: Event) {
        lock.withLock {
            switch event {
            case let .outbox(waiting, needsAttention):
                current.waiting = waiting
                current.needsAttention = needsAttention
            case let .sync(state, _, lastError):
                current.sync = state
                current.lastError = lastError
            case let .paymentNeedsAction(localId, nextUrl):
                pages.append((localId, nextUrl))
            case .itemChanged, .statusChanged:
                break
            }
        }
    }
}

public final class Resident {
    public let core: Doorstep
    private let listener = StatusListener()
    private var subscription: Subscription?

    public var status: Status { listener.status }
    /// Payment pages the resident should be sent to: (the payment's local id, the page).
    public var paymentPages: [(String, String)] { listener.paymentPages }

    /// The scheme of the core's return address for a payment (`phoneReturnUrl()`), which the
    /// web sheet waits for to bring the resident back.
    public static var paymentReturnScheme: String { String(phoneReturnUrl().prefix { $0 != ":" }) }

    private init(core: Doorstep) {
        self.core = core
    }

    /// Open the core in the app's folder and start listening to it.
    public static func open(
        folder: String, councilUrl: String, secrets: SecretStore, platform: String = "ios",
        deviceName: String, backgroundSync: Bool = true, backend: Backend = .doorstep
    ) async -> Outcome<Resident> {
        await attempt {
            let settings = Settings(
                dataDir: folder, councilUrl: councilUrl, platform: platform,
                deviceName: deviceName, backgroundSync: backgroundSync, backend: backend)
            let resident = Resident(core: try await Doorstep.open(settings: settings, secrets: secrets))
            resident.subscription = await resident.core.subscribe(listener: resident.listener)
            return resident
        }
    }

    /// The phone's connectivity changed (from NWPathMonitor).
    public func connectivity(online: Bool) async { await core.setOnline(online: online) }

    /// Sync now (BGTaskScheduler's task calls this).
    public func syncNow() async -> Outcome<SyncReport> { await attempt { try await core.syncNow() } }

    public func services(search: String? = nil) async -> Outcome<[ServiceSummary]> {
        await attempt {
            _ = try await core.refreshCatalogue()
            return try await core.services(search: search)
        }
    }

    /// Report a problem; answers as the form holds them (question code to what was typed or picked).
    public func report(
        service: String, description: String, at location: Location, answers: [String: GivenAnswer],
        photos: [Data] = [], contact: ContactDetails? = nil
    ) async -> Outcome<MyReport> {
        await report(ReportInput(
            serviceCode: service, description: description, location: location,
            answers: given(answers), photos: photos, contact: contact))
    }

    /// Report a problem as the core takes it.
    public func report(_ input: ReportInput) async -> Outcome<MyReport> {
        await attempt { try await core.submitReport(input: input) }
    }

    /// "Check your answers" for a report before it is sent: every row, in the core's words.
    public func checkReport(_ input: ReportInput) async -> Outcome<[CheckedAnswer]> {
        await attempt { try await core.checkReport(input: input) }
    }

    /// A service and the form its questions make.
    public func service(_ code: String) async -> Outcome<Service> {
        await attempt { try await core.service(code: code) }
    }

    /// "Check your answers": each question and the answer in words, as the core says them.
    public func checkAnswers(service: String, answers: [String: GivenAnswer]) async -> Outcome<[CheckedAnswer]> {
        await attempt { try await core.checkAnswers(serviceCode: service, answers: given(answers)) }
    }

    public func slots(service: String) async -> Outcome<SlotView> {
        await attempt { try await core.slots(serviceCode: service) }
    }

    public func book(
        service: String, slotId: String, answers: [String: GivenAnswer] = [:], at location: Location? = nil,
        fallback: Fallback = .nextAvailable
    ) async -> Outcome<MyBooking> {
        await attempt {
            try await core.book(input: BookingInput(
                serviceCode: service, slotId: slotId, answers: given(answers), location: location,
                fallback: fallback))
        }
    }

    /// "Check your answers" for a booking before it is made: every row, in the core's words.
    public func checkBooking(
        service: String, slotId: String, answers: [String: GivenAnswer], at location: Location?, fallback: Fallback
    ) async -> Outcome<[CheckedAnswer]> {
        await attempt {
            try await core.checkBooking(input: BookingInput(
                serviceCode: service, slotId: slotId, answers: given(answers), location: location,
                fallback: fallback))
        }
    }

    /// Pay a bill with the amount as the resident typed it; the receipt goes to `email`, if given.
    public func pay(
        purpose: String, reference: String, amount: String, returnUrl: String, email: String? = nil
    ) async -> Outcome<MyPayment> {
        await attempt {
            try await core.startPayment(input: PaymentInput(
                purpose: purpose, reference: reference, amount: amount, returnUrl: returnUrl, email: email))
        }
    }

    /// The resident came back from the payment page: ask the council how it stands.
    public func paymentReturned(localId: String) async -> Outcome<MyPayment> {
        await attempt { try await core.refreshPayment(localId: localId) }
    }

    /// The app was sent `url`: when it is the payment page's return, refresh that payment; nil
    /// for any other address.
    public func paymentReturned(openedWith url: String) async -> Outcome<MyPayment>? {
        guard let localId = returnedPayment(openedWith: url) else { return nil }
        return await paymentReturned(localId: localId)
    }

    public func report(localId: String) async -> Outcome<MyReport> {
        await attempt { try await core.report(localId: localId) }
    }

    public func booking(localId: String) async -> Outcome<MyBooking> {
        await attempt { try await core.booking(localId: localId) }
    }

    public func outbox() async -> Outcome<[OutboxEntry]> { await attempt { try await core.outbox() } }

    /// Stop hearing events (before the app is suspended); the core closes with its last reference.
    public func close() {
        subscription?.cancel()
        subscription = nil
    }
}

func given(_ answers: [String: GivenAnswer]) -> [AnswerGiven] {
    answers.sorted { $0.key < $1.key }.map { AnswerGiven(question: $0.key, answer: $0.value) }
}
