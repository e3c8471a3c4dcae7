// Status changes as Android notifications: each StatusNotification the shared layer makes from
// the core's events is posted with its title and body, and opens the app at its request. Only
// platform calls live here.
//
// Invariant: the words posted are the core's, unchanged; one notification per request (a
// newer status replaces the older), posted only when the resident allows notifications.
package uk.doorstep.app

import android.Manifest
import android.app.Notification
import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import android.content.pm.PackageManager
import android.os.Build
import uk.doorstep.shared.StatusNotification

/** Post `notice`; tapping it opens MainActivity with the request's local id and kind as extras. */
fun postStatusNotification(context: Context, notice: StatusNotification) {
    val allowed = Build.VERSION.SDK_INT < Build.VERSION_CODES.TIRAMISU ||
        context.checkSelfPermission(Manifest.permission.POST_NOTIFICATIONS) == PackageManager.PERMISSION_GRANTED
    if (!allowed) return
    val manager = context.getSystemService(NotificationManager::class.java)
    manager.createNotificationChannel(NotificationChannel(STATUS_CHANNEL, "Status changes", NotificationManager.IMPORTANCE_DEFAULT))
    val open = Intent(context, MainActivity::class.java)
        .putExtra(OPENS_REQUEST, notice.opens)
        .putExtra(OPENS_KIND, notice.kind?.name)
        .addFlags(Intent.FLAG_ACTIVITY_SINGLE_TOP)
    val tap = PendingIntent.getActivity(context, notice.opens.hashCode(), open, PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT)
    val notification = Notification.Builder(context, STATUS_CHANNEL)
        .setSmallIcon(android.R.drawable.stat_notify_sync)
        .setContentTitle(notice.title)
        .setContentText(notice.body)
        .setContentIntent(tap)
        .setAutoCancel(true)
        .build()
    manager.notify(notice.opens, 0, notification)
}

/** The extra naming the request a notification opens (its local id). */
const val OPENS_REQUEST = "uk.doorstep.app.OPENS_REQUEST"

/** The extra naming that request's kind (a RequestKind's name). */
const val OPENS_KIND = "uk.doorstep.app.OPENS_KIND"

private const val STATUS_CHANNEL = "status"
