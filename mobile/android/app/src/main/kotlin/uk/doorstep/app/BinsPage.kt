// Bin day's screen: draws BinsScreen's state, hands the calendar file to Android's share sheet,
// and schedules the core's reminders as notifications through WorkManager. No rule lives here.
//
// Invariant: every word about the bins, the reminders and their times comes from the model (the
// core's); one reminder a collection, by the reminder's id, so scheduling again replaces it.
package uk.doorstep.app

import android.app.NotificationChannel
import android.app.NotificationManager
import android.content.Context
import android.content.Intent
import android.os.Build
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.unit.dp
import androidx.work.ExistingWorkPolicy
import androidx.work.OneTimeWorkRequestBuilder
import androidx.work.WorkManager
import androidx.work.Worker
import androidx.work.WorkerParameters
import androidx.work.workDataOf
import java.time.Duration
import java.time.LocalDate
import java.time.LocalDateTime
import java.time.ZoneId
import java.time.ZonedDateTime
import java.time.format.DateTimeFormatter
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.launch
import uk.doorstep.shared.BinsScreen
import uk.doorstep.shared.BinsState
import uk.doorstep.shared.SharedFile
import uniffi.doorstep_mobile.BinReminder

@Composable
fun BinsPage(screen: BinsScreen) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    // Android 13 on asks the resident before an app may notify; the reminders are scheduled once they allow it.
    val allowed = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { granted ->
        val showing = screen.state.value as? BinsState.Calendar
        if (granted && showing != null) remind(context, showing.reminders)
    }
    LaunchedEffect(Unit) { screen.load() }
    Column(Modifier.padding(16.dp)) {
        Text("Bin day", style = MaterialTheme.typography.headlineMedium)
        when (val now = state) {
            BinsState.Loading -> Text("Finding your collections…")
            is BinsState.Postcode -> {
                OutlinedTextField(
                    value = now.postcode,
                    onValueChange = screen::type,
                    label = { Text("Postcode") },
                    supportingText = { Text(now.error ?: "For example, DH1 5UQ") },
                    isError = now.error != null,
                    singleLine = true,
                )
                Button(onClick = { scope.launch { screen.find() } }, enabled = !now.searching) { Text("Find address") }
            }
            is BinsState.Choose -> {
                Text(if (now.found.stale) "Choose your address (saved from an earlier visit)" else "Choose your address")
                now.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                now.found.addresses.forEach { address ->
                    OutlinedButton(onClick = { scope.launch { screen.choose(address.uprn) } }) { Text(address.address) }
                }
                OutlinedButton(onClick = screen::change) { Text("Change postcode") }
            }
            is BinsState.Failed -> {
                Text(now.message)
                if (now.canRetry) Button(onClick = { scope.launch { screen.refresh() } }) { Text("Try again") }
                OutlinedButton(onClick = screen::change) { Text("Change address") }
            }
            is BinsState.Calendar -> {
                Text(now.calendar.address, style = MaterialTheme.typography.titleMedium)
                if (now.calendar.stale) Text("These collections were saved earlier; they may have changed.", color = MaterialTheme.colorScheme.error)
                if (now.calendar.collections.isEmpty()) Text("The council has no collections listed for this address.")
                now.calendar.collections.forEach { collection ->
                    Text(LocalDate.parse(collection.date).format(DAY), style = MaterialTheme.typography.titleSmall)
                    collection.bins.forEach { bin -> Text("${bin.name} (${bin.colour} bin)") }
                }
                if (now.calendar.advice.isNotEmpty()) Text(now.calendar.advice)
                Button(
                    onClick = {
                        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
                            allowed.launch(android.Manifest.permission.POST_NOTIFICATIONS)
                        } else {
                            remind(context, now.reminders)
                        }
                    },
                    enabled = now.reminders.isNotEmpty(),
                ) { Text("Remind me the evening before") }
                Button(onClick = { scope.launch { screen.calendarFile() } }) { Text("Save to your calendar") }
                OutlinedButton(onClick = screen::change) { Text("Change address") }
                now.fileProblem?.let { Text(it) }
                now.file?.let { file -> LaunchedEffect(file) { share(context, file, "text/calendar") } }
            }
        }
    }
}

private val DAY: DateTimeFormatter = DateTimeFormatter.ofPattern("EEEE d MMMM")

/** Android's share sheet, with the file's text and name. */
fun share(context: Context, file: SharedFile, type: String) {
    val send = Intent(Intent.ACTION_SEND).apply {
        this.type = type
        putExtra(Intent.EXTRA_TITLE, file.name)
        putExtra(Intent.EXTRA_SUBJECT, file.name)
        putExtra(Intent.EXTRA_TEXT, file.text)
    }
    context.startActivity(Intent.createChooser(send, file.name))
}

/** Schedule each reminder at its local time, replacing one of the same id. */
private fun remind(context: Context, reminders: List<BinReminder>) {
    val work = WorkManager.getInstance(context)
    for (reminder in reminders) {
        val at = LocalDateTime.of(reminder.year, reminder.month.toInt(), reminder.day.toInt(), reminder.hour.toInt(), reminder.minute.toInt())
            .atZone(ZoneId.systemDefault())
        val wait = Duration.between(ZonedDateTime.now(), at).toMillis().coerceAtLeast(0)
        val request = OneTimeWorkRequestBuilder<BinReminderWorker>()
            .setInitialDelay(wait, TimeUnit.MILLISECONDS)
            .setInputData(workDataOf("id" to reminder.id, "title" to reminder.title, "body" to reminder.body))
            .build()
        work.enqueueUniqueWork(reminder.id, ExistingWorkPolicy.REPLACE, request)
    }
}

/** Shows one reminder as a notification when WorkManager runs it. */
class BinReminderWorker(context: Context, parameters: WorkerParameters) : Worker(context, parameters) {
    override fun doWork(): Result {
        val notifications = applicationContext.getSystemService(NotificationManager::class.java)
        notifications.createNotificationChannel(NotificationChannel(CHANNEL, "Bin day reminders", NotificationManager.IMPORTANCE_DEFAULT))
        val notification = android.app.Notification.Builder(applicationContext, CHANNEL)
            .setSmallIcon(android.R.drawable.ic_popup_reminder)
            .setContentTitle(inputData.getString("title"))
            .setContentText(inputData.getString("body"))
            .setAutoCancel(true)
            .build()
        if (notifications.areNotificationsEnabled()) {
            notifications.notify(inputData.getString("id").hashCode(), notification)
        }
        return Result.success()
    }

    private companion object {
        const val CHANNEL = "bins"
    }
}
