// The account through the Android shell's screen model (AccountScreen), against the real
// library and a real council server on 127.0.0.1: signing in by a code the council "emails"
// (a demo council writes it to its log), a wrong code refused beside the code field, signing
// out, the resident's data exported, and erased only once confirmed.
//
// Invariant: the council this file starts is stopped when its test ends, passed or failed
// (and on exit).
package uk.doorstep.tests

import java.time.Clock
import java.time.Instant
import java.time.ZoneOffset
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.launch
import uk.doorstep.shared.AccountScreen
import uk.doorstep.shared.AccountState
import uk.doorstep.shared.Outcome
import uk.doorstep.shared.SignIn
import uk.doorstep.shared.binAddress
import uk.doorstep.shared.rememberBinAddress
import uk.doorstep.shared.signIn
import uk.doorstep.shared.signedInAs
import uk.doorstep.shared.verify

/** A six-digit code that is not `code`. */
fun otherThan(code: String): String = code.dropLast(1) + ((code.last().digitToInt() + 1) % 10)

fun aResidentSignsInByCodeAndOut() = withCouncil(demo = true) { council ->
    phone(council.url).use { resident ->
        val screen = AccountScreen(resident)
        screen.load()
        expect(screen.state.showing<AccountState.Ready>("loaded").signIn == SignIn.Email("")) { "signed out at first" }
        screen.typeEmail("ann@")
        screen.sendCode()
        val badEmail = screen.state.showing<AccountState.Ready>("a bad email")
        val refusedEmail = resident.signIn("ann@") as? Outcome.Failed ?: throw Failure("the core took a bad email")
        expect(refusedEmail.field == AccountScreen.EMAIL && badEmail.signIn == SignIn.Email("ann@", refusedEmail.reason)) { "the core's refusal beside the email: $badEmail" }
        screen.typeEmail("ann@example.org")
        screen.sendCode()
        val asked = screen.state.showing<AccountState.Ready>("a code sent").signIn as? SignIn.Code ?: throw Failure("no code asked for: ${screen.state.value}")
        expect(asked.sent.sentTo.endsWith("@example.org") && asked.sent.sentTo != "ann@example.org") { "where it went, partly hidden: ${asked.sent}" }
        val emailed = council.emailedCode()
        screen.typeCode(otherThan(emailed))
        screen.verify()
        val wrong = screen.state.showing<AccountState.Ready>("a wrong code")
        val refusedCode = resident.verify("ann@example.org", otherThan(emailed)) as? Outcome.Failed ?: throw Failure("the council took a wrong code")
        expect(refusedCode.field == AccountScreen.CODE && wrong.signIn == asked.copy(code = otherThan(emailed), error = refusedCode.reason)) {
            "the core's refusal beside the code, the code typed kept: $wrong"
        }
        expect(wrong.problem == null) { "nothing else is wrong: $wrong" }
        screen.typeCode(emailed)
        coroutineScope {
            launch { screen.verify() }
            launch { screen.verify() }
        }
        val signedIn = screen.state.showing<AccountState.Ready>("signed in")
        expect(signedIn.signIn == SignIn.SignedIn("ann@example.org") && signedIn.problem == null) { "signed in as Ann, once: $signedIn" }
        expect(resident.signedInAs().done("signed in as") == "ann@example.org") { "the core says so too" }
        screen.signOut()
        expect(screen.state.showing<AccountState.Ready>("signed out").signIn == SignIn.Email("")) { "signed out" }
        expect(resident.signedInAs().done("signed in as") == null) { "the core forgot the account" }
    }
}

fun theResidentsDataIsExportedAndErased() = withCouncil { council ->
    phone(council.url).use { resident ->
        resident.services().done("catalogue")
        val made = resident.report("pothole", "A deep pothole by the bus stop", DURHAM, POTHOLE_ANSWERS).done("report")
        resident.syncNow().done("sync")
        resident.rememberBinAddress(SHERBURN_ROAD).done("remember")
        val screen = AccountScreen(resident, Clock.fixed(Instant.parse("2025-06-03T10:00:00Z"), ZoneOffset.UTC))
        screen.load()
        screen.export()
        val exported = screen.state.showing<AccountState.Ready>("exported").exported ?: throw Failure("nothing exported: ${screen.state.value}")
        expect(exported.name == "doorstep-my-data-2025-06-03.json") { "named by the day: ${exported.name}" }
        expect(exported.text.contains(made.localId) && exported.text.contains("A deep pothole by the bus stop")) { "with the report: ${exported.text.take(200)}" }
        screen.erase()
        expect(resident.core.reports().size == 1) { "not erased unasked" }
        screen.askErase()
        expect(screen.state.showing<AccountState.Ready>("asked").confirmingErase) { "asks to confirm" }
        screen.keepData()
        screen.erase()
        expect(resident.core.reports().size == 1) { "kept when the resident said keep it" }
        screen.askErase()
        coroutineScope {
            launch { screen.erase() }
            launch { screen.erase() }
        }
        val erased = screen.state.showing<AccountState.Ready>("erased")
        expect(erased.erased && erased.problem == null && erased.signIn == SignIn.Email("")) { "erased, once: $erased" }
        expect(resident.core.reports().isEmpty() && resident.outbox().done("outbox").isEmpty()) { "no request is left" }
        expect(resident.binAddress().done("bin address") == null) { "no address is remembered" }
        expect(resident.signedInAs().done("signed in as") == null) { "no account" }
    }
}

/** The journeys of this file, by name, for the runner. */
val accountScreenJourneys = listOf(
    "aResidentSignsInByCodeAndOut" to ::aResidentSignsInByCodeAndOut,
    "theResidentsDataIsExportedAndErased" to ::theResidentsDataIsExportedAndErased,
)
