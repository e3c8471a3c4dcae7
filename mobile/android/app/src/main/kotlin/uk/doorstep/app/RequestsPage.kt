// "My requests" drawn from RequestsScreen: the reports, bookings and payments this phone made,
// each with its title, reference and tag. Only drawing lives here.
//
// Invariant: every word of a row is the model's (the core's `shown`); the list follows the
// core while the page is shown and stops when it goes.
package uk.doorstep.app

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import uk.doorstep.shared.RequestRow
import uk.doorstep.shared.RequestsScreen
import uk.doorstep.shared.RequestsState

/** `onOpen` opens a request's own page (a report's, a booking's or a payment's, by its kind). */
@Composable
fun RequestsPage(screen: RequestsScreen, onOpen: (RequestRow) -> Unit) {
    val state by screen.state.collectAsState()
    LaunchedEffect(Unit) { screen.follow() }
    Column(Modifier.padding(16.dp)) {
        Text("Your requests", style = MaterialTheme.typography.headlineMedium)
        when (val shown = state) {
            RequestsState.Loading -> Text("Finding your requests…")
            is RequestsState.Failed -> Text(shown.message)
            is RequestsState.Listed -> if (shown.nothingYet) {
                Text("You have not reported, booked or paid for anything yet.")
            } else {
                LazyColumn {
                    listOf("Your reports" to shown.reports, "Your bookings" to shown.bookings, "Your payments" to shown.payments)
                        .filter { (_, rows) -> rows.isNotEmpty() }
                        .forEach { (heading, rows) ->
                            item(key = heading) { Text(heading, style = MaterialTheme.typography.titleLarge) }
                            items(rows, key = { it.localId }) { row -> RequestLine(row, onOpen) }
                        }
                }
            }
        }
    }
}

@Composable
private fun RequestLine(row: RequestRow, onOpen: (RequestRow) -> Unit) {
    Column(Modifier.clickable { onOpen(row) }.padding(vertical = 8.dp)) {
        Text(row.shown.title, style = MaterialTheme.typography.titleMedium)
        Text(row.shown.summary, style = MaterialTheme.typography.bodyMedium)
        Text(row.shown.reference ?: "Not sent yet", style = MaterialTheme.typography.bodySmall)
        Text(
            row.tag,
            style = MaterialTheme.typography.labelLarge,
            color = if (row.needsAttention) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.primary,
        )
    }
}
