// The app's screens: the tabs (home, your requests, bin day, waiting to send, account), each a
// navigation stack of the places the resident went, and the page for each place. Which page a
// way in leads to is the shared layer's (Place); each page draws its own screen model. Only
// navigation and platform calls (the payment's web sheet) live here.
//
// Invariant: a page's model is made once, when the page is first shown, and lives as long as
// the page; a notification tapped opens its request in the tab of your requests.
import AuthenticationServices
import SwiftUI

struct HomeView: View {
    @ObservedObject var model: AppModel

    var body: some View {
        if let resident = model.resident {
            TabView(selection: $model.tab) {
                ForEach(Place.tabs, id: \.self) { tab in
                    NavigationStack(path: $model.paths[tab, default: []]) {
                        page(tab, resident)
                            .navigationDestination(for: Place.self) { page($0, resident) }
                    }
                    .tabItem { Label(tabName(tab), systemImage: tabIcon(tab)) }
                    .badge(tab == .outbox ? Int(resident.status.waiting + resident.status.needsAttention) : 0)
                    .tag(tab)
                }
            }
        } else {
            Text(model.problem ?? "Opening…")
        }
    }

    @ViewBuilder
    private func page(_ place: Place, _ resident: Resident) -> some View {
        switch place {
        case let .services(kind):
            Kept(ServicesScreen(resident: resident)) { screen in
                ServicesPage(screen: screen, kind: kind, onTask: { model.go(Place($0)) }, onOpen: { opens in Place(opens).map(model.go) })
            }
        case let .report(code):
            Kept(ReportScreen(resident: resident)) { ReportPage(screen: $0, serviceCode: code) { model.go(.request(localId: $0)) } }
        case let .book(code):
            Kept(BookScreen(resident: resident)) { BookPage(screen: $0, serviceCode: code) }
        case let .pay(purpose):
            Kept(PayScreen(resident: resident)) { PayPage(screen: $0, purpose: purpose) }
        case let .request(localId):
            Kept(RequestScreen(resident: resident)) { RequestPage(screen: $0, localId: localId) }
        case let .booking(localId):
            Kept(BookingScreen(resident: resident)) { BookingPage(screen: $0, localId: localId) }
        case let .payment(localId):
            PaymentFound(resident: resident, localId: localId)
        case .requests:
            Kept(RequestsScreen(resident: resident)) { RequestsPage(screen: $0) { model.go(Place($0.kind, localId: $0.localId)) } }
        case .bins:
            Kept(BinsScreen(resident: resident)) { BinsPage(screen: $0) }
        case .outbox:
            Kept(OutboxScreen(resident: resident)) { OutboxPage(screen: $0) }
        case .account:
            Kept(AccountScreen(resident: resident)) { AccountPage(screen: $0) }
        }
    }

    private func tabName(_ tab: Place) -> String {
        switch tab {
        case .requests: return "Your requests"
        case .bins: return "Bin day"
        case .outbox: return "Waiting to send"
        case .account: return "Account"
        default: return "Home"
        }
    }

    private func tabIcon(_ tab: Place) -> String {
        switch tab {
        case .requests: return "list.bullet"
        case .bins: return "trash"
        case .outbox: return "tray.and.arrow.up"
        case .account: return "person.crop.circle"
        default: return "house"
        }
    }
}

/// A page's model, made once for as long as the page is shown.
struct Kept<Model: AnyObject, Page: View>: View {
    @State private var model: Model
    private let page: (Model) -> Page

    init(_ make: @autoclosure () -> Model, @ViewBuilder page: @escaping (Model) -> Page) {
        _model = State(wrappedValue: make())
        self.page = page
    }

    var body: some View { page(model) }
}

/// One payment: read from the core, then drawn by its model.
struct PaymentFound: View {
    let resident: Resident
    let localId: String
    @State private var found: Outcome<MyPayment>?

    var body: some View {
        Group {
            switch found {
            case .none: Text("Finding the payment…")
            case let .some(.failed(failure)): Text(failure.reason)
            case let .some(.done(payment)): Kept(PaymentScreen(resident: resident, started: payment)) { PaymentPage(screen: $0) }
            }
        }
        .task { found = await resident.payment(localId: localId) }
    }
}

/// Opens the provider's page for a payment; the page sends the resident back to the app.
final class PaymentSheet: NSObject, ASWebAuthenticationPresentationContextProviding {
    func open(_ page: String, then returned: @escaping (URL) -> Void) {
        guard let url = URL(string: page) else { return }
        let session = ASWebAuthenticationSession(url: url, callbackURLScheme: Resident.paymentReturnScheme) { back, _ in
            if let back { returned(back) }
        }
        session.presentationContextProvider = self
        session.start()
    }

    func presentationAnchor(for session: ASWebAuthenticationSession) -> ASPresentationAnchor {
        ASPresentationAnchor()
    }
}
