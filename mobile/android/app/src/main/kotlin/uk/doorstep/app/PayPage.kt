// Pay the council, drawn: the reference (with the council's label and hint), the amount as the
// resident writes it and an email for the receipt, each refusal beside its field, then the
// payment on its way. Only drawing; what is decided is the PayScreen model's.
//
// Invariant: every field shows what the model holds, so nothing typed is lost when the core
// refuses it or a payment is not taken.
package uk.doorstep.app

import android.content.Context
import androidx.compose.foundation.layout.Column
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.PayScreen
import uk.doorstep.shared.PayState

@Composable
fun PayPage(screen: PayScreen, purpose: String, context: Context) {
    val scope = rememberCoroutineScope()
    val state by screen.state.collectAsState()
    LaunchedEffect(purpose) { screen.load(purpose) }
    Column {
        when (val now = state) {
            PayState.Loading -> Text("Finding the payment…")
            is PayState.Failed -> {
                Text(now.message)
                if (now.canRetry) Button(onClick = { scope.launch { screen.load(purpose) } }) { Text("Try again") }
            }
            is PayState.NotTaken -> Text("This council takes no payments for “${now.purpose}”.")
            is PayState.Form -> {
                Text("Pay: ${now.purpose.name}", style = MaterialTheme.typography.headlineSmall)
                now.summary.forEach { Text(it.message, color = MaterialTheme.colorScheme.error) }
                OutlinedTextField(
                    now.reference, screen::reference,
                    label = { Text(now.purpose.referenceLabel) },
                    supportingText = { Text(now.errors[PayScreen.REFERENCE] ?: now.purpose.referenceHint) },
                    isError = PayScreen.REFERENCE in now.errors,
                )
                OutlinedTextField(
                    now.amount, screen::amount,
                    label = { Text("Amount to pay") },
                    prefix = { Text("£") },
                    supportingText = { now.errors[PayScreen.AMOUNT]?.let { Text(it) } },
                    isError = PayScreen.AMOUNT in now.errors,
                )
                OutlinedTextField(
                    now.email, screen::email,
                    label = { Text("Email address (optional)") },
                    supportingText = { Text(now.errors[PayScreen.EMAIL] ?: "The payment service sends your receipt here") },
                    isError = PayScreen.EMAIL in now.errors,
                )
                Button(onClick = { scope.launch { screen.pay() } }, enabled = !now.sending) { Text("Continue to payment") }
            }
            is PayState.Paying -> PaymentPage(now.payment, context, tryAgain = screen::again)
        }
    }
}
