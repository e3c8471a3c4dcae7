// Book a time, drawn: the service's questions, the address when the service comes to the
// resident, the council's times (with a warning when they were saved earlier), what to do if
// the time is taken and the fee; "Check your answers"; then the booking, its fee to pay, or the
// other times the council offers. Only drawing; what is decided is the BookScreen model's.
//
// Invariant: every input shows what the model holds, and every problem the model puts beside
// it; "Book" and "Book this time" are disabled while the model says one is on its way.
package uk.doorstep.app

import android.content.Context
import android.text.format.DateUtils
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
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
import androidx.compose.runtime.rememberCoroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.BookScreen
import uk.doorstep.shared.BookState
import uniffi.doorstep_mobile.fallbackChoices
import uniffi.doorstep_protocol.Slot

@Composable
fun BookPage(screen: BookScreen, serviceCode: String, context: Context) {
    val scope = rememberCoroutineScope()
    val state by screen.state.collectAsState()
    LaunchedEffect(serviceCode) { screen.load(serviceCode) }
    Column {
        when (val now = state) {
            BookState.Loading -> Text("Finding the times…")
            is BookState.Failed -> {
                Text(now.message)
                if (now.canRetry) Button(onClick = { scope.launch { screen.load(serviceCode) } }) { Text("Try again") }
            }
            is BookState.Form -> {
                Text(now.service.name, style = MaterialTheme.typography.headlineSmall)
                now.summary.forEach { Text(it.message, color = MaterialTheme.colorScheme.error) }
                now.fields.forEach { field ->
                    QuestionField(field, now.answers[field.code], now.errors[field.problemField]) { given -> scope.launch { screen.answer(field.code, given) } }
                }
                if (now.service.needsLocation) {
                    OutlinedTextField(
                        now.location.address.orEmpty(), { screen.place(now.location.copy(address = it)) },
                        label = { Text("Address for the collection") },
                        supportingText = { now.errors[BookScreen.LOCATION]?.let { Text(it) } },
                        isError = BookScreen.LOCATION in now.errors,
                    )
                }
                if (now.alternatives.isNotEmpty()) {
                    Text("That time has been taken: choose another")
                    Times(context, now.alternatives, now.slot, screen::choose)
                }
                val slots = now.slots
                when {
                    slots == null -> {
                        Text(now.slotsProblem ?: "Finding the times…")
                        now.slotsProblem?.let { Button(onClick = { scope.launch { screen.refreshSlots() } }) { Text("Try again") } }
                    }
                    slots.list.slots.isEmpty() -> Text("There are no times left to book. Try again another day.")
                    else -> {
                        if (now.stale) {
                            val saved = DateUtils.formatDateTime(context, slots.fetchedAt * 1000, DateUtils.FORMAT_SHOW_DATE or DateUtils.FORMAT_SHOW_TIME)
                            Text("These times were saved earlier and may have changed (saved on $saved).", color = MaterialTheme.colorScheme.error)
                        }
                        Text("Choose a time")
                        now.errors[BookScreen.SLOT]?.let { Text(it, color = MaterialTheme.colorScheme.error) }
                        Times(context, slots.list.slots, now.slot, screen::choose)
                    }
                }
                Text("If this time is taken")
                fallbackChoices().forEach { choice ->
                    Row {
                        RadioButton(now.fallback == choice.fallback, { screen.ifTaken(choice.fallback) })
                        Text(choice.name)
                    }
                }
                now.fee?.let { Text("For what you have chosen, the fee is ${pounds(it)}. You pay it after booking.") }
                Button(onClick = { scope.launch { screen.check() } }) { Text("Continue") }
            }
            is BookState.Check -> {
                Text("Check your answers", style = MaterialTheme.typography.headlineSmall)
                now.rows.forEach { row ->
                    Row {
                        Text("${row.question}: ${row.answer}")
                        OutlinedButton(onClick = { screen.change(row.code) }) { Text("Change") }
                    }
                }
                now.form.fee?.let { Text("Fee: ${pounds(it)}") }
                Button(onClick = { scope.launch { screen.book() } }, enabled = !now.booking) { Text(if (now.booking) "Booking…" else "Book") }
            }
            is BookState.Booked -> {
                val shown = now.booking.shown
                Text(if (now.reference != null) "Booking made" else "Booking saved", style = MaterialTheme.typography.headlineSmall)
                Text(now.reference ?: shown.delivery)
                Text(shown.summary)
                shown.status?.let { Text(it) }
                now.whatHappensNext?.let { Text(it) }
                val fee = now.fee
                val due = now.feeDue
                if (fee != null) {
                    PaymentPage(fee, context)
                } else if (due != null) {
                    Text("Your booking is not confirmed until the fee is paid.")
                    Button(onClick = { scope.launch { screen.payFee() } }) { Text("Pay ${pounds(due)} now") }
                }
                now.feeProblem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
            }
            is BookState.Taken -> {
                Text("The council could not make your booking", style = MaterialTheme.typography.headlineSmall)
                Text(now.problem)
                if (now.alternatives.isNotEmpty()) {
                    Text("Choose another time")
                    Times(context, now.alternatives, now.picked, screen::pick)
                    Button(onClick = { scope.launch { screen.bookPicked() } }, enabled = now.picked != null && !now.sending) { Text("Book this time") }
                }
            }
        }
    }
}

/** The times to choose from, each saying when, where and how many places are left. */
@Composable
private fun Times(context: Context, slots: List<Slot>, picked: String?, choose: (String) -> Unit) {
    slots.forEach { slot ->
        Row {
            RadioButton(slot.id == picked, { choose(slot.id) })
            Text("${slotWords(context, slot)} — ${slot.remaining} left")
        }
    }
}

/** When and where a slot is, in the phone's own date style. */
private fun slotWords(context: Context, slot: Slot): String {
    val start = DateUtils.formatDateTime(context, slot.start.toEpochMilli(), DateUtils.FORMAT_SHOW_DATE or DateUtils.FORMAT_SHOW_WEEKDAY or DateUtils.FORMAT_SHOW_TIME)
    return "$start, ${slot.siteName}"
}

/** Pence as pounds, as the fee is written. */
private fun pounds(pence: UInt): String = "£%d.%02d".format((pence / 100u).toInt(), (pence % 100u).toInt())
