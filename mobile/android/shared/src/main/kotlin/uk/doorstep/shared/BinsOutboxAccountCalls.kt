// The calls the bin day, waiting to send and account screens make to the core, beside those
// in Resident. No Android import: the JVM tests run this layer.
//
// Invariant: each call is one call to the core, its failure an `Outcome.Failed`; nothing here
// decides anything the core decides.
package uk.doorstep.shared

import java.time.Instant
import uniffi.doorstep_mobile.Addresses
import uniffi.doorstep_mobile.AnswerGiven
import uniffi.doorstep_mobile.BinCalendar
import uniffi.doorstep_mobile.BinReminder
import uniffi.doorstep_protocol.CodeSent
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_mobile.binReminders

/** The addresses at a postcode (from an earlier visit when offline). */
suspend fun Resident.addresses(postcode: String): Outcome<Addresses> = attempt { core.addresses(postcode) }

/** An address's bin days (from an earlier visit when offline, marked stale). */
suspend fun Resident.collections(uprn: String): Outcome<BinCalendar> = attempt { core.collections(uprn) }

/** The bin days as an iCalendar file's text. */
suspend fun Resident.collectionsFile(uprn: String): Outcome<String> = attempt { core.collectionsIcs(uprn) }

/** Remember the address chosen for bin day. */
suspend fun Resident.rememberBinAddress(uprn: String): Outcome<Unit> = attempt { core.rememberBinAddress(uprn) }

/** The address remembered for bin day, if one was chosen on this phone. */
suspend fun Resident.binAddress(): Outcome<String?> = attempt { core.binAddress() }

/** The reminders to schedule for a calendar, at `now` on a clock `utcOffsetSeconds` ahead of UTC. */
suspend fun remindersFor(calendar: BinCalendar, now: Instant, utcOffsetSeconds: Int): Outcome<List<BinReminder>> =
    attempt { binReminders(calendar, now, utcOffsetSeconds) }

/** Fix what the council refused (another slot, changed answers) and send it again; the new key. */
suspend fun Resident.fix(key: String, slotId: String?, answers: Map<String, GivenAnswer>): Outcome<String> =
    attempt { core.fix(key, slotId, answers.map { (question, answer) -> AnswerGiven(question, answer) }) }

/** Ask for a sign-in code by email. */
suspend fun Resident.signIn(email: String): Outcome<CodeSent> = attempt { core.signIn(email) }

/** Enter the emailed code; the account's email. */
suspend fun Resident.verify(email: String, code: String): Outcome<String> = attempt { core.verify(email, code) }

suspend fun Resident.signOut(): Outcome<Unit> = attempt { core.signOut() }

suspend fun Resident.signedInAs(): Outcome<String?> = attempt { core.signedInAs() }

/** Everything the phone holds about the resident, as JSON text. */
suspend fun Resident.exportData(): Outcome<String> = attempt { core.export() }

/** Erase the resident here and at the council. */
suspend fun Resident.erase(): Outcome<Unit> = attempt { core.erase() }
