// Report a problem, drawn from ReportScreen: what is wrong, the service's questions, where (the
// phone's position, an address found by postcode, or coordinates typed in), photos from the
// camera or the library, contact details, "Check your answers", then the council's reference or
// "saved, we'll send it". Only drawing and platform calls (the position, the camera, the photo
// picker) live here.
//
// Invariant: every input shows what the model holds and the problem the model puts beside it;
// "Send report" is disabled while the model says the report is on its way.
package uk.doorstep.app

import android.annotation.SuppressLint
import android.content.Context
import android.graphics.Bitmap
import android.graphics.BitmapFactory
import android.net.Uri
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.result.PickVisualMediaRequest
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import java.io.ByteArrayOutputStream
import kotlinx.coroutines.launch
import kotlinx.coroutines.tasks.await
import uk.doorstep.shared.ReportScreen
import uk.doorstep.shared.ReportState

@SuppressLint("MissingPermission")
@Composable
fun ReportPage(screen: ReportScreen, serviceCode: String, context: Context, onRequest: (String) -> Unit) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    var postcode by rememberSaveable { mutableStateOf("") }
    var lat by rememberSaveable { mutableStateOf("") }
    var lon by rememberSaveable { mutableStateOf("") }
    val pick = rememberLauncherForActivityResult(ActivityResultContracts.PickVisualMedia()) { uri ->
        uri?.let { context.asJpeg(it) }?.let(screen::addPhoto)
    }
    val take = rememberLauncherForActivityResult(ActivityResultContracts.TakePicturePreview()) { bitmap ->
        bitmap?.let { screen.addPhoto(it.jpeg()) }
    }
    LaunchedEffect(serviceCode) { screen.load(serviceCode) }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState())) {
        when (val now = state) {
            ReportState.Loading -> Text("Finding the questions…")
            is ReportState.Failed -> {
                Text(now.message)
                if (now.canRetry) Button(onClick = { scope.launch { screen.load(serviceCode) } }) { Text("Try again") }
            }
            is ReportState.Form -> {
                Text(now.service.name, style = MaterialTheme.typography.headlineSmall)
                if (now.summary.isNotEmpty()) Text("There is a problem", style = MaterialTheme.typography.titleMedium)
                now.summary.forEach { Text(it.message, color = MaterialTheme.colorScheme.error) }
                Typed("What is wrong?", now.description, now.errors[ReportScreen.DESCRIPTION], lines = 4, change = screen::describe)
                now.fields.forEach { field ->
                    QuestionField(field, now.answers[field.code], now.errors[field.problemField]) { screen.answer(field.code, it) }
                }
                Text("Where is it?", style = MaterialTheme.typography.titleMedium)
                now.errors[ReportScreen.LOCATION]?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                now.location.address?.let { Text(it) }
                Button(onClick = {
                    scope.launch {
                        LocationServices.getFusedLocationProviderClient(context)
                            .getCurrentLocation(Priority.PRIORITY_HIGH_ACCURACY, null).await()
                            ?.let { screen.place(it.latitude, it.longitude) }
                    }
                }) { Text("Use where I am now") }
                Typed("Find an address by postcode", postcode, now.errors[ReportScreen.POSTCODE], change = { postcode = it })
                OutlinedButton(onClick = { scope.launch { screen.lookUp(postcode) } }) { Text("Find address") }
                now.addresses.forEach { address ->
                    Row {
                        RadioButton(now.location.uprn == address.uprn, { screen.pick(address.uprn) })
                        Text(address.address)
                    }
                }
                Row {
                    Typed("Latitude", lat, null, change = { lat = it })
                    Typed("Longitude", lon, null, change = { lon = it })
                }
                OutlinedButton(onClick = {
                    val a = lat.toDoubleOrNull()
                    val b = lon.toDoubleOrNull()
                    if (a != null && b != null) screen.place(a, b)
                }) { Text("Use these coordinates") }
                Text("Photos (optional)", style = MaterialTheme.typography.titleMedium)
                now.errors[ReportScreen.PHOTOS]?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                now.photos.indices.forEach { i ->
                    Row {
                        Text("Photo ${i + 1}")
                        OutlinedButton(onClick = { screen.removePhoto(i) }) { Text("Remove") }
                    }
                }
                Row {
                    OutlinedButton(onClick = { take.launch(null) }) { Text("Take a photo") }
                    OutlinedButton(onClick = { pick.launch(PickVisualMediaRequest(ActivityResultContracts.PickVisualMedia.ImageOnly)) }) { Text("Choose a photo") }
                }
                Text("Your contact details (optional)", style = MaterialTheme.typography.titleMedium)
                Typed("Full name", now.contact.name.orEmpty(), null, change = { screen.contact(now.contact.copy(name = it)) })
                Typed("Email address", now.contact.email.orEmpty(), now.errors[ReportScreen.EMAIL], change = { screen.contact(now.contact.copy(email = it)) })
                Typed("Phone number", now.contact.phone.orEmpty(), null, change = { screen.contact(now.contact.copy(phone = it)) })
                Button(onClick = { scope.launch { screen.check() } }) { Text("Continue") }
            }
            is ReportState.Check -> {
                Text("Check your answers", style = MaterialTheme.typography.headlineSmall)
                now.rows.forEach { row ->
                    Text(row.question, style = MaterialTheme.typography.titleSmall)
                    Row {
                        Text(row.answer)
                        OutlinedButton(onClick = { screen.change(row.code) }, enabled = !now.sending) { Text("Change") }
                    }
                }
                Button(onClick = { scope.launch { screen.send() } }, enabled = !now.sending) {
                    Text(if (now.sending) "Sending…" else "Send report")
                }
            }
            is ReportState.Done -> {
                Text("Report sent", style = MaterialTheme.typography.headlineSmall)
                Text("Your reference is ${now.reference}")
                now.whatHappensNext?.let {
                    Text("What happens next", style = MaterialTheme.typography.titleMedium)
                    Text(it)
                }
                Button(onClick = { onRequest(now.report.localId) }) { Text("See your report") }
            }
            is ReportState.Saved -> {
                Text(if (now.problem == null) "Report saved" else "The council could not take your report", style = MaterialTheme.typography.headlineSmall)
                Text(now.problem ?: "We will send it when you are back online. ${now.report.shown.delivery}.")
                Button(onClick = { onRequest(now.report.localId) }) { Text("See your report") }
            }
        }
    }
}

/** A text input with its label and the problem beside it. */
@Composable
private fun Typed(label: String, value: String, problem: String?, lines: Int = 1, change: (String) -> Unit) {
    OutlinedTextField(
        value,
        change,
        label = { Text(label) },
        isError = problem != null,
        supportingText = problem?.let { message -> @Composable { Text(message) } },
        singleLine = lines == 1,
        minLines = lines,
    )
}

/** The photo picked, as a JPEG (the core reads JPEG and PNG; the library may hold HEIC or WebP). */
private fun Context.asJpeg(uri: Uri): ByteArray? =
    contentResolver.openInputStream(uri)?.use { BitmapFactory.decodeStream(it) }?.jpeg()

private fun Bitmap.jpeg(): ByteArray = ByteArrayOutputStream().also { compress(Bitmap.CompressFormat.JPEG, 90, it) }.toByteArray()
