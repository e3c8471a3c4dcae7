// Bin day through the Android shell's screen model (BinsScreen), against the real library and
// a real council server on 127.0.0.1: a postcode and its refusal, the address chosen and
// remembered, the calendar offline marked stale, its file, and the reminders to schedule.
package uk.doorstep.tests

import java.time.Clock
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.ZoneOffset
import kotlinx.coroutines.flow.StateFlow
import uk.doorstep.shared.BinsScreen
import uk.doorstep.shared.BinsState
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.addresses
import uk.doorstep.shared.binAddress
import uk.doorstep.shared.collections
import uk.doorstep.shared.rememberBinAddress
import uk.doorstep.shared.toFix

/** A house in the council's sample gazetteer, at DH1 4RB. */
const val SHERBURN_ROAD = "100110000001"

inline fun <reified S> StateFlow<*>.showing(what: String): S =
    value as? S ?: throw Failure("$what: the screen shows $value")

fun binDayIsFoundByPostcodeAndRemembered() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = BinsScreen(resident)
        screen.load()
        screen.state.showing<BinsState.Postcode>("nothing remembered yet")
        screen.type("not a postcode")
        screen.find()
        val refused = screen.state.showing<BinsState.Postcode>("a bad postcode")
        val core = resident.addresses("not a postcode") as? Outcome.Failed ?: throw Failure("the core took a bad postcode")
        expect(core.field == "postcode" && refused.error == core.toFix) { "the core's refusal, beside the postcode: $refused, $core" }
        expect(refused.postcode == "not a postcode" && !refused.searching) { "what was typed is kept: $refused" }
        screen.type("dh1 4rb")
        screen.find()
        val choosing = screen.state.showing<BinsState.Choose>("the addresses there")
        expect(choosing.found.postcode == "DH1 4RB" && !choosing.found.stale) { "the postcode as the council writes it, fresh: ${choosing.found}" }
        val home = choosing.found.addresses.firstOrNull { it.uprn == SHERBURN_ROAD } ?: throw Failure("no Sherburn Road: ${choosing.found}")
        screen.choose(null)
        expect(screen.state.showing<BinsState.Choose>("none picked").error == "Choose your address") { "an address must be picked, in the core's words: ${screen.state.value}" }
        screen.choose(home.uprn)
        val shown = screen.state.showing<BinsState.Calendar>("the collections")
        expect(shown.calendar.address == home.address && !shown.calendar.stale) { "the address's own calendar, fresh: ${shown.calendar}" }
        expect(shown.calendar.collections.isNotEmpty() && shown.calendar.advice.isNotBlank()) { "its bin days and the council's advice: ${shown.calendar}" }
        expect(resident.binAddress().done("remembered") == home.uprn) { "the core remembers the address" }
        screen.calendarFile()
        val file = screen.state.showing<BinsState.Calendar>("with its file").file ?: throw Failure("no calendar file")
        expect(file.name == "bin-collections-$SHERBURN_ROAD.ics" && file.text.startsWith("BEGIN:VCALENDAR")) { "an iCalendar file: ${file.name}" }
        val events = Regex("BEGIN:VEVENT").findAll(file.text).count()
        expect(events == shown.calendar.collections.size) { "one event a collection: $events" }
        val next = BinsScreen(resident)
        next.load()
        val again = next.state.showing<BinsState.Calendar>("next time")
        expect(again.calendar.uprn == home.uprn && again.calendar.collections == shown.calendar.collections) { "shown straight away: ${again.calendar}" }
    }
}

fun binDayOfflineIsMarkedStale() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = BinsScreen(resident)
        screen.load()
        screen.type("DH1 4RB")
        screen.find()
        screen.choose(SHERBURN_ROAD)
        val fresh = screen.state.showing<BinsState.Calendar>("online")
        council.stop()
        val later = BinsScreen(resident)
        later.load()
        val stale = later.state.showing<BinsState.Calendar>("offline")
        expect(stale.calendar.stale && stale.calendar.collections == fresh.calendar.collections) { "the saved calendar, marked stale: ${stale.calendar}" }
        later.change()
        later.type("DH1 5UQ")
        later.find()
        val unknown = later.state.showing<BinsState.Postcode>("a postcode never looked up, offline")
        expect(unknown.error?.isNotBlank() == true && unknown.postcode == "DH1 5UQ") { "says it needs the council, keeps the postcode: $unknown" }
        later.type("DH1 4RB")
        later.find()
        val saved = later.state.showing<BinsState.Choose>("a postcode looked up before, offline")
        expect(saved.found.stale && saved.found.addresses.any { it.uprn == SHERBURN_ROAD }) { "the addresses saved, marked stale: ${saved.found}" }
        later.choose(SHERBURN_ROAD)
        expect(later.state.showing<BinsState.Calendar>("chosen offline").calendar.stale) { "still stale offline" }
        council.start()
        later.refresh()
        expect(!later.state.showing<BinsState.Calendar>("online again").calendar.stale) { "fresh once the council answers" }
    }
}

fun remindersAreTheEveningBeforeEachCollection() = withCouncil { council ->
    phone(council.url).use { resident ->
        val calendar = resident.collections(SHERBURN_ROAD).done("the calendar")
        val first = LocalDate.parse(calendar.collections.first().date)
        resident.rememberBinAddress(SHERBURN_ROAD).done("remember")
        val atNoon = BinsScreen(resident, Clock.fixed(first.atTime(12, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC))
        atNoon.load()
        val shown = atNoon.state.showing<BinsState.Calendar>("the collections")
        val ahead = shown.calendar.collections.filter { it.bins.isNotEmpty() && LocalDate.parse(it.date) > first }
        expect(ahead.isNotEmpty() && shown.reminders.map { it.collection } == ahead.map { it.date }) {
            "one for each collection whose evening is to come: ${shown.reminders.map { it.collection }}"
        }
        for ((reminder, collection) in shown.reminders.zip(ahead)) {
            val at = LocalDateTime.of(reminder.year, reminder.month.toInt(), reminder.day.toInt(), reminder.hour.toInt(), reminder.minute.toInt())
            expect(at == LocalDate.parse(collection.date).minusDays(1).atTime(19, 0)) { "7pm the evening before: $reminder" }
            expect(reminder.title.startsWith("Bin day tomorrow") && reminder.body.startsWith("Put out your ")) { "in plain words: $reminder" }
            expect(collection.bins.all { reminder.body.contains(it.name.replaceFirstChar(Char::lowercase)) }) { "naming the bins: $reminder" }
        }
        val eve = LocalDate.parse(ahead.first().date).minusDays(1)
        val summerEvening = Clock.fixed(eve.atTime(18, 30).toInstant(ZoneOffset.UTC), ZoneOffset.ofHours(1))
        val later = BinsScreen(resident, summerEvening)
        later.load()
        val left = later.state.showing<BinsState.Calendar>("at 7.30pm local time").reminders.map { it.collection }
        expect(left == ahead.drop(1).map { it.date }) { "the phone's own time decides what has passed: $left" }
    }
}

/** The journeys of this file, by name, for the runner. */
val binsScreenJourneys = listOf(
    "binDayIsFoundByPostcodeAndRemembered" to ::binDayIsFoundByPostcodeAndRemembered,
    "binDayOfflineIsMarkedStale" to ::binDayOfflineIsMarkedStale,
    "remindersAreTheEveningBeforeEachCollection" to ::remindersAreTheEveningBeforeEachCollection,
)
