// Where each way into a page leads (Places in the Android shell's shared layer): a top task, a
// service opened, a line of "your requests", a status notification and the payment page's
// return, as the app's navigation follows them.
package uk.doorstep.tests

import uk.doorstep.shared.Opens
import uk.doorstep.shared.Place
import uk.doorstep.shared.RequestKind
import uk.doorstep.shared.StatusNotification
import uniffi.doorstep_core.HomeTask
import uk.doorstep.shared.placeOf
import uk.doorstep.shared.placeOfNotice
import uk.doorstep.shared.placeOfReturn
import uniffi.doorstep_protocol.ServiceKind

fun everyWayInLeadsToItsPage() {
    expect(HomeTask.entries.map { placeOf(it) } == listOf(Place.Services(ServiceKind.REPORT), Place.Services(ServiceKind.BOOKING), Place.Services(ServiceKind.PAYMENT), Place.Bins)) {
        "the top tasks: ${HomeTask.entries.map { placeOf(it) }}"
    }
    expect(placeOf(Opens.Book("bulky_waste")) == Place.Book("bulky_waste") && placeOf(Opens.Pay("council_tax")) == Place.Pay("council_tax")) { "a service's journey" }
    expect(placeOf(Opens.Pay(null)) == Place.Services(ServiceKind.PAYMENT)) { "a payment for nothing named: what the council takes payments for" }
    expect(placeOf(Opens.Website("https://www.durham.gov.uk/")) == null && placeOf(Opens.Information) == null) { "nothing in the app for the council's website" }
    expect(placeOf(RequestKind.BOOKING, "b1") == Place.Booking("b1") && placeOf(RequestKind.PAYMENT, "p1") == Place.Payment("p1")) { "a request's line" }
    val notice = StatusNotification("Report a pothole DUR-2026-000123", "Now: Fixed", "r1", RequestKind.REPORT)
    expect(placeOf(notice) == Place.Request("r1") && placeOf(notice.copy(kind = null)) == Place.Requests) { "a notification opens its request" }
    expect(placeOfNotice("b2", RequestKind.BOOKING.name) == Place.Booking("b2") && placeOfNotice("x", "parcel") == Place.Requests) { "a notification tapped" }
    expect(placeOfReturn("$RETURN_URL?payment=p-7") == Place.Payment("p-7")) { "the payment page's return opens that payment" }
    expect(placeOfReturn("https://council.example/?payment=p-7") == null) { "another address is not the return" }
    expect(Place.TABS.first() == Place.HOME) { "the first tab is home" }
}

/** The journeys of this file, by name, for the runner. */
val placesJourneys = listOf("everyWayInLeadsToItsPage" to ::everyWayInLeadsToItsPage)
