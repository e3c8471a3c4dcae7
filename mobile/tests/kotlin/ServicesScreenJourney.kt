// The "find a service" journey through the Android shell's screen model (ServicesScreen),
// against the real library and a real council server on 127.0.0.1: the top tasks the council
// offers, its services under its groups' names, a search online and offline, a search with no
// match, what each kind of service opens, and nothing held offline.
package uk.doorstep.tests

import uk.doorstep.shared.Opens
import uk.doorstep.shared.ServicesScreen
import uk.doorstep.shared.ServicesState
import uniffi.doorstep_core.HomeTask
import uniffi.doorstep_protocol.ServiceKind

inline fun <reified S : ServicesState> ServicesScreen.showing(what: String): S =
    state.value as? S ?: throw Failure("$what: the screen shows ${state.value}")

fun theServicesScreenListsTopTasksAndTheCouncilsGroups() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ServicesScreen(resident)
        screen.load()
        val listed = screen.showing<ServicesState.Listed>("loaded")
        expect(listed.tasks.map { it.task } == HomeTask.entries && listed.tasks[0].text == "Report a problem" && !listed.offline) { "a Doorstep council offers every top task: $listed" }
        val names = listed.groups.map { it.name }
        expect(names.take(3) == listOf("Bins and recycling", "Roads and pavements", "Street lighting")) { "the council's names, in its order: $names" }
        expect("Fly-tipping and litter" in names && "Council Tax" in names) { "as the council writes them: $names" }
        val codes = listed.groups.flatMap { group -> group.services.map { it.code } }
        expect(codes == resident.core.services(null).map { it.code }) { "each service once, in the catalogue's order: $codes" }
        expect(listed.groups.all { group -> group.services.all { it.group == group.code } }) { "each under its own group" }
        screen.load(ServiceKind.BOOKING)
        val booking = screen.showing<ServicesState.Listed>("the booking services")
        val booked = booking.groups.flatMap { group -> group.services.map { it.code } }
        expect("bulky_waste" in booked && "library_computer" in booked && "pothole" !in booked) { "only what is booked: $booked" }
        expect(booking.groups.flatMap { it.services }.all { it.kind == ServiceKind.BOOKING } && booking.groups.none { it.services.isEmpty() }) {
            "no other kind, no empty group: ${booking.groups}"
        }
    }
}

fun aServiceIsFoundBySearchOnline() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ServicesScreen(resident)
        screen.search("pothole")
        val found = screen.showing<ServicesState.Found>("searched online")
        expect(found.services.firstOrNull()?.code == "pothole" && !found.offline && !found.noMatch) { "the best match first, online: $found" }
        expect(found.search == "pothole") { "what was typed is kept: ${found.search}" }
        screen.open("pothole")
        val pothole = screen.showing<ServicesState.Chosen>("the pothole service")
        expect(pothole.opens == Opens.Report("pothole") && pothole.service.name == found.services.first().name) { "a report: $pothole" }
        screen.open("bulky_waste")
        expect(screen.showing<ServicesState.Chosen>("bulky waste").opens == Opens.Book("bulky_waste")) { "a booking" }
        screen.open("pay_parking_penalty")
        expect(screen.showing<ServicesState.Chosen>("a penalty").opens == Opens.Pay("parking_penalty")) { "a payment, for its purpose" }
        screen.open("roadworks")
        val roadworks = screen.showing<ServicesState.Chosen>("roadworks")
        expect(roadworks.opens == Opens.Website(roadworks.service.moreInfoUrl ?: "")) { "the council's website: $roadworks" }
    }
}

fun aServiceIsFoundBySearchOfflineInWhatThePhoneHolds() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ServicesScreen(resident)
        screen.load()
        council.stop()
        screen.search("bulky")
        val found = screen.showing<ServicesState.Found>("searched offline")
        expect(found.offline && found.services.firstOrNull()?.code == "bulky_waste") { "what the phone holds, and it says so: $found" }
        screen.load()
        val listed = screen.showing<ServicesState.Listed>("listed offline")
        expect(listed.offline && listed.groups.isNotEmpty()) { "the phone's copy, said so: $listed" }
    }
}

fun aSearchWithNoMatchSaysSo() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ServicesScreen(resident)
        screen.search("zebra crossing xylophone")
        val found = screen.showing<ServicesState.Found>("searched")
        expect(found.noMatch && found.search == "zebra crossing xylophone" && !found.offline) { "no match, what was typed kept: $found" }
        screen.search("   ")
        val all = screen.showing<ServicesState.Found>("a blank search")
        expect(all.services.map { it.code } == resident.core.services(null).map { it.code }) { "a blank search lists every service" }
    }
}

fun theServicesScreenSaysWhenNothingIsHeldOffline() = withCouncil { council ->
    phone(council.url).use { resident ->
        val screen = ServicesScreen(resident)
        council.stop()
        screen.load()
        val nothing = screen.showing<ServicesState.Failed>("loaded offline with nothing held")
        expect(nothing.canRetry && nothing.message.isNotBlank()) { "offline, try again: $nothing" }
        screen.search("pothole")
        val searched = screen.showing<ServicesState.Failed>("searched offline with nothing held")
        expect(searched.canRetry && searched.search == "pothole") { "try again, what was typed kept: $searched" }
        council.start()
        screen.search(searched.search)
        expect(screen.showing<ServicesState.Found>("searched again online").services.first().code == "pothole") { "found once online" }
        screen.open("no_such_service")
        val unknown = screen.showing<ServicesState.Failed>("an unknown service")
        expect(!unknown.canRetry && unknown.message.contains("no_such_service")) { "the core's words, no retry: $unknown" }
    }
}

/** The journeys of this file, by name, for the runner. */
val servicesScreenJourneys = listOf(
    "theServicesScreenListsTopTasksAndTheCouncilsGroups" to ::theServicesScreenListsTopTasksAndTheCouncilsGroups,
    "aServiceIsFoundBySearchOnline" to ::aServiceIsFoundBySearchOnline,
    "aServiceIsFoundBySearchOfflineInWhatThePhoneHolds" to ::aServiceIsFoundBySearchOfflineInWhatThePhoneHolds,
    "aSearchWithNoMatchSaysSo" to ::aSearchWithNoMatchSaysSo,
    "theServicesScreenSaysWhenNothingIsHeldOffline" to ::theServicesScreenSaysWhenNothingIsHeldOffline,
)
