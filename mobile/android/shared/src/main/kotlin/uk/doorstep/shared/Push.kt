// Push from the council: the token Firebase Messaging gives this app goes to the core, which
// gives it to the council in its next round; a push that arrives runs a round, which pulls the
// change feed, and what changed reaches the resident as the core's status notification.
// No Android import: the JVM tests run this layer; the app's FirebaseMessagingService calls it.
//
// Invariant: a push carries nothing the phone reads — it only says "pull now".
package uk.doorstep.shared

import uniffi.doorstep_core.SyncReport
import uniffi.doorstep_protocol.PushService

/** The registration token Firebase Messaging gave this app: on every start and in `onNewToken`. */
suspend fun Resident.pushToken(token: String): Outcome<Unit> = attempt { core.registerPush(PushService.FCM, token) }

/** A push came from the council: something changed; a round pulls what, while the push service gives the app time. */
suspend fun Resident.pushed(): Outcome<SyncReport> = syncNow()
