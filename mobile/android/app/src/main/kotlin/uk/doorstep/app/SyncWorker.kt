// WorkManager's job: run one sync round when the phone is online, also when the app is closed.
//
// Invariant: the worker asks the core to sync and reports its outcome; a failure that is worth
// retrying (offline) is retried by WorkManager with its own back-off, anything else is not.
package uk.doorstep.app

import android.content.Context
import androidx.work.Constraints
import androidx.work.CoroutineWorker
import androidx.work.ExistingPeriodicWorkPolicy
import androidx.work.NetworkType
import androidx.work.PeriodicWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.WorkerParameters
import java.util.concurrent.TimeUnit
import uk.doorstep.shared.Advice
import uk.doorstep.shared.Outcome

class SyncWorker(context: Context, parameters: WorkerParameters) : CoroutineWorker(context, parameters) {
    override suspend fun doWork(): Result {
        val app = applicationContext as DoorstepApp
        val resident = (app.resident.await() as? Outcome.Done)?.value ?: return Result.failure()
        return when (val round = resident.syncNow()) {
            is Outcome.Done -> Result.success()
            is Outcome.Failed -> if (round.advice == Advice.TRY_WHEN_ONLINE) Result.retry() else Result.failure()
        }
    }

    companion object {
        fun schedule(context: Context) {
            val request = PeriodicWorkRequestBuilder<SyncWorker>(15, TimeUnit.MINUTES)
                .setConstraints(Constraints.Builder().setRequiredNetworkType(NetworkType.CONNECTED).build())
                .build()
            WorkManager.getInstance(context)
                .enqueueUniquePeriodicWork("doorstep-sync", ExistingPeriodicWorkPolicy.KEEP, request)
        }
    }
}
