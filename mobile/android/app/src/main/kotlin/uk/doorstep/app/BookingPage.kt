// One booking, drawn: its title, reference, status, when and where and what was answered in
// the core's words, "Continue to payment" when a fee is due, and cancelling it after "Are you
// sure?". Only drawing; what is decided is the BookingScreen model's.
//
// Invariant: cancelling and paying are offered only when the model says so.
package uk.doorstep.app

import android.content.Context
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.BookingScreen
import uk.doorstep.shared.BookingState

@Composable
fun BookingPage(screen: BookingScreen, localId: String, context: Context) {
    val scope = rememberCoroutineScope()
    val state by screen.state.collectAsState()
    LaunchedEffect(localId) { screen.load(localId) }
    Column {
        when (val now = state) {
            BookingState.Loading -> Text("Finding the booking…")
            is BookingState.Failed -> {
                Text(now.message)
                if (now.canRetry) Button(onClick = { scope.launch { screen.load(localId) } }) { Text("Try again") }
            }
            is BookingState.Showing -> {
                val shown = now.booking.shown
                Text(shown.title, style = MaterialTheme.typography.headlineSmall)
                Text(shown.reference ?: shown.delivery)
                shown.status?.let { Text(it) }
                Text(shown.summary)
                shown.place?.let { Text(it) }
                shown.answers.forEach { Text("${it.question}: ${it.answer}") }
                val fee = now.fee
                if (fee != null) {
                    PaymentPage(fee, context)
                } else if (now.feeDue != null) {
                    Button(onClick = { scope.launch { screen.payFee() } }) { Text("Continue to payment") }
                }
                if (now.mayCancel) {
                    if (now.confirming) {
                        Text("Are you sure? Your time will be given to someone else.")
                        Button(onClick = { scope.launch { screen.cancel() } }, enabled = !now.cancelling) { Text("Yes, cancel this booking") }
                        OutlinedButton(onClick = screen::keep) { Text("No, keep it") }
                    } else {
                        OutlinedButton(onClick = screen::askToCancel) { Text("Cancel this booking") }
                    }
                }
                now.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            }
        }
    }
}
