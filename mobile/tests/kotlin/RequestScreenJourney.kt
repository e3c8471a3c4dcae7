// One report through the Android shell's screen model (RequestScreen), against the real library
// and a real council server on 127.0.0.1: its timeline in the core's words, an update added
// once per tap, a blank one refused beside its field, one saved offline, and a report the
// council fixed said to be still not fixed.
package uk.doorstep.tests

import java.net.HttpURLConnection
import java.net.URI
import java.util.UUID
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.RequestScreen
import uk.doorstep.shared.RequestState
import uk.doorstep.shared.Resident
import uk.doorstep.shared.addUpdate
import uniffi.doorstep_core.MyReport

inline fun <reified S : RequestState> RequestScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

/** The council's staff move a report on with a public note, through the back office's endpoint. */
fun Council.movesOn(report: MyReport, status: String, note: String) {
    val id = report.report?.id ?: throw Failure("the council does not have the report yet: $report")
    val issuing = ProcessBuilder(SERVER, "staff", "token", "--db", database.path)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start()
    val token = issuing.inputStream.bufferedReader().readText().trim()
    expect(issuing.waitFor() == 0 && token.isNotEmpty()) { "a staff token was issued" }
    val connection = URI("$url/v1/staff/reports/$id/status").toURL().openConnection() as HttpURLConnection
    connection.requestMethod = "POST"
    connection.doOutput = true
    connection.setRequestProperty("Authorization", "Bearer $token")
    connection.setRequestProperty("Idempotency-Key", UUID.randomUUID().toString())
    connection.setRequestProperty("Content-Type", "application/json")
    connection.outputStream.use { it.write("""{"status":"$status","note":"$note"}""".toByteArray()) }
    expect(connection.responseCode in 200..299) { "the council moved the report on: ${connection.responseCode}" }
    connection.disconnect()
}

/** A pothole reported and sent to the council. */
suspend fun Resident.sentPothole(description: String): MyReport {
    services().done("catalogue")
    val made = report("pothole", description, DURHAM, POTHOLE_ANSWERS).done("report")
    syncNow().done("sync")
    return report(made.localId).done("my report")
}

fun anUpdateIsAddedToAReport() = withCouncil { council ->
    phone(council.url).use { resident ->
        val sent = resident.sentPothole("A deep pothole by the bus stop")
        val screen = RequestScreen(resident)
        screen.load(sent.localId)
        val shown = screen.showing<RequestState.Showing>("loaded")
        expect(shown.report.shown == sent.shown && shown.report.shown.steps.size == 1) { "the core's words and timeline: ${shown.report.shown}" }
        expect(!shown.mayReopen && shown.report.shown.status == "Open") { "an open report is not reopened: ${shown.report.shown}" }
        screen.write("   ")
        screen.addUpdate()
        val blank = screen.showing<RequestState.Showing>("a blank update")
        val refusal = resident.addUpdate(sent.localId, "   ", false) as? Outcome.Failed ?: throw Failure("the core took a blank update")
        val problem = refusal.problems.single()
        expect(problem.field == RequestScreen.UPDATE && blank.errors[RequestScreen.UPDATE] == problem.message && blank.summary.map { it.field } == listOf(RequestScreen.UPDATE)) {
            "the core's refusal beside the update: ${blank.errors} ${blank.summary}"
        }
        expect(blank.update == "   " && blank.added == null) { "what was typed is kept: $blank" }
        screen.write("It is getting bigger")
        coroutineScope {
            launch { screen.addUpdate() }
            launch { screen.addUpdate() }
        }
        val added = screen.showing<RequestState.Showing>("updated")
        expect(added.added?.sent == true && added.update.isEmpty() && added.errors.isEmpty()) { "with the council, the box emptied: $added" }
        val steps = added.report.shown.steps
        expect(steps.size == 2 && steps.last().by == "You" && steps.last().note == "It is getting bigger") { "one update for two taps, in the core's words: $steps" }
        expect(resident.outbox().done("outbox").isEmpty()) { "nothing left to send" }
    }
}

fun anUpdateMadeOfflineIsSavedToSend() = withCouncil { council ->
    phone(council.url).use { resident ->
        val sent = resident.sentPothole("A pothole by the church")
        val screen = RequestScreen(resident)
        screen.load(sent.localId)
        council.stop()
        screen.write("Two cars have hit it")
        screen.addUpdate()
        val saved = screen.showing<RequestState.Showing>("updated offline")
        expect(saved.added?.sent == false && saved.report.shown.delivery == "Waiting to send") { "saved, to send later: $saved" }
        expect(resident.outbox().done("outbox").single().what.isNotBlank()) { "the update waits in the outbox" }
        council.start()
        resident.syncNow().done("sync")
        val later = resident.report(sent.localId).done("my report").shown
        expect(later.steps.last().note == "Two cars have hit it" && later.delivery == "Sent") { "sent once online: $later" }
    }
}

fun aFixedReportIsReopenedAsStillNotFixed() = withCouncil { council ->
    phone(council.url).use { resident ->
        val sent = resident.sentPothole("A deep pothole by the bus stop")
        val screen = RequestScreen(resident)
        screen.load(sent.localId)
        screen.write("It is still there")
        screen.reopen()
        expect(resident.outbox().done("outbox").isEmpty() && screen.showing<RequestState.Showing>("open").added == null) {
            "an open report is not reopened"
        }
        coroutineScope {
            val following = launch { screen.follow() }
            council.movesOn(sent, "fixed", "Filled on Tuesday")
            resident.syncNow().done("sync")
            eventually { (screen.state.value as? RequestState.Showing)?.mayReopen == true }
            val fixed = screen.showing<RequestState.Showing>("fixed")
            expect(fixed.report.shown.status == "Fixed" && fixed.report.shown.steps.last().note == "Filled on Tuesday") { "the council's words: ${fixed.report.shown}" }
            expect(fixed.update == "It is still there") { "what was typed is kept while the report is read again: ${fixed.update}" }
            screen.reopen()
            val reopened = screen.showing<RequestState.Showing>("reopened")
            expect(reopened.added?.sent == true && reopened.report.shown.status == "Open" && !reopened.mayReopen) { "open again: ${reopened.report.shown}" }
            val last = reopened.report.shown.steps.last()
            expect(last.by == "You" && last.status == "Open" && last.note == "It is still there") { "the resident's step: $last" }
            following.cancel()
        }
    }
}

/** The journeys of this file, by name, for the runner. */
val requestScreenJourneys = listOf(
    "anUpdateIsAddedToAReport" to ::anUpdateIsAddedToAReport,
    "anUpdateMadeOfflineIsSavedToSend" to ::anUpdateMadeOfflineIsSavedToSend,
    "aFixedReportIsReopenedAsStillNotFixed" to ::aFixedReportIsReopenedAsStillNotFixed,
)
