// Firebase Messaging's service: a new registration token goes to the core, and a push from the
// council (data only: "something changed") runs a round that pulls the change feed, whose
// status changes the app posts as notifications.
//
// Invariant: the service reads nothing from a push; what changed is only ever the core's.
package uk.doorstep.app

import com.google.firebase.messaging.FirebaseMessagingService
import com.google.firebase.messaging.RemoteMessage
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.pushToken
import uk.doorstep.shared.pushed

class DoorstepMessagingService : FirebaseMessagingService() {
    private val app get() = application as DoorstepApp

    override fun onNewToken(token: String) {
        app.scope.launch { (app.resident.await() as? Outcome.Done)?.value?.pushToken(token) }
    }

    /** On Firebase's own background thread, which it keeps the app alive for until this returns. */
    override fun onMessageReceived(message: RemoteMessage) {
        runBlocking { (app.resident.await() as? Outcome.Done)?.value?.pushed() }
    }
}
