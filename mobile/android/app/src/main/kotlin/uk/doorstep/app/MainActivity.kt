// The app's one activity: the tabs (home, your requests, bin day, waiting to send, account), the
// page for the place the resident is at, and the ways in from outside — a status notification
// tapped and the payment page's return. Which page each way leads to is the shared layer's
// (Places); each page draws its own screen model. Only navigation and platform calls live here.
//
// Invariant: the app bar shows only the core's status (its events); Back goes to the page the
// resident came from, and from a tab's first page to home; a page's model lives as long as the
// resident is on that page.
package uk.doorstep.app

import android.Manifest
import android.content.Intent
import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.activity.result.contract.ActivityResultContracts
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Badge
import androidx.compose.material3.BadgedBox
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateListOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.painterResource
import uk.doorstep.shared.AccountScreen
import uk.doorstep.shared.BinsScreen
import uk.doorstep.shared.BookScreen
import uk.doorstep.shared.BookingScreen
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.OutboxScreen
import uk.doorstep.shared.PayScreen
import uk.doorstep.shared.PaymentScreen
import uk.doorstep.shared.Place
import uk.doorstep.shared.ReportScreen
import uk.doorstep.shared.RequestScreen
import uk.doorstep.shared.RequestsScreen
import uk.doorstep.shared.Resident
import uk.doorstep.shared.ServicesScreen
import uk.doorstep.shared.placeOf
import uk.doorstep.shared.placeOfNotice
import uk.doorstep.shared.placeOfReturn
import uniffi.doorstep_core.MyPayment

class MainActivity : ComponentActivity() {
    /** Where the resident has been, the page shown last. */
    private val visited = mutableStateListOf<Place>(Place.HOME)

    /** The payment page's return the app was opened with, until the payment's page has read it. */
    private var returnedTo by mutableStateOf<String?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val app = application as DoorstepApp
        setContent {
            MaterialTheme {
                var opened by remember { mutableStateOf<Outcome<Resident>?>(null) }
                LaunchedEffect(Unit) { opened = app.resident.await() }
                when (val state = opened) {
                    null -> Text("Opening…")
                    is Outcome.Failed -> Text("Doorstep could not start: ${state.reason}")
                    is Outcome.Done -> App(state.value)
                }
            }
        }
        // Started by a notification or the payment page's return after Android stopped the app.
        if (savedInstanceState == null) openedWith(intent)
    }

    override fun onNewIntent(intent: Intent) {
        super.onNewIntent(intent)
        openedWith(intent)
    }

    /** A notification tapped, or the payment page sending the resident back. */
    private fun openedWith(intent: Intent?) {
        val request = intent?.getStringExtra(OPENS_REQUEST)
        val url = intent?.dataString
        val place = when {
            request != null -> placeOfNotice(request, intent.getStringExtra(OPENS_KIND))
            url != null -> placeOfReturn(url)?.also { returnedTo = url }
            else -> null
        }
        place?.let(::go)
    }

    private fun go(place: Place) {
        if (visited.lastOrNull() != place) visited += place
    }

    @Composable
    private fun App(resident: Resident) {
        val ask = rememberLauncherForActivityResult(ActivityResultContracts.RequestPermission()) { }
        LaunchedEffect(Unit) {
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) ask.launch(Manifest.permission.POST_NOTIFICATIONS)
        }
        BackHandler(enabled = visited.size > 1) { visited.removeAt(visited.lastIndex) }
        val here = visited.last()
        Scaffold(bottomBar = { Tabs(resident) }) { padding ->
            Column(Modifier.padding(padding)) {
                key(here) { Page(resident, here) }
            }
        }
    }

    @Composable
    private fun Tabs(resident: Resident) {
        val status = resident.status
        NavigationBar {
            Place.TABS.forEach { tab ->
                NavigationBarItem(
                    selected = visited.lastOrNull { it in Place.TABS } == tab,
                    onClick = {
                        visited.clear()
                        visited += Place.HOME
                        go(tab)
                    },
                    icon = {
                        if (tab == Place.Outbox && status.waiting + status.needsAttention > 0u) {
                            BadgedBox(badge = { Badge { Text("${status.waiting + status.needsAttention}") } }) { TabIcon(tab) }
                        } else {
                            TabIcon(tab)
                        }
                    },
                    label = { Text(tabName(tab)) },
                )
            }
        }
    }

    @Composable
    private fun TabIcon(tab: Place) {
        val icon = when (tab) {
            Place.Requests -> android.R.drawable.ic_menu_agenda
            Place.Bins -> android.R.drawable.ic_menu_my_calendar
            Place.Outbox -> android.R.drawable.ic_menu_upload
            Place.Account -> android.R.drawable.ic_menu_myplaces
            else -> android.R.drawable.ic_menu_search
        }
        Icon(painterResource(icon), contentDescription = null)
    }

    private fun tabName(tab: Place) = when (tab) {
        Place.Requests -> "Your requests"
        Place.Bins -> "Bin day"
        Place.Outbox -> "Waiting to send"
        Place.Account -> "Account"
        else -> "Home"
    }

    @Composable
    private fun Page(resident: Resident, place: Place) {
        val context = this
        when (place) {
            is Place.Services -> ServicesPage(remember { ServicesScreen(resident) }, place.kind, { go(placeOf(it)) }) { opens ->
                placeOf(opens)?.let(::go)
            }
            is Place.Report -> ReportPage(remember { ReportScreen(resident) }, place.serviceCode, context) { go(Place.Request(it)) }
            is Place.Book -> BookPage(remember { BookScreen(resident) }, place.serviceCode, context)
            is Place.Pay -> PayPage(remember { PayScreen(resident) }, place.purpose, context)
            is Place.Request -> RequestPage(remember { RequestScreen(resident) }, place.localId)
            is Place.Booking -> BookingPage(remember { BookingScreen(resident) }, place.localId, context)
            is Place.Payment -> Payment(resident, place.localId)
            Place.Requests -> RequestsPage(remember { RequestsScreen(resident) }) { go(placeOf(it.kind, it.localId)) }
            Place.Bins -> BinsPage(remember { BinsScreen(resident) })
            Place.Outbox -> OutboxPage(remember { OutboxScreen(resident) })
            Place.Account -> AccountPage(remember { AccountScreen(resident) })
        }
    }

    /** One payment: read from the core, then its model, which reads the payment page's return if the app came back with one. */
    @Composable
    private fun Payment(resident: Resident, localId: String) {
        var found by remember { mutableStateOf<Outcome<MyPayment>?>(null) }
        LaunchedEffect(localId) { found = resident.payment(localId) }
        when (val payment = found) {
            null -> Text("Finding the payment…")
            is Outcome.Failed -> Text(payment.reason)
            is Outcome.Done -> {
                val screen = remember { PaymentScreen(resident, payment.value) }
                LaunchedEffect(returnedTo) {
                    val url = returnedTo ?: return@LaunchedEffect
                    if (screen.returned(url)) returnedTo = null
                }
                PaymentPage(screen, this)
            }
        }
    }
}
