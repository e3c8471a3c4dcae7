// Where each way into a page leads (Place in the iOS shell's shared layer): a top task, a
// service opened, a line of "your requests", a status notification and the payment page's
// return, as the app's navigation follows them.
import Foundation

func everyWayInLeadsToItsPage() async throws {
    let tasks = [HomeTask.report, .book, .pay, .bins].map { Place($0) }
    try expect(tasks == [.services(kind: .report), .services(kind: .booking), .services(kind: .payment), .bins], "the top tasks: \(tasks)")
    try expect(Place(Opens.book(serviceCode: "bulky_waste")) == .book(serviceCode: "bulky_waste")
        && Place(Opens.pay(purpose: "council_tax")) == .pay(purpose: "council_tax"), "a service's journey")
    try expect(Place(Opens.pay(purpose: nil)) == .services(kind: .payment), "a payment for nothing named: what the council takes payments for")
    try expect(Place(Opens.website(url: "https://www.durham.gov.uk/")) == nil && Place(Opens.information) == nil,
               "nothing in the app for the council's website")
    try expect(Place(.booking, localId: "b1") == .booking(localId: "b1") && Place(.payment, localId: "p1") == .payment(localId: "p1"),
               "a request's line")
    let notice = StatusNotification(title: "Report a pothole DUR-2026-000123", body: "Now: Fixed", opens: "r1", kind: .report)
    let unknown = StatusNotification(title: notice.title, body: notice.body, opens: "r1", kind: nil)
    try expect(Place(notice) == .request(localId: "r1") && Place(unknown) == .requests, "a notification opens its request")
    try expect(Place(noticeOpening: "b2", kind: RequestKind.booking.rawValue) == .booking(localId: "b2")
        && Place(noticeOpening: "x", kind: "parcel") == .requests, "a notification tapped")
    try expect(Place(returnedTo: "\(returnUrl)?payment=p-7") == .payment(localId: "p-7"), "the payment page's return opens that payment")
    try expect(Place(returnedTo: "https://council.example/?payment=p-7") == nil, "another address is not the return")
    try expect(Place.tabs.first == Place.home, "the first tab is home")
}

/// The journeys of this file, by name, for the runner.
let placesJourneys: [(String, () async throws -> Void)] = [("everyWayInLeadsToItsPage", everyWayInLeadsToItsPage)]
