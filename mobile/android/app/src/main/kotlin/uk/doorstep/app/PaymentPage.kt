// One payment on its way, drawn: its payment page opened in a Custom Tab, then paid with its
// receipt or not paid. Only drawing and the Custom Tab; where the payment stands is the
// PaymentScreen model's.
//
// Invariant: the page is opened only when the model says which; the app's return (MainActivity
// hands it to `returned`) is what asks the council again.
package uk.doorstep.app

import android.content.Context
import android.net.Uri
import androidx.browser.customtabs.CustomTabsIntent
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.PaymentScreen
import uk.doorstep.shared.PaymentScreenState

/** Open the payment page in a Custom Tab; the page sends the resident back to the app. */
fun Context.openPaymentPage(page: String) = CustomTabsIntent.Builder().build().launchUrl(this, Uri.parse(page))

@Composable
fun PaymentPage(screen: PaymentScreen, context: Context, tryAgain: (() -> Unit)? = null) {
    val scope = rememberCoroutineScope()
    val state by screen.state.collectAsState()
    val problem by screen.problem.collectAsState()
    val shown = state.payment.shown
    Column {
        Text(shown.title, style = MaterialTheme.typography.titleMedium)
        Text(shown.summary)
        when (val now = state) {
            is PaymentScreenState.Waiting -> Text(shown.delivery)
            is PaymentScreenState.NotStarted -> Text(now.problem)
            is PaymentScreenState.OpenPage -> {
                Button(onClick = { context.openPaymentPage(now.page) }) { Text("Continue to payment") }
                OutlinedButton(onClick = { scope.launch { screen.refresh() } }) { Text("I have finished paying") }
            }
            is PaymentScreenState.BeingChecked -> {
                Text(shown.status ?: shown.delivery)
                OutlinedButton(onClick = { scope.launch { screen.refresh() } }) { Text("Check again") }
            }
            is PaymentScreenState.Paid -> {
                Text(shown.status ?: shown.delivery, style = MaterialTheme.typography.headlineSmall)
                shown.reference?.let { Text(it) }
                now.payment.payment?.receipt?.let { Text(it.receiptNumber) }
            }
            is PaymentScreenState.NotPaid -> {
                Text(listOfNotNull(shown.status, now.message).joinToString(": "))
                tryAgain?.let { again -> Button(onClick = again) { Text("Try again") } }
            }
        }
        problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    }
}
