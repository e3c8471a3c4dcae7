// Bin day as its screen draws it: a postcode, the addresses there, then the address's
// collections (saved from an earlier visit when offline, and marked so), its calendar file and
// the reminders to schedule. No Android import: the JVM tests drive this model.
//
// Invariant: the addresses, the collections, whether they are stale, the calendar file's text,
// the reminders and every refusal are the core's, and so is the address remembered (shown
// straight away next time); what the resident typed is kept when a search fails.
package uk.doorstep.shared

import java.time.Clock
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_mobile.calendarFileName
import uniffi.doorstep_mobile.Addresses
import uniffi.doorstep_mobile.BinCalendar
import uniffi.doorstep_mobile.BinReminder

sealed class BinsState {
    /** Finding the address remembered, or its collections. */
    data object Loading : BinsState()

    /** The postcode to look up; `error` is the core's refusal, beside the postcode field. */
    data class Postcode(val postcode: String, val error: String?, val searching: Boolean) : BinsState()

    /** The addresses at the postcode (`found.stale` when from an earlier visit); `error` is beside the choice. */
    data class Choose(val postcode: String, val found: Addresses, val error: String?) : BinsState()

    /** The collections of the address remembered could not be found; `canRetry` when online may find them. */
    data class Failed(val uprn: String, val message: String, val canRetry: Boolean) : BinsState()

    /**
     * The address's collections (`calendar.stale` when saved from an earlier visit); the
     * reminders to schedule; the calendar file once asked for, or why it could not be made.
     */
    data class Calendar(
        val calendar: BinCalendar,
        val reminders: List<BinReminder>,
        val file: SharedFile?,
        val fileProblem: String?,
    ) : BinsState()
}

class BinsScreen(private val resident: Resident, private val clock: Clock = Clock.systemDefaultZone()) {
    private val current = MutableStateFlow<BinsState>(BinsState.Loading)
    val state: StateFlow<BinsState> = current.asStateFlow()

    /** The address remembered and its collections, or the postcode to look up. */
    suspend fun load() {
        current.value = BinsState.Loading
        val remembered = (resident.binAddress() as? Outcome.Done)?.value
        current.value = if (remembered == null) BinsState.Postcode("", null, false) else shown(remembered)
    }

    fun type(postcode: String) {
        while (true) {
            val typing = current.value as? BinsState.Postcode ?: return
            if (typing.searching || current.compareAndSet(typing, typing.copy(postcode = postcode))) return
        }
    }

    /** Look the postcode up; a second "Find address" while the first is on its way does nothing. */
    suspend fun find() {
        val typing = current.value as? BinsState.Postcode ?: return
        if (typing.searching || !current.compareAndSet(typing, typing.copy(searching = true, error = null))) return
        current.value = when (val found = resident.addresses(typing.postcode)) {
            is Outcome.Done -> BinsState.Choose(typing.postcode, found.value, null)
            is Outcome.Failed -> typing.copy(searching = false, error = found.toFix)
        }
    }

    /**
     * Remember the address picked (null when none was) and show its collections. The core
     * refuses an address not picked; when only remembering failed, the collections are shown
     * all the same.
     */
    suspend fun choose(uprn: String?) {
        val choosing = current.value as? BinsState.Choose ?: return
        if (!current.compareAndSet(choosing, BinsState.Loading)) return
        val remembered = resident.rememberBinAddress(uprn.orEmpty())
        current.value = if (remembered is Outcome.Failed && remembered.advice == Advice.FIX_INPUT) {
            choosing.copy(error = remembered.toFix)
        } else {
            shown(uprn.orEmpty())
        }
    }

    /** Read the collections again (after coming back online). */
    suspend fun refresh() {
        val uprn = when (val now = current.value) {
            is BinsState.Calendar -> now.calendar.uprn
            is BinsState.Failed -> now.uprn
            else -> return
        }
        current.value = shown(uprn)
    }

    /** Back to the postcode, to look up another address. */
    fun change() {
        val now = current.value
        if (now is BinsState.Calendar || now is BinsState.Failed || now is BinsState.Choose) {
            current.compareAndSet(now, BinsState.Postcode("", null, false))
        }
    }

    /** The calendar file, for the platform to share or save. */
    suspend fun calendarFile() {
        val showing = current.value as? BinsState.Calendar ?: return
        val uprn = showing.calendar.uprn
        val next = when (val made = resident.collectionsFile(uprn)) {
            is Outcome.Done -> showing.copy(file = SharedFile(calendarFileName(uprn), made.value), fileProblem = null)
            is Outcome.Failed -> showing.copy(file = null, fileProblem = made.reason)
        }
        current.compareAndSet(showing, next)
    }

    private suspend fun shown(uprn: String): BinsState = when (val found = resident.collections(uprn)) {
        is Outcome.Done -> BinsState.Calendar(found.value, reminders(found.value), null, null)
        is Outcome.Failed -> BinsState.Failed(uprn, found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
    }

    private suspend fun reminders(calendar: BinCalendar): List<BinReminder> {
        val now = clock.instant()
        val offset = clock.zone.rules.getOffset(now).totalSeconds
        return when (val due = remindersFor(calendar, now, offset)) {
            is Outcome.Done -> due.value
            is Outcome.Failed -> emptyList()
        }
    }
}
