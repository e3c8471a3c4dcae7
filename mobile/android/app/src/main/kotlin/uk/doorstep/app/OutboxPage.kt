// "Waiting to send"'s screen: draws OutboxScreen's state — each thing in the core's words, the
// council's problem, "Try again", "Fix and send again", and "Discard" behind a question. No rule
// lives here.
//
// Invariant: every action goes through the model, which acts once per tap and discards only
// what the resident confirmed; a fix's problems are drawn beside the field they name.
package uk.doorstep.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
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
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import uk.doorstep.shared.Acted
import uk.doorstep.shared.OutboxScreen
import uk.doorstep.shared.OutboxScreenState
import uk.doorstep.shared.WaitingThing
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_mobile.OutboxState

@Composable
fun OutboxPage(screen: OutboxScreen) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    LaunchedEffect(Unit) { screen.load() }
    Column(Modifier.padding(16.dp)) {
        Text("Waiting to send", style = MaterialTheme.typography.headlineMedium)
        when (val now = state) {
            OutboxScreenState.Loading -> Text("Finding what is waiting…")
            is OutboxScreenState.Failed -> Text(now.message)
            is OutboxScreenState.Shown -> {
                Text("Waiting to send: ${now.status.waiting} · Needs your attention: ${now.status.needsAttention}")
                now.done?.let { done ->
                    Text(
                        when (done.acted) {
                            Acted.RETRIED -> "${done.name}: it will be tried again."
                            Acted.FIXED -> "${done.name}: fixed and sent again."
                            Acted.DISCARDED -> "${done.name}: discarded."
                        },
                    )
                }
                Button(onClick = { scope.launch { screen.sendNow() } }, enabled = !now.sending) {
                    Text(if (now.sending) "Sending…" else "Send now")
                }
                now.sent?.let { Text(it.said) }
                now.sendProblem?.let { Text("Nothing could be sent: $it") }
                if (now.things.isEmpty()) Text("Nothing is waiting to send.")
                LazyColumn {
                    items(now.things, key = { it.key }) { thing ->
                        Thing(screen, thing, now, onAct = { action -> scope.launch { action() } })
                    }
                }
            }
        }
    }
}

@Composable
private fun Thing(screen: OutboxScreen, thing: WaitingThing, shown: OutboxScreenState.Shown, onAct: (suspend () -> Unit) -> Unit) {
    var answer by remember(thing.key) { mutableStateOf("") }
    var slot by remember(thing.key) { mutableStateOf<String?>(null) }
    val busy = shown.busy == thing.key
    val problems = shown.problems[thing.key].orEmpty()
    Column(Modifier.padding(vertical = 12.dp)) {
        if (thing.entry.about.isNotEmpty()) Text(thing.entry.what, style = MaterialTheme.typography.labelMedium)
        Text(thing.name, style = MaterialTheme.typography.titleMedium)
        when (val entryState = thing.entry.state) {
            is OutboxState.Waiting -> {
                Text(if (entryState.attempts == 0u) "Waiting to send. Not tried yet." else "Waiting to send. Tried ${entryState.attempts} times.")
                entryState.lastError?.let { Text("Last time: $it") }
            }
            is OutboxState.NeedsAttention -> {
                Text("Needs your attention. The council said: ${entryState.problem.message}", color = MaterialTheme.colorScheme.error)
                thing.alternatives.forEach { alternative ->
                    Row {
                        RadioButton(selected = slot == alternative.id, onClick = { slot = alternative.id })
                        Text("${alternative.siteName}: ${alternative.start}")
                    }
                }
                thing.answerToFix?.let { code ->
                    val besideAnswer = problems.firstOrNull { it.field == "answers.$code" }?.message
                    OutlinedTextField(
                        value = answer,
                        onValueChange = { answer = it },
                        label = { Text("New answer for “${code.replace('_', ' ')}”") },
                        supportingText = besideAnswer?.let { { Text(it) } },
                        isError = besideAnswer != null,
                    )
                }
                if (thing.answerToFix != null || thing.alternatives.isNotEmpty()) {
                    Button(
                        onClick = {
                            val answers = thing.answerToFix?.let { mapOf(it to GivenAnswer.Typed(answer)) } ?: emptyMap()
                            onAct { screen.fix(thing.key, slot, answers) }
                        },
                        enabled = !busy,
                    ) { Text("Fix and send again") }
                }
                Row {
                    OutlinedButton(onClick = { onAct { screen.retry(thing.key) } }, enabled = !busy) { Text("Try again") }
                    if (shown.confirming != thing.key) {
                        OutlinedButton(onClick = { screen.askDiscard(thing.key) }) { Text("Discard") }
                    }
                }
                if (shown.confirming == thing.key) {
                    Text("Discard “${thing.name}”? It will not be sent, and what you entered will be deleted from this device.")
                    Row {
                        Button(onClick = { onAct { screen.discard(thing.key) } }, enabled = !busy) { Text("Yes, discard it") }
                        OutlinedButton(onClick = screen::keep) { Text("No, keep it") }
                    }
                }
            }
        }
        problems.filter { it.field == null || it.field != thing.answerToFix?.let { code -> "answers.$code" } }
            .forEach { Text(it.message, color = MaterialTheme.colorScheme.error) }
    }
}
