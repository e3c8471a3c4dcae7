// Where the app is: every page a resident can be on, and where each way in leads — a top task,
// a service opened, a line of "your requests", a status notification, the payment page's return.
// No Android import: the JVM tests check the ways in.
//
// Invariant: each way in leads to one page, the same on both phones; paying for something the
// council does not name leads to the list of what it takes payments for; a service the council
// handles on its own website, or only describes, leads to no page here (the shell opens the
// browser or stays); an address that is not the payment page's return leads nowhere.
package uk.doorstep.shared

import uniffi.doorstep_core.HomeTask
import uniffi.doorstep_core.TopTask
import uniffi.doorstep_protocol.ServiceKind
import uniffi.doorstep_mobile.returnedPayment

sealed class Place {
    /** The services, of one kind or all of them; all of them is the home page. */
    data class Services(val kind: ServiceKind?) : Place()

    data class Report(val serviceCode: String) : Place()

    data class Book(val serviceCode: String) : Place()

    /** Pay for `purpose` (council tax, a parking penalty). */
    data class Pay(val purpose: String) : Place()

    /** One report the resident made. */
    data class Request(val localId: String) : Place()

    data class Booking(val localId: String) : Place()

    data class Payment(val localId: String) : Place()

    data object Requests : Place()

    data object Bins : Place()

    data object Outbox : Place()

    data object Account : Place()

    companion object {
        val HOME = Services(null)

        /** The app's tabs, in their order. */
        val TABS = listOf(HOME, Requests, Bins, Outbox, Account)
    }
}

fun placeOf(task: TopTask): Place = placeOf(task.task)

fun placeOf(task: HomeTask): Place = when (task) {
    HomeTask.REPORT -> Place.Services(ServiceKind.REPORT)
    HomeTask.BOOK -> Place.Services(ServiceKind.BOOKING)
    HomeTask.PAY -> Place.Services(ServiceKind.PAYMENT)
    HomeTask.BINS -> Place.Bins
}

fun placeOf(opens: Opens): Place? = when (opens) {
    is Opens.Report -> Place.Report(opens.serviceCode)
    is Opens.Book -> Place.Book(opens.serviceCode)
    is Opens.Pay -> opens.purpose?.let { Place.Pay(it) } ?: Place.Services(ServiceKind.PAYMENT)
    is Opens.Website, Opens.Information -> null
}

fun placeOf(kind: RequestKind, localId: String): Place = when (kind) {
    RequestKind.REPORT -> Place.Request(localId)
    RequestKind.BOOKING -> Place.Booking(localId)
    RequestKind.PAYMENT -> Place.Payment(localId)
}

/** A notification opens its request; one of a kind this app does not know opens the list. */
fun placeOf(notice: StatusNotification): Place = notice.kind?.let { placeOf(it, notice.opens) } ?: Place.Requests

/** A notification tapped, as the platform hands back what it was posted with: its request's local id and kind's name. */
fun placeOfNotice(localId: String, kind: String?): Place =
    kind?.let(RequestKind::named)?.let { placeOf(it, localId) } ?: Place.Requests

/** The app opened with `url`: the payment it returns from, when it is the payment page's return. */
fun placeOfReturn(url: String): Place? = returnedPayment(url)?.let { Place.Payment(it) }
