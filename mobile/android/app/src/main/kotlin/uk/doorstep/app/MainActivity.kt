// The screens: services, a report with a photo and the phone's location, the outbox with what
// needs attention, and payments opened in a Custom Tab. Each screen calls the shared layer and
// shows its `Outcome`; no rule lives here.
//
// Invariant: the app bar shows only the core's status (its events); a failure is shown with
// the advice the core's error carries, and a field to fix is named on the form.
package uk.doorstep.app

import android.annotation.SuppressLint
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.browser.customtabs.CustomTabsIntent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import java.io.ByteArrayOutputStream
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.Resident
import uniffi.doorstep_mobile.Location
import uniffi.doorstep_mobile.ServiceSummary

class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as DoorstepApp
        setContent {
            MaterialTheme {
                var opened by remember { mutableStateOf<Outcome<Resident>?>(null) }
                LaunchedEffect(Unit) { opened = app.resident.await() }
                when (val state = opened) {
                    null -> Text("Opening…")
                    is Outcome.Failed -> Text("Doorstep could not start: ${state.reason}")
                    is Outcome.Done -> Home(state.value)
                }
            }
        }
        // Started by the payment page's return after Android stopped the app meanwhile.
        if (savedInstanceState == null) returned(intent)
    }

    /** Back from the payment page: ask the council how the payment stands. */
    override fun onNewIntent(intent: android.content.Intent) {
        super.onNewIntent(intent)
        returned(intent)
    }

    /** The core reads from the address whether it is a payment's return, and which payment. */
    private fun returned(intent: android.content.Intent?) {
        val url = intent?.dataString ?: return
        val app = application as DoorstepApp
        app.scope.launch { (app.resident.await() as? Outcome.Done)?.value?.paymentReturnedWith(url) }
    }

    /** The photo picked, as a JPEG (the core reads JPEG and PNG; the library may hold HEIC or WebP). */
    private fun asJpeg(uri: Uri): ByteArray? {
        val bitmap = contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it) } ?: return null
        return ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.JPEG, 90, it) }.toByteArray()
    }

    @Composable
    private fun Home(resident: Resident) {
        var services by remember { mutableStateOf<Outcome<List<ServiceSummary>>?>(null) }
        var chosen by remember { mutableStateOf<ServiceSummary?>(null) }
        LaunchedEffect(Unit) { services = resident.services() }
        Column(Modifier.padding(16.dp)) {
            val status = resident.status
            Text("Waiting to send: ${status.waiting} · Needs your attention: ${status.needsAttention}")
            resident.paymentPages.lastOrNull()?.let { (_, page) ->
                Button(onClick = { CustomTabsIntent.Builder().build().launchUrl(this@MainActivity, Uri.parse(page)) }) {
                    Text("Continue to payment")
                }
            }
            when (val found = services) {
                null -> Text("Loading services…")
                is Outcome.Failed -> Text(found.reason)
                is Outcome.Done -> chosen?.let { ReportForm(resident, it) } ?: LazyColumn {
                    items(found.value) { service ->
                        Button(onClick = { chosen = service }) { Text(service.name) }
                    }
                }
            }
        }
    }

    @SuppressLint("MissingPermission")
    @Composable
    private fun ReportForm(resident: Resident, service: ServiceSummary) {
        val scope = rememberCoroutineScope()
        var description by remember { mutableStateOf("") }
        var photo by remember { mutableStateOf<ByteArray?>(null) }
        var result by remember { mutableStateOf<String?>(null) }
        val pick = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
            photo = uri?.let { asJpeg(it) }
        }
        Column {
            Text(service.name, style = MaterialTheme.typography.headlineSmall)
            OutlinedTextField(description, { description = it }, label = { Text("What is wrong?") })
            Button(onClick = { pick.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly)) }) {
                Text(if (photo == null) "Add a photo" else "Change the photo")
            }
            Button(onClick = {
                scope.launch {
                    val here = LocationServices.getFusedLocationProviderClient(this@MainActivity)
                        .getCurrentLocation(Priority.PRIORITY_HIGH_ACCURACY, null).await()
                    val where = Location(here?.latitude, here?.longitude, null, null)
                    result = when (val sent = resident.report(service.code, description, where, emptyMap(), listOfNotNull(photo))) {
                        is Outcome.Done -> "Saved. It is sent as soon as the council can be reached."
                        is Outcome.Failed -> listOfNotNull(sent.field, sent.reason).joinToString(": ")
                    }
                }
            }) { Text("Send report") }
            result?.let { Text(it) }
        }
    }
}
