// One report drawn from RequestScreen: its reference, status, what was answered, its timeline,
// and the box for an update with "Add update" and, when offered, "It is still not fixed".
// Only drawing lives here.
//
// Invariant: every word about the report is the model's (the core's `shown`); the update box
// is the model's text, so nothing typed is lost when the core refuses it; the page follows the
// report while it is shown.
package uk.doorstep.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
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
import androidx.compose.ui.unit.dp
import java.time.ZoneId
import java.time.format.DateTimeFormatter
import java.time.format.FormatStyle
import kotlinx.coroutines.launch
import uk.doorstep.shared.RequestScreen
import uk.doorstep.shared.RequestState

private val MOMENT = DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM, FormatStyle.SHORT).withZone(ZoneId.systemDefault())

@Composable
fun RequestPage(screen: RequestScreen, localId: String) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(localId) {
        screen.load(localId)
        screen.follow()
    }
    Column(Modifier.padding(16.dp).verticalScroll(rememberScrollState())) {
        when (val shown = state) {
            RequestState.Loading -> Text("Finding your report…")
            is RequestState.Failed -> {
                Text(shown.message)
                if (shown.canRetry) Button(onClick = { scope.launch { screen.load(localId) } }) { Text("Try again") }
            }
            is RequestState.Showing -> {
                val report = shown.report.shown
                shown.summary.forEach { Text(it.message, color = MaterialTheme.colorScheme.error) }
                Text(report.title, style = MaterialTheme.typography.headlineSmall)
                Text("Reference: ${report.reference ?: "Not sent yet"}")
                Text(listOfNotNull(report.status, report.delivery).joinToString(" · "))
                Text(report.summary)
                report.place?.let { Text("Where: $it") }
                report.answers.forEach { Text("${it.question}: ${it.answer}", style = MaterialTheme.typography.bodySmall) }
                if (report.steps.isNotEmpty()) {
                    Text("What has happened", style = MaterialTheme.typography.titleMedium)
                    report.steps.forEach { step ->
                        Text("${MOMENT.format(step.at)} · ${step.by}", style = MaterialTheme.typography.bodySmall)
                        step.status?.let { Text(it, style = MaterialTheme.typography.titleSmall) }
                        step.note?.let { Text(it) }
                    }
                }
                Text("Tell the council something more", style = MaterialTheme.typography.titleMedium)
                shown.added?.let { Text(if (it.sent) "Your update is with the council." else "Your update is saved and will be sent.") }
                val problem = shown.errors[RequestScreen.UPDATE]
                OutlinedTextField(
                    shown.update,
                    screen::write,
                    label = { Text("Your update") },
                    isError = problem != null,
                    supportingText = problem?.let { message -> @Composable { Text(message) } },
                    minLines = 3,
                )
                Button(onClick = { scope.launch { screen.addUpdate() } }, enabled = !shown.sending) { Text("Add update") }
                if (shown.mayReopen) {
                    OutlinedButton(onClick = { scope.launch { screen.reopen() } }, enabled = !shown.sending) {
                        Text("It is not fixed: reopen this report")
                    }
                }
            }
        }
    }
}
