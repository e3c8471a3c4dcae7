// The "find a service" screens drawn from ServicesScreen: the search, the top tasks, the
// services under their groups, what a search found, and one service with its way in. Only
// drawing and platform calls (the browser for a service on the council's website) live here.
//
// Invariant: what is listed, found and opened is the model's state, drawn as it is; the
// search box keeps what the resident typed.
package uk.doorstep.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalUriHandler
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import uk.doorstep.shared.Opens
import uk.doorstep.shared.ServicesScreen
import uk.doorstep.shared.ServicesState
import uniffi.doorstep_core.TopTask
import uniffi.doorstep_protocol.ServiceKind

/** `onTask` follows a top task, `onOpen` a service's journey (a report, a booking, a payment). */
@Composable
fun ServicesPage(screen: ServicesScreen, kind: ServiceKind?, onTask: (TopTask) -> Unit, onOpen: (Opens) -> Unit) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    val browser = LocalUriHandler.current
    var search by rememberSaveable { mutableStateOf("") }
    LaunchedEffect(kind) { screen.load(kind) }
    Column(Modifier.padding(16.dp)) {
        Text("What do you need to do?", style = MaterialTheme.typography.headlineMedium)
        Row {
            OutlinedTextField(
                search,
                { search = it },
                label = { Text("Search the council's services") },
                supportingText = { Text("For example, pothole, bulky waste or council tax") },
                singleLine = true,
            )
            Button(onClick = { scope.launch { screen.search(search) } }) { Text("Search") }
        }
        when (val shown = state) {
            ServicesState.Loading -> Text("Finding the council's services…")
            is ServicesState.Failed -> {
                Text(shown.message)
                if (shown.canRetry) {
                    Button(onClick = { scope.launch { if (shown.search.isBlank()) screen.load(kind) else screen.search(shown.search) } }) {
                        Text("Try again")
                    }
                }
            }
            is ServicesState.Listed -> LazyColumn {
                if (shown.offline) item { Text("You are offline: these are the services this phone holds.") }
                if (shown.kind == null) {
                    item { Text("Top tasks", style = MaterialTheme.typography.titleLarge) }
                    items(shown.tasks) { task ->
                        Column {
                            TextButton(onClick = { onTask(task) }) { Text(task.text) }
                            Text(task.hint, style = MaterialTheme.typography.bodySmall)
                        }
                    }
                }
                shown.groups.forEach { group ->
                    item(key = group.code) { Text(group.name, style = MaterialTheme.typography.titleMedium) }
                    items(group.services, key = { it.code }) { service ->
                        TextButton(onClick = { scope.launch { screen.open(service.code) } }) { Text(service.name) }
                    }
                }
            }
            is ServicesState.Found -> LazyColumn {
                item {
                    Text(
                        when (shown.services.size) {
                            0 -> "No services match"
                            1 -> "1 service matches"
                            else -> "${shown.services.size} services match"
                        },
                        style = MaterialTheme.typography.titleMedium,
                    )
                }
                if (shown.offline) item { Text("You are offline: this searched the services this phone holds.") }
                if (shown.noMatch) item { Text("Try another word.") }
                items(shown.services, key = { it.code }) { service ->
                    Column {
                        TextButton(onClick = { scope.launch { screen.open(service.code) } }) { Text(service.name) }
                        Text(service.description, style = MaterialTheme.typography.bodySmall)
                    }
                }
            }
            is ServicesState.Chosen -> Column {
                Text(shown.service.name, style = MaterialTheme.typography.headlineSmall)
                Text(shown.service.description, style = MaterialTheme.typography.bodyLarge)
                shown.service.whatHappensNext?.let {
                    Text("What happens next", style = MaterialTheme.typography.titleMedium)
                    Text(it)
                }
                when (val opens = shown.opens) {
                    is Opens.Website -> Button(onClick = { browser.openUri(opens.url) }) { Text("Open the council's website") }
                    Opens.Information -> Unit
                    else -> Button(onClick = { onOpen(opens) }) { Text("Start now") }
                }
            }
        }
    }
}
