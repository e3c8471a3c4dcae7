// Push through the Android shell's layer (Push.kt), against the real library and a real council
// server on 127.0.0.1: the phone gives Firebase Messaging's token (a malformed one is refused
// by its field), the council moves a report on, and the push handed to the shared layer runs a
// round that pulls the change, which becomes the core's status notification.
package uk.doorstep.tests

import java.util.Collections
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.Advice
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.StatusNotification
import uk.doorstep.shared.hear
import uk.doorstep.shared.postNotifications
import uk.doorstep.shared.pushToken
import uk.doorstep.shared.pushed

fun aPushFromTheCouncilWakesThePhoneWhichPullsTheChange() = withCouncil { council ->
    phone(council.url).use { resident ->
        val refused = resident.pushToken("not a token")
        expect(refused is Outcome.Failed && refused.advice == Advice.FIX_INPUT && refused.field == "token") { "refused by its field: $refused" }
        resident.pushToken("dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH-1RYqx").done("push token")
        val sent = resident.sentPothole("A deep pothole by the bus stop")
        val posted = Collections.synchronizedList(mutableListOf<StatusNotification>())
        coroutineScope {
            val events = resident.hear()
            val posting = launch { events.postNotifications { posted += it } }
            council.movesOn(sent, "in_progress", "A crew is on its way")
            resident.pushed().done("pull")
            eventually { posted.isNotEmpty() }
            posting.cancel()
        }
        expect(posted.single().opens == sent.localId) { "the pushed change is the report's: $posted" }
    }
}

/** The journeys of this file, by name, for the runner. */
val pushJourneys = listOf(
    "aPushFromTheCouncilWakesThePhoneWhichPullsTheChange" to ::aPushFromTheCouncilWakesThePhoneWhichPullsTheChange,
)
