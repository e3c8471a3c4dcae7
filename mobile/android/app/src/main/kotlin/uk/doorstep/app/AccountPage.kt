// The account's screen: draws AccountScreen's state — sign in by emailed code, signed in as …,
// sign out, the resident's data handed to Android's share sheet, and erasing behind a question.
// No rule lives here.
//
// Invariant: every action goes through the model, which acts once per tap and erases only once
// the resident confirmed; a refusal is drawn beside the field it names.
package uk.doorstep.app

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.text.KeyboardOptions
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
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import kotlinx.coroutines.launch
import uk.doorstep.shared.AccountScreen
import uk.doorstep.shared.AccountState
import uk.doorstep.shared.SignIn

@Composable
fun AccountPage(screen: AccountScreen) {
    val state by screen.state.collectAsState()
    val scope = rememberCoroutineScope()
    val context = LocalContext.current
    LaunchedEffect(Unit) { screen.load() }
    Column(Modifier.padding(16.dp)) {
        Text("Account", style = MaterialTheme.typography.headlineMedium)
        val ready = state as? AccountState.Ready
        if (ready == null) {
            Text("Finding your account…")
            return@Column
        }
        if (ready.erased) Text("Your data has been deleted from this phone and the council.")
        ready.problem?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Text("Sign in", style = MaterialTheme.typography.titleMedium)
        when (val signIn = ready.signIn) {
            is SignIn.Email -> {
                Text("Sign in to see what you sent from other devices. You do not need to sign in to use the app.")
                OutlinedTextField(
                    value = signIn.email,
                    onValueChange = screen::typeEmail,
                    label = { Text("Email address") },
                    supportingText = signIn.error?.let { { Text(it) } },
                    isError = signIn.error != null,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email),
                    singleLine = true,
                )
                Button(onClick = { scope.launch { screen.sendCode() } }, enabled = !ready.busy) { Text("Send me a code") }
            }
            is SignIn.Code -> {
                OutlinedTextField(
                    value = signIn.code,
                    onValueChange = screen::typeCode,
                    label = { Text("Code") },
                    supportingText = {
                        Text(signIn.error ?: "We sent a code to ${signIn.sent.sentTo}. It works for ${signIn.sent.expiresInSeconds / 60u} minutes.")
                    },
                    isError = signIn.error != null,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword),
                    singleLine = true,
                )
                Row {
                    Button(onClick = { scope.launch { screen.verify() } }, enabled = !ready.busy) { Text("Sign in") }
                    OutlinedButton(onClick = screen::differentEmail) { Text("Use a different email address") }
                }
            }
            is SignIn.SignedIn -> {
                Text("You are signed in as ${signIn.email}.")
                OutlinedButton(onClick = { scope.launch { screen.signOut() } }, enabled = !ready.busy) { Text("Sign out") }
            }
        }
        Text("Your data", style = MaterialTheme.typography.titleMedium)
        Text("Download everything this phone and the council hold about you, as a file.")
        OutlinedButton(onClick = { scope.launch { screen.export() } }, enabled = !ready.busy) { Text("Download your data") }
        ready.exported?.let { file -> LaunchedEffect(file) { share(context, file, "application/json") } }
        Text(
            "Deleting your data removes your reports, bookings, payments and drafts from this phone, and your account " +
                "and device from the council. You need to be online. It cannot be undone.",
        )
        if (ready.confirmingErase) {
            Text("Are you sure you want to delete your data?", style = MaterialTheme.typography.titleSmall)
            Row {
                Button(onClick = { scope.launch { screen.erase() } }, enabled = !ready.busy) { Text("Yes, delete my data") }
                OutlinedButton(onClick = screen::keepData) { Text("No, keep it") }
            }
        } else {
            OutlinedButton(onClick = screen::askErase) { Text("Delete your data") }
        }
    }
}
