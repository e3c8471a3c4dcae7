// The report journey through the Android shell's screen model (ReportScreen), against the real
// library and a real council server on 127.0.0.1: the council's questions and labels, each
// refusal beside its field, "Check your answers" in the core's words, sent once or saved.
package uk.doorstep.tests

import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import javax.imageio.ImageIO
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.ReportScreen
import uk.doorstep.shared.ReportState
import uniffi.doorstep_protocol.ContactDetails

inline fun <reified S : ReportState> ReportScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

/** A photo as the shell hands it over: a small JPEG. */
fun aPhoto(): ByteArray = ByteArrayOutputStream().also { ImageIO.write(BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB), "jpg", it) }.toByteArray()

fun aProblemIsReportedThroughTheReportScreen() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = ReportScreen(resident)
        screen.load("pothole")
        val form = screen.showing<ReportState.Form>("loaded")
        expect(form.fields.map { it.code } == listOf("depth", "width", "location_on_road", "landmark")) { "the council's order: ${form.fields.map { it.code }}" }
        expect(form.fields[0].label == "How deep is it?" && form.fields[3].label == "Nearest house number or landmark (optional)") {
            "the core's labels: ${form.fields.map { it.label }}"
        }
        screen.answer("width", POTHOLE_ANSWERS.getValue("width"))
        screen.answer("location_on_road", POTHOLE_ANSWERS.getValue("location_on_road"))
        screen.contact(ContactDetails("Ann Smith", "ann.example.com", null))
        screen.check()
        screen.send()
        val refused = screen.showing<ReportState.Form>("sent without a depth or a place")
        expect(refused.errors.keys == setOf(form.fields[0].problemField, ReportScreen.LOCATION, ReportScreen.EMAIL)) {
            "beside the depth, the place and the email address: ${refused.errors}"
        }
        val core = resident.report("pothole", refused.description, refused.location, refused.answers, contact = refused.contact) as? Outcome.Failed
            ?: throw Failure("the core took the same report")
        expect(refused.summary.map { it.field to it.message } == core.problems.map { it.field to it.message }) { "the summary is the core's, in its order: ${refused.summary}" }
        expect(refused.answers == POTHOLE_ANSWERS - "depth") { "nothing given is lost: ${refused.answers}" }
        expect(resident.core.reports().isEmpty()) { "nothing refused was kept" }
        screen.answer("depth", POTHOLE_ANSWERS.getValue("depth"))
        screen.describe("A deep pothole by the bus stop")
        screen.contact(ContactDetails("Ann Smith", "ann@example.com", null))
        screen.addPhoto(aPhoto())
        screen.lookUp("DH1")
        expect(screen.showing<ReportState.Form>("a postcode cut short").errors.containsKey(ReportScreen.POSTCODE)) { "the lookup's refusal is beside the postcode" }
        screen.lookUp("DH1 4RB")
        val found = screen.showing<ReportState.Form>("addresses found")
        expect(found.addresses.isNotEmpty() && ReportScreen.POSTCODE !in found.errors) { "the addresses at the postcode: $found" }
        screen.pick(found.addresses[0].uprn)
        expect(screen.showing<ReportState.Form>("an address picked").location.uprn == found.addresses[0].uprn) { "the address's property reference" }
        screen.place(DURHAM.lat!!, DURHAM.lon!!)
        screen.check()
        val coordinates = screen.showing<ReportState.Check>("checked at a point").rows.first { it.code == ReportScreen.LOCATION }
        expect(coordinates.answer == "54.7761, -1.5733") { "a point typed in is no longer the address: $coordinates" }
        screen.change(ReportScreen.LOCATION)
        screen.pick(found.addresses[0].uprn)
        screen.check()
        val rows = screen.showing<ReportState.Check>("checked").rows.associate { it.code to it.answer }
        expect(rows["depth"] == "More than 10cm" && rows["width"] == "About the size of a dustbin lid") { "the names of the choices picked: $rows" }
        expect(rows["landmark"] == "Not answered") { "what was left out: $rows" }
        expect(rows[ReportScreen.DESCRIPTION] == "A deep pothole by the bus stop" && rows[ReportScreen.LOCATION] == found.addresses[0].address) { "what and where: $rows" }
        expect(rows["photos"] == "1 chosen" && rows["contact"] == "Ann Smith, ann@example.com") { "the photos and the contact details: $rows" }
        screen.change("depth")
        val changing = screen.showing<ReportState.Form>("changing the depth")
        expect(changing.focus == "answers.depth" && changing.answers == POTHOLE_ANSWERS) { "back at the depth, answers kept: $changing" }
        screen.check()
        coroutineScope {
            launch { screen.send() }
            launch { screen.send() }
        }
        val done = screen.showing<ReportState.Done>("sent")
        expect(done.reference.isNotEmpty() && done.report.shown.reference == done.reference) { "the council's reference: $done" }
        expect(done.whatHappensNext?.startsWith("An inspector will look at it") == true) { "what happens next: ${done.whatHappensNext}" }
        val made = resident.core.reports().size
        expect(made == 1) { "two taps of Send make one report: $made" }
    }
}

fun aReportMadeOfflineOnTheReportScreenIsSaved() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val screen = ReportScreen(resident)
        screen.load("pothole")
        council.stop()
        POTHOLE_ANSWERS.forEach { (code, given) -> screen.answer(code, given) }
        screen.describe("A deep pothole by the bus stop")
        screen.place(DURHAM.lat!!, DURHAM.lon!!)
        screen.check()
        screen.send()
        val saved = screen.showing<ReportState.Saved>("sent offline")
        expect(saved.report.shown.delivery == "Waiting to send" && saved.problem == null) { "saved, to send later: $saved" }
        eventually { resident.status.waiting == 1uL }
    }
}

fun theReportScreenSaysWhenAServiceCannotBeFound() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ReportScreen(resident)
        council.stop()
        screen.load("pothole")
        val offline = screen.showing<ReportState.Failed>("loaded offline")
        expect(offline.canRetry && offline.message.isNotBlank()) { "offline, try again: $offline" }
        council.start()
        screen.load("pothole")
        screen.showing<ReportState.Form>("loaded again online")
        screen.load("no_such_service")
        val unknown = screen.showing<ReportState.Failed>("an unknown service")
        expect(!unknown.canRetry && unknown.message.contains("no_such_service")) { "the core's words, no retry: $unknown" }
    }
}

/** The journeys of this file, by name, for the runner. */
val reportScreenJourneys = listOf(
    "aProblemIsReportedThroughTheReportScreen" to ::aProblemIsReportedThroughTheReportScreen,
    "aReportMadeOfflineOnTheReportScreenIsSaved" to ::aReportMadeOfflineOnTheReportScreenIsSaved,
    "theReportScreenSaysWhenAServiceCannotBeFound" to ::theReportScreenSaysWhenAServiceCannotBeFound,
)
