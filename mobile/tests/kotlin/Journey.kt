// The resident's journey through the Kotlin bindings and the Android shell's shared layer, on
// the JVM, against the real library and a real council server on 127.0.0.1.
//
// Invariant: every server this runner starts is stopped when the test ends, passed or failed
// (and on exit); only loopback addresses are used. Ends with one `N passed, N failed` line.
package uk.doorstep.tests

import java.io.File
import java.net.HttpURLConnection
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.nio.file.Files
import java.util.Collections
import kotlin.system.exitProcess
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import uk.doorstep.shared.Advice
import uk.doorstep.shared.MemorySecrets
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.Resident
import uniffi.doorstep_core.FieldKind
import uniffi.doorstep_mobile.AnswerGiven
import uniffi.doorstep_mobile.Backend
import uniffi.doorstep_protocol.BookingStatus
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_mobile.Doorstep
import uniffi.doorstep_mobile.DoorstepException
import uniffi.doorstep_core.Event
import uniffi.doorstep_mobile.EventListener
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_protocol.Location
import uniffi.doorstep_core.MyPayment
import uniffi.doorstep_protocol.PaymentStatus
import uniffi.doorstep_mobile.ReportInput
import uniffi.doorstep_mobile.SecretStore
import uniffi.doorstep_mobile.SecretStoreException
import uniffi.doorstep_mobile.Settings
import uniffi.doorstep_mobile.amountInPence
import uniffi.doorstep_mobile.phoneReturnUrl

class Failure(message: String) : Exception(message)

fun expect(condition: Boolean, what: () -> String) {
    if (!condition) throw Failure(what())
}

fun <T> Outcome<T>.done(what: String): T = when (this) {
    is Outcome.Done -> value
    is Outcome.Failed -> throw Failure("$what: ${advice} ${reason} (field ${field})")
}

/**
 * A council server process of our own, on a port of its own, writing its log to a file. In
 * `demo` mode it sends no email: each sign-in code is in its log.
 */
class Council(private val binary: String, private val profile: String, private val demo: Boolean = false) : AutoCloseable {
    val port = ServerSocket(0, 1, InetAddress.getLoopbackAddress()).use { it.localPort }
    val url = "http://127.0.0.1:$port"
    private val db = Files.createTempDirectory("doorstep-council").toFile()

    /** The council's database file (the server's own commands, such as issuing a staff token, take it). */
    val database get() = File(db, "council.sqlite3")
    private val log = File(db, "council.log")
    private var process: Process? = null

    init {
        RUNNING += this
        start()
    }

    fun start() {
        stop()
        val mode = if (demo) listOf("--demo") else emptyList()
        process = ProcessBuilder(listOf(binary) + mode + listOf("--listen", "127.0.0.1:$port", "--db", database.path, "--council", profile))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
            .apply { environment()["NO_COLOR"] = "1" }
            .start()
        val deadline = System.currentTimeMillis() + 20_000
        while (true) {
            try {
                Socket("127.0.0.1", port).close()
                return
            } catch (e: Exception) {
                expect(System.currentTimeMillis() < deadline) { "the council server did not start" }
                Thread.sleep(50)
            }
        }
    }

    /** The last sign-in code the council would have emailed (in `demo` mode). */
    fun emailedCode(): String =
        Regex("code=(\\d{6})").findAll(log.readText()).lastOrNull()?.groupValues?.get(1)
            ?: throw Failure("no sign-in code in the council's log")

    fun stop() {
        process?.let {
            it.destroyForcibly()
            it.waitFor()
        }
        process = null
    }

    override fun close() {
        stop()
        db.deleteRecursively()
        RUNNING -= this
    }

    companion object {
        val RUNNING: MutableSet<Council> = Collections.synchronizedSet(mutableSetOf())
    }
}

val SERVER = System.getenv("DOORSTEP_SERVER") ?: error("DOORSTEP_SERVER names the doorstep-server binary")
val PROFILE = System.getenv("DOORSTEP_COUNCIL") ?: error("DOORSTEP_COUNCIL names the council profile folder")
val RETURN_URL = phoneReturnUrl()
val POTHOLE_ANSWERS = mapOf(
    "depth" to GivenAnswer.Picked(listOf("deep")),
    "width" to GivenAnswer.Picked(listOf("medium")),
    "location_on_road" to GivenAnswer.Picked(listOf("traffic_lane")),
)
val DURHAM = Location(54.7761, -1.5733, null, null)

/** A resident's phone (its own folder) talking to `url`. */
suspend fun phone(url: String, secrets: SecretStore = MemorySecrets()): Resident {
    val dir = Files.createTempDirectory("doorstep-phone").toFile()
    dir.deleteOnExit()
    return Resident.open(dir.path, url, secrets, "android", "test phone", backgroundSync = false).done("open")
}

fun withCouncil(demo: Boolean = false, test: suspend (Council) -> Unit) {
    Council(SERVER, PROFILE, demo).use { council -> runBlocking { test(council) } }
}

/** Pay on the sandbox's card page, as the resident would in a browser tab; the address it sends the resident back to. */
fun payOnCardPage(nextUrl: String, card: String): String {
    val connection = URI(nextUrl).toURL().openConnection() as HttpURLConnection
    connection.instanceFollowRedirects = false
    connection.requestMethod = "POST"
    connection.doOutput = true
    connection.setRequestProperty("Content-Type", "application/x-www-form-urlencoded")
    connection.outputStream.use { it.write("card_number=$card&action=pay".toByteArray()) }
    expect(connection.responseCode < 400) { "the card page answered ${connection.responseCode}" }
    val back = connection.getHeaderField("Location") ?: throw Failure("the card page sent the resident nowhere")
    connection.disconnect()
    return back
}

/** The app is opened with the card page's return: the core finds the payment in it and refreshes that one. */
suspend fun Resident.returnedFrom(back: String, expected: String): MyPayment {
    val paid = paymentReturnedWith(back)?.done("refresh after paying")
        ?: throw Failure("the card page's return is not the app's: $back")
    expect(paid.localId == expected) { "the return names the payment paid: $back" }
    return paid
}

fun aReportMadeOfflineIsSentOnceOnline() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        council.stop()
        val queued = resident.report("pothole", "A deep pothole by the bus stop", DURHAM, POTHOLE_ANSWERS).done("report offline")
        expect(queued.delivery == Delivery.Waiting) { "queued offline, it waits: ${queued.delivery}" }
        expect(queued.shown.delivery == "Waiting to send" && queued.shown.reference == null) { "the core's words for it: ${queued.shown}" }
        expect(queued.shown.summary == "A deep pothole by the bus stop") { "what the resident wrote: ${queued.shown}" }
        val offline = resident.syncNow()
        expect(offline is Outcome.Failed && offline.advice == Advice.TRY_WHEN_ONLINE || offline is Outcome.Done && offline.value.sent == 0uL) {
            "syncing offline sends nothing: $offline"
        }
        expect(resident.status.waiting == 1uL) { "the badge shows one waiting: ${resident.status}" }
        council.start()
        val round = resident.syncNow().done("sync online")
        expect(round.sent >= 1uL) { "the report is sent: $round" }
        val sent = resident.report(queued.localId).done("my report")
        expect(sent.delivery == Delivery.Sent) { "it has reached the council: ${sent.delivery}" }
        expect(sent.report?.reference?.isNotEmpty() == true) { "the council gave it a reference" }
        expect(sent.shown.reference == sent.report?.reference && sent.shown.status == "Open") { "the council's copy shows: ${sent.shown}" }
        expect(sent.shown.title == "Report a pothole" && !sent.shown.mayReopen) { "its title, not reopenable while open: ${sent.shown}" }
        expect(resident.status.waiting == 0uL) { "nothing waits: ${resident.status}" }
    }
}

fun aLibraryComputerIsBooked() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        expect(resident.core.capabilities().bookings) { "a Doorstep council takes bookings" }
        val view = resident.slots("library_computer").done("slots")
        expect(!view.stale) { "the slots are live" }
        val slot = view.list.slots.firstOrNull { it.remaining > 0u } ?: throw Failure("no free slot")
        val booked = resident.book("library_computer", slot.id).done("book")
        resident.syncNow().done("sync")
        val made = resident.booking(booked.localId).done("my booking")
        expect(made.delivery == Delivery.Sent) { "the booking reached the council: ${made.delivery}" }
        expect(made.booking?.status == BookingStatus.CONFIRMED) { "it is confirmed: ${made.booking}" }
        expect(made.booking?.siteName == slot.siteName) { "at the library chosen" }
    }
}

fun councilTaxIsPaidThroughTheSandbox() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val started = resident.pay("council_tax", "1234 5678", "£12.50", RETURN_URL, "ann@example.org").done("pay")
        expect(started.amountPence == 1250uL) { "the typed amount is read by the core: ${started.amountPence}" }
        resident.syncNow().done("sync")
        val waiting = resident.paymentReturned(started.localId).done("refresh")
        val page = waiting.payment?.nextUrl ?: throw Failure("no card page to open: $waiting")
        expect(resident.paymentPages.any { it.first == started.localId }) { "the listener was told to open the page" }
        val paid = resident.returnedFrom(payOnCardPage(page, "4242424242424242"), started.localId)
        expect(paid.payment?.state?.status == PaymentStatus.SUCCESS) { "the payment succeeded: ${paid.payment}" }
        expect(paid.payment?.receipt != null) { "with a receipt" }
    }
}

fun aBulkyWasteCollectionIsBookedAndItsFeePaid() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val slot = resident.slots("bulky_waste").done("slots").list.slots.firstOrNull { it.remaining > 0u }
            ?: throw Failure("no free collection day")
        val answers = mapOf("items" to GivenAnswer.Picked(listOf("sofa", "mattress")), "where_left" to GivenAnswer.Typed("front"))
        val form = resident.service("bulky_waste").done("the service").fields
        expect(form.map { it.code }.take(2) == listOf("items", "where_left")) { "the council's order: ${form.map { it.code }}" }
        expect(form[0].kind == FieldKind.ANY_OF && form[0].choices.any { it.key == "sofa" }) { "items are picked: ${form[0]}" }
        expect(form[1].kind == FieldKind.ONE_OF && form[0].problemField == "answers.items") { "one place, errors named: ${form[1]}" }
        expect(form.last().label.endsWith("(optional)")) { "an optional question says so: ${form.last()}" }
        val check = resident.checkAnswers("bulky_waste", answers).done("check your answers").associate { it.code to it.answer }
        expect(check["items"] == "Sofa or settee, Mattress") { "the names of the items picked: $check" }
        expect(check["where_left"] == "In the front garden or drive") { "the place picked: $check" }
        expect(check["access_notes"] == "Not answered") { "what was left out: $check" }
        val booked = resident.book("bulky_waste", slot.id, answers, DURHAM).done("book")
        val fee = resident.core.payBookingFee(booked.localId, RETURN_URL)
        expect(fee.amountPence == 2600uL) { "two items cost the first band's fee: ${fee.amountPence}" }
        resident.syncNow().done("sync")
        val made = resident.booking(booked.localId).done("my booking")
        expect(made.booking?.feePence == 2600u) { "the council priced it alike: ${made.booking}" }
        val page = resident.paymentReturned(fee.localId).done("refresh").payment?.nextUrl
            ?: throw Failure("no card page for the fee")
        val paid = resident.returnedFrom(payOnCardPage(page, "4242424242424242"), fee.localId)
        expect(paid.payment?.state?.status == PaymentStatus.SUCCESS) { "the fee is paid: ${paid.payment}" }
    }
}

fun eventsArriveOnACoreThreadAndStopWhenTheHandleCloses() = withCouncil { council ->
    val resident = phone(council.url)
    val heard = Collections.synchronizedList(mutableListOf<Pair<Event, String>>())
    val listener = object : EventListener {
        override fun onEvent(event: Event) {
            heard += event to Thread.currentThread().name
        }
    }
    val core = resident.core
    val throwing = core.subscribe(object : EventListener {
        override fun onEvent(event: Event) = throw IllegalStateException("a screen that has gone")
    })
    val subscription = core.subscribe(listener)
    eventually { heard.any { it.first is Event.Outbox } && heard.any { it.first is Event.Sync } }
    val caller = Thread.currentThread().name
    expect(heard.none { it.second == caller }) { "events come on the core's threads, not the caller's" }
    resident.report("pothole", "Another pothole", DURHAM, POTHOLE_ANSWERS)
    eventually { heard.any { (e, _) -> e is Event.Outbox && e.waiting == 1uL } }
    throwing.close()
    subscription.close()
    val before = heard.size
    resident.report("pothole", "A third pothole", DURHAM, POTHOLE_ANSWERS)
    resident.syncNow()
    delay(300)
    expect(heard.size == before) { "no event after the handle closed: ${heard.drop(before)}" }
    val again = core.subscribe(listener)
    eventually { heard.size > before }
    again.cancel()
    resident.close()
}

fun badInputGivesTheMappedErrorNeverACrash() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val core = resident.core
        suspend fun fixes(field: String, call: suspend () -> Unit) {
            try {
                call()
                throw Failure("$field: accepted")
            } catch (e: DoorstepException.FixInput) {
                expect(e.field == field) { "the error names $field: ${e.field} (${e.reason})" }
                expect(e.reason.isNotBlank()) { "with a reason" }
            }
        }
        fixes("amount") { amountInPence("twelve pounds") }
        fixes("amount") { core.startPayment(uniffi.doorstep_mobile.PaymentInput("council_tax", "12345678", "£-3", RETURN_URL)) }
        fixes("email") { core.startPayment(uniffi.doorstep_mobile.PaymentInput("council_tax", "12345678", "12", RETURN_URL, "ann@")) }
        fixes("uprn") { core.collections("not a uprn") }
        fixes("body") { core.saveDraft(null, "report", "{not json") }
        fixes("photos.0") {
            core.submitReport(
                ReportInput("pothole", "A photo that is not one", DURHAM, POTHOLE_ANSWERS.map { AnswerGiven(it.key, it.value) }, listOf(byteArrayOf(1, 2, 3)), null),
            )
        }
        fixes("server") {
            Doorstep.open(Settings(Files.createTempDirectory("doorstep-phone").toString(), "ftp://nowhere", "android", "x", false, Backend.Doorstep), MemorySecrets())
        }
        val outcome = resident.report("pothole", "", Location(Double.NaN, 500.0, null, null), mapOf("depth" to GivenAnswer.Typed("bottomless")))
        expect(outcome is Outcome.Failed && outcome.advice == Advice.FIX_INPUT && outcome.field != null) { "a bad report names a field: $outcome" }
        try {
            core.report("no such report")
            throw Failure("found a report that does not exist")
        } catch (e: DoorstepException.NotFound) {
            expect(e.reason.isNotBlank()) { "says what was not found" }
        }
        expect(resident.outbox().done("outbox").isEmpty()) { "nothing bad was queued" }
    }
    val dir = Files.createTempDirectory("doorstep-phone").toString()
    val open311 = Doorstep.open(Settings(dir, "${council.url}/open311/v2", "android", "x", false, Backend.Open311(null, null)), MemorySecrets())
    try {
        open311.slots("library_computer")
        throw Failure("an Open311 council took a booking")
    } catch (e: DoorstepException.NotOffered) {
        expect(!open311.capabilities().bookings && e.reason.isNotBlank()) { "bookings are not offered, and it says so" }
    }
}

fun tokensLiveInTheShellsSecretStore() = withCouncil { council ->
    val secrets = MemorySecrets()
    phone(council.url, secrets).use { resident ->
        resident.report("pothole", "By the school", DURHAM, POTHOLE_ANSWERS).done("report")
        resident.syncNow().done("sync")
        expect(secrets.held.containsKey("device_token")) { "the device token is in the shell's store: ${secrets.held.keys}" }
    }
    val locked = object : SecretStore {
        override fun get(name: String): String? = throw SecretStoreException.Unavailable("the keychain is locked")
        override fun set(name: String, value: String) = throw SecretStoreException.Unavailable("the keychain is locked")
        override fun delete(name: String) = throw SecretStoreException.Unavailable("the keychain is locked")
    }
    phone(council.url, locked).use { resident ->
        resident.report("pothole", "By the church", DURHAM, POTHOLE_ANSWERS).done("report with a locked store")
        val round = resident.syncNow()
        expect(round is Outcome.Failed || round is Outcome.Done && round.value.sent == 0uL) { "nothing is sent without a token: $round" }
        expect(resident.outbox().done("outbox").size == 1) { "the report still waits" }
    }
}

fun anAwaitingCallIsCancelled() = runBlocking {
    ServerSocket(0, 50, InetAddress.getLoopbackAddress()).use { silent ->
        val held = Collections.synchronizedList(mutableListOf<Socket>())
        val acceptor = Thread {
            try {
                while (true) held += silent.accept()
            } catch (e: Exception) {
                // the socket closed: the test is over
            }
        }.apply { isDaemon = true; start() }
        phone("http://127.0.0.1:${silent.localPort}").use { resident ->
            val started = System.nanoTime()
            try {
                withTimeout(700) { resident.core.refreshCatalogue() }
                throw Failure("a council that never answers answered")
            } catch (e: TimeoutCancellationException) {
                val ms = (System.nanoTime() - started) / 1_000_000
                expect(ms < 5_000) { "the call gave up when cancelled, after $ms ms" }
            }
            expect(resident.core.outbox().isEmpty()) { "the core still answers after a cancelled call" }
        }
        held.forEach { it.close() }
        acceptor.interrupt()
    }
}

suspend fun eventually(condition: () -> Boolean) {
    val deadline = System.currentTimeMillis() + 5_000
    while (!condition()) {
        expect(System.currentTimeMillis() < deadline) { "waited 5 s in vain" }
        delay(20)
    }
}

fun main() {
    Runtime.getRuntime().addShutdownHook(Thread { Council.RUNNING.toList().forEach { it.stop() } })
    val tests = listOf(
        "aReportMadeOfflineIsSentOnceOnline" to ::aReportMadeOfflineIsSentOnceOnline,
        "aLibraryComputerIsBooked" to ::aLibraryComputerIsBooked,
        "councilTaxIsPaidThroughTheSandbox" to ::councilTaxIsPaidThroughTheSandbox,
        "aBulkyWasteCollectionIsBookedAndItsFeePaid" to ::aBulkyWasteCollectionIsBookedAndItsFeePaid,
        "eventsArriveOnACoreThreadAndStopWhenTheHandleCloses" to ::eventsArriveOnACoreThreadAndStopWhenTheHandleCloses,
        "badInputGivesTheMappedErrorNeverACrash" to ::badInputGivesTheMappedErrorNeverACrash,
        "tokensLiveInTheShellsSecretStore" to ::tokensLiveInTheShellsSecretStore,
        "anAwaitingCallIsCancelled" to ::anAwaitingCallIsCancelled,
    ) + reportScreenJourneys + servicesScreenJourneys + requestsScreenJourneys + requestScreenJourneys + notificationsJourneys +
        binsScreenJourneys + outboxScreenJourneys + accountScreenJourneys + bookScreenJourneys + payScreenJourneys + placesJourneys + pushJourneys
    val only = System.getenv("DOORSTEP_ONLY")
    var (passed, failed) = 0 to 0
    for ((name, test) in tests.filter { only == null || it.first.contains(only) }) {
        try {
            test()
            passed++
            println("ok   $name")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name: $e")
        }
    }
    println("Kotlin: $passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
