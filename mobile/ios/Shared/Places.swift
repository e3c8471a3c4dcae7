// Where the app is: every page a resident can be on, and where each way in leads — a top task,
// a service opened, a line of "your requests", a status notification, the payment page's return.
// No UIKit or SwiftUI: the Linux tests check the ways in.
//
// Invariant: each way in leads to one page, the same on both phones; paying for something the
// council does not name leads to the list of what it takes payments for; a service the council
// handles on its own website, or only describes, leads to no page here (the shell opens the
// browser or stays); an address that is not the payment page's return leads nowhere.
import Foundation

public enum Place: Hashable {
    /// The services, of one kind or all of them; all of them is the home page.
    case services(kind: ServiceKind?)
    case report(serviceCode: String)
    case book(serviceCode: String)
    /// Pay for `purpose` (council tax, a parking penalty).
    case pay(purpose: String)
    /// One report the resident made.
    case request(localId: String)
    case booking(localId: String)
    case payment(localId: String)
    case requests
    case bins
    case outbox
    case account

    public static let home = Place.services(kind: nil)

    /// The app's tabs, in their order.
    public static let tabs: [Place] = [home, .requests, .bins, .outbox, .account]

    public init(_ task: TopTask) { self.init(task.task) }

    public init(_ task: HomeTask) {
        switch task {
        case .report: self = .services(kind: .report)
        case .book: self = .services(kind: .booking)
        case .pay: self = .services(kind: .payment)
        case .bins: self = .bins
        }
    }

    public init?(_ opens: Opens) {
        switch opens {
        case let .report(code): self = .report(serviceCode: code)
        case let .book(code): self = .book(serviceCode: code)
        case let .pay(purpose): self = purpose.map { .pay(purpose: $0) } ?? .services(kind: .payment)
        case .website, .information: return nil
        }
    }

    public init(_ kind: RequestKind, localId: String) {
        switch kind {
        case .report: self = .request(localId: localId)
        case .booking: self = .booking(localId: localId)
        case .payment: self = .payment(localId: localId)
        }
    }

    /// A notification opens its request; one of a kind this app does not know opens the list.
    public init(_ notice: StatusNotification) {
        self = notice.kind.map { Place($0, localId: notice.opens) } ?? .requests
    }

    /// A notification tapped, as the platform hands back what it was posted with: its
    /// request's local id and kind's name.
    public init(noticeOpening localId: String, kind: String?) {
        self = kind.flatMap { RequestKind(named: $0) }.map { Place($0, localId: localId) } ?? .requests
    }

    /// The app opened with `url`: the payment it returns from, when it is the payment page's
    /// return.
    public init?(returnedTo url: String) {
        guard let localId = returnedPayment(openedWith: url) else { return nil }
        self = .payment(localId: localId)
    }
}
