// The application: opens the core once in the app's files folder, tells it about connectivity,
// asks WorkManager to sync when a connection returns, gives it Firebase Messaging's token (so
// the council can wake the phone), and posts the council's status changes as notifications
// while the process lives.
//
// Invariant: one `Resident` for the process; the shell only reports what Android knows
// (network, lifecycle) — what to send and when is the core's.
package uk.doorstep.app

import android.app.Application
import android.net.ConnectivityManager
import android.net.Network
import android.os.Build
import com.google.firebase.messaging.FirebaseMessaging
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Deferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.Resident
import uk.doorstep.shared.hear
import uk.doorstep.shared.postNotifications
import uk.doorstep.shared.pushToken

class DoorstepApp : Application() {
    val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
    lateinit var resident: Deferred<Outcome<Resident>>

    override fun onCreate() {
        super.onCreate()
        resident = scope.async {
            Resident.open(
                filesDir = filesDir.path,
                councilUrl = BuildConfig.COUNCIL_URL,
                secrets = KeystoreSecrets(this@DoorstepApp),
                platform = "android",
                deviceName = "${Build.MANUFACTURER} ${Build.MODEL}",
            )
        }
        getSystemService(ConnectivityManager::class.java).registerDefaultNetworkCallback(
            object : ConnectivityManager.NetworkCallback() {
                override fun onAvailable(network: Network) = connectivity(true)
                override fun onLost(network: Network) = connectivity(false)
            },
        )
        SyncWorker.schedule(this)
        FirebaseMessaging.getInstance().token.addOnSuccessListener { token ->
            scope.launch { (resident.await() as? Outcome.Done)?.value?.pushToken(token) }
        }
        scope.launch {
            val opened = (resident.await() as? Outcome.Done)?.value ?: return@launch
            opened.hear().postNotifications { postStatusNotification(this@DoorstepApp, it) }
        }
    }

    private fun connectivity(online: Boolean) {
        scope.launch { (resident.await() as? Outcome.Done)?.value?.connectivity(online) }
    }
}
