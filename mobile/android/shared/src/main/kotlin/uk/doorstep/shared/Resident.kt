// The resident's side of the app: the one open core, what the screens show of the outbox and
// of syncing, and the calls the screens make. No Android import: the JVM tests run this layer.
//
// Invariant: one core per data folder, opened once; the status the screens read is only ever
// what the core's events said last (replayed on subscribing), never guessed here.
package uk.doorstep.shared

import java.util.concurrent.CopyOnWriteArrayList
import uniffi.doorstep_core.CheckedAnswer
import uniffi.doorstep_mobile.AnswerGiven
import uniffi.doorstep_mobile.Backend
import uniffi.doorstep_mobile.BookingInput
import uniffi.doorstep_protocol.ContactDetails
import uniffi.doorstep_mobile.Doorstep
import uniffi.doorstep_core.Event
import uniffi.doorstep_mobile.EventListener
import uniffi.doorstep_protocol.Fallback
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_protocol.Location
import uniffi.doorstep_core.MyBooking
import uniffi.doorstep_core.MyPayment
import uniffi.doorstep_core.MyReport
import uniffi.doorstep_mobile.OutboxEntry
import uniffi.doorstep_mobile.PaymentInput
import uniffi.doorstep_mobile.ReportInput
import uniffi.doorstep_mobile.SecretStore
import uniffi.doorstep_mobile.Service
import uniffi.doorstep_protocol.ServiceSummary
import uniffi.doorstep_mobile.Settings
import uniffi.doorstep_core.SlotView
import uniffi.doorstep_mobile.Subscription
import uniffi.doorstep_core.SyncReport
import uniffi.doorstep_core.SyncState
import uniffi.doorstep_mobile.returnedPayment

/** What the app bar shows: the outbox badge and how syncing stands. */
data class Status(
    val waiting: ULong = 0u,
    val needsAttention: ULong = 0u,
    val sync: SyncState = SyncState.IDLE,
    val lastError: String? = null,
)

class Resident private constructor(val core: Doorstep) : AutoCloseable {
    @Volatile
    var status = Status()
        private set

    /** Payment pages the resident should be sent to, by the payment's local id. */
    val paymentPages = CopyOnWriteArrayList<Pair<String, String>>()

    private val watchers = CopyOnWriteArrayList<(Event) -> Unit>()

    private val listener = object : EventListener {
        override fun onEvent(event: Event) {
            status = when (event) {
                is Event.Outbox -> status.copy(waiting = event.waiting, needsAttention = event.needsAttention)
                is Event.Sync -> status.copy(sync = event.state, lastError = event.lastError)
                is Event.PaymentNeedsAction -> status.also { paymentPages += event.localId to event.nextUrl }
                is Event.ItemChanged, is Event.StatusChanged -> status
            }
            watchers.forEach { it(event) }
        }
    }

    private var subscription: Subscription? = null

    /** Be told of every event too (a screen that refreshes itself). */
    fun watch(watcher: (Event) -> Unit) {
        watchers += watcher
    }

    /** The phone's connectivity changed (from the platform's network callback). */
    suspend fun connectivity(online: Boolean) = core.setOnline(online)

    /** Sync now (WorkManager's or BGTaskScheduler's job calls this). */
    suspend fun syncNow(): Outcome<SyncReport> = attempt { core.syncNow() }

    suspend fun services(search: String? = null): Outcome<List<ServiceSummary>> = attempt {
        core.refreshCatalogue()
        core.services(search)
    }

    /** Search offline: only what the phone already holds. */
    suspend fun searchOffline(search: String): Outcome<List<ServiceSummary>> = attempt { core.services(search) }

    /** Report a problem; answers as the form holds them (question code to what was typed or picked). */
    suspend fun report(
        serviceCode: String,
        description: String,
        where: Location,
        answers: Map<String, GivenAnswer>,
        photos: List<ByteArray> = emptyList(),
        contact: ContactDetails? = null,
    ): Outcome<MyReport> = attempt {
        core.submitReport(ReportInput(serviceCode, description, where, answers.given(), photos, contact))
    }

    /** "Check your answers" for a report before it is sent: every row, in the core's words. */
    suspend fun checkReport(
        serviceCode: String,
        description: String,
        where: Location,
        answers: Map<String, GivenAnswer>,
        photos: List<ByteArray> = emptyList(),
        contact: ContactDetails? = null,
    ): Outcome<List<CheckedAnswer>> = attempt {
        core.checkReport(ReportInput(serviceCode, description, where, answers.given(), photos, contact))
    }

    /** A service and the form its questions make. */
    suspend fun service(serviceCode: String): Outcome<Service> = attempt { core.service(serviceCode) }

    /** "Check your answers": each question and the answer in words, as the core says them. */
    suspend fun checkAnswers(serviceCode: String, answers: Map<String, GivenAnswer>): Outcome<List<CheckedAnswer>> =
        attempt { core.checkAnswers(serviceCode, answers.given()) }

    suspend fun slots(serviceCode: String): Outcome<SlotView> = attempt { core.slots(serviceCode) }

    suspend fun book(
        serviceCode: String,
        slotId: String,
        answers: Map<String, GivenAnswer> = emptyMap(),
        where: Location? = null,
        fallback: Fallback = Fallback.NEXT_AVAILABLE,
    ): Outcome<MyBooking> = attempt {
        core.book(BookingInput(serviceCode, slotId, answers.given(), where, fallback))
    }

    /** "Check your answers" for a booking before it is made: every row, in the core's words. */
    suspend fun checkBooking(
        serviceCode: String,
        slotId: String,
        answers: Map<String, GivenAnswer>,
        where: Location?,
        fallback: Fallback,
    ): Outcome<List<CheckedAnswer>> = attempt {
        core.checkBooking(BookingInput(serviceCode, slotId, answers.given(), where, fallback))
    }

    /** Pay a bill with the amount as the resident typed it; the receipt goes to `email`, if given. */
    suspend fun pay(purpose: String, reference: String, amount: String, returnUrl: String, email: String? = null): Outcome<MyPayment> =
        attempt { core.startPayment(PaymentInput(purpose, reference, amount, returnUrl, email)) }

    /** The resident came back from the payment page: ask the council how it stands. */
    suspend fun paymentReturned(localId: String): Outcome<MyPayment> = attempt { core.refreshPayment(localId) }

    /** The app was opened with `url`: when it is the payment page's return, refresh that payment; null otherwise. */
    suspend fun paymentReturnedWith(url: String): Outcome<MyPayment>? =
        returnedPayment(url)?.let { paymentReturned(it) }

    suspend fun report(localId: String): Outcome<MyReport> = attempt { core.report(localId) }

    suspend fun booking(localId: String): Outcome<MyBooking> = attempt { core.booking(localId) }

    suspend fun outbox(): Outcome<List<OutboxEntry>> = attempt { core.outbox() }

    suspend fun retry(key: String): Outcome<Unit> = attempt { core.retry(key) }

    suspend fun discard(key: String): Outcome<Unit> = attempt { core.discard(key) }

    /** Stop hearing events; the core itself closes when the last reference goes. */
    override fun close() {
        subscription?.close()
        subscription = null
        watchers.clear()
    }

    companion object {
        /** Open the core in the app's files folder and start listening to it. */
        suspend fun open(
            filesDir: String,
            councilUrl: String,
            secrets: SecretStore,
            platform: String,
            deviceName: String,
            backgroundSync: Boolean = true,
            backend: Backend = Backend.Doorstep,
        ): Outcome<Resident> = attempt {
            val settings = Settings(filesDir, councilUrl, platform, deviceName, backgroundSync, backend)
            val core = Doorstep.open(settings, secrets)
            Resident(core).also { it.subscription = core.subscribe(it.listener) }
        }
    }
}

private fun Map<String, GivenAnswer>.given() = map { (question, answer) -> AnswerGiven(question, answer) }
