// The "report a problem" journey as its screen draws it: the service's questions, what is wrong
// and where, "Check your answers", then the council's reference — or, when the council cannot
// be reached, "saved, we'll send it". No Android import: the JVM tests drive this model.
//
// Invariant: the questions, the answers in words, every problem and whether the report reached
// the council are the core's; this model keeps what the resident gave (never losing it on the
// way back to the form), puts each problem beside the input whose field it names, and sends a
// report at most once per "Send".
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.CheckedAnswer
import uniffi.doorstep_core.Field
import uniffi.doorstep_mobile.Delivery
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_mobile.Location
import uniffi.doorstep_mobile.MyReport
import uniffi.doorstep_mobile.Service

/** A problem in the error summary; `field` is the input it links to, null when none can fix it. */
data class FormError(val field: String?, val message: String)

sealed class ReportState {
    /** Finding the service's questions. */
    data object Loading : ReportState()

    /** The questions could not be found; `canRetry` when trying again online may find them. */
    data class Failed(val message: String, val canRetry: Boolean) : ReportState()

    /**
     * The form. `errors` holds the first message for each input, by the field the core's
     * problems name (a question's `problemField`, [ReportScreen.DESCRIPTION] or
     * [ReportScreen.LOCATION]); `summary` holds every message, in the core's order. `focus` is
     * the input the resident came back from "Check your answers" to change.
     */
    data class Form(
        val service: Service,
        val answers: Map<String, GivenAnswer>,
        val description: String,
        val location: Location,
        val errors: Map<String, String>,
        val summary: List<FormError>,
        val focus: String?,
    ) : ReportState() {
        /** The service's questions, in the council's order. */
        val fields: List<Field> get() = service.fields
    }

    /** "Check your answers": what is wrong, each question and its answer, and where; `form` is what "Change" goes back to. */
    data class Check(val rows: List<CheckedAnswer>, val sending: Boolean, val form: Form) : ReportState()

    /** The council has the report. */
    data class Done(val reference: String, val whatHappensNext: String?, val report: MyReport) : ReportState()

    /** Saved on this phone and sent when the council can be reached; `problem` is the council's refusal, when it needs the resident. */
    data class Saved(val report: MyReport, val problem: String?) : ReportState()
}

class ReportScreen(private val resident: Resident) {
    private val current = MutableStateFlow<ReportState>(ReportState.Loading)
    val state: StateFlow<ReportState> = current.asStateFlow()

    suspend fun load(serviceCode: String) {
        current.value = ReportState.Loading
        current.value = when (val found = resident.service(serviceCode)) {
            is Outcome.Done -> ReportState.Form(found.value, emptyMap(), "", Location(null, null, null, null), emptyMap(), emptyList(), null)
            is Outcome.Failed -> ReportState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
        }
    }

    fun answer(code: String, given: GivenAnswer) = edit { it.copy(answers = it.answers + (code to given)) }

    fun describe(text: String) = edit { it.copy(description = text) }

    fun place(location: Location) = edit { it.copy(location = location) }

    /** On to "Check your answers", in the core's words. */
    suspend fun check() {
        val form = current.value as? ReportState.Form ?: return
        current.value = when (val checked = resident.checkAnswers(form.service.code, form.answers)) {
            is Outcome.Done -> ReportState.Check(listOf(form.described()) + checked.value + form.placed(), false, form)
            is Outcome.Failed -> form.refused(checked)
        }
    }

    /** Back to the form from a row of "Check your answers", at that row's input. */
    fun change(code: String) {
        val checking = current.value as? ReportState.Check ?: return
        if (checking.sending) return
        val form = checking.form
        current.value = form.copy(focus = form.fields.firstOrNull { it.code == code }?.problemField ?: code)
    }

    /** Send the report checked; a second "Send" while the first is on its way does nothing. */
    suspend fun send() {
        val checking = current.value as? ReportState.Check ?: return
        if (checking.sending || !current.compareAndSet(checking, checking.copy(sending = true))) return
        val form = checking.form
        current.value = when (val made = resident.report(form.service.code, form.description, form.location, form.answers)) {
            is Outcome.Done -> delivered(made.value, form.service)
            is Outcome.Failed -> form.refused(made)
        }
    }

    /** Try to send what the core accepted now, and show where it stands after. */
    private suspend fun delivered(accepted: MyReport, service: Service): ReportState {
        resident.syncNow()
        val report = (resident.report(accepted.localId) as? Outcome.Done)?.value ?: accepted
        val reference = report.shown.reference
        return if (report.delivery is Delivery.Sent && reference != null) {
            ReportState.Done(reference, service.whatHappensNext, report)
        } else {
            ReportState.Saved(report, (report.delivery as? Delivery.NeedsAttention)?.problem?.message)
        }
    }

    private fun edit(change: (ReportState.Form) -> ReportState.Form) {
        while (true) {
            val form = current.value as? ReportState.Form ?: return
            if (current.compareAndSet(form, change(form))) return
        }
    }

    companion object {
        /** The field the core's problems name for what is wrong, and its row's code. */
        const val DESCRIPTION = "description"

        /** The field the core's problems name for where it is, and its row's code. */
        const val LOCATION = "location"
    }
}

/** The form again, each problem beside its input and all of them in the summary. */
private fun ReportState.Form.refused(failure: Outcome.Failed): ReportState.Form {
    val inputs = fields.map { it.problemField }.toSet() + ReportScreen.DESCRIPTION + ReportScreen.LOCATION
    val problems = failure.problems.map { it.field to it.message }.ifEmpty { listOf(failure.field to failure.reason) }
    val summary = problems.map { (field, message) -> FormError(field?.takeIf { it in inputs }, message) }
    val errors = summary.mapNotNull { error -> error.field?.let { it to error.message } }.distinctBy { it.first }.toMap()
    return copy(errors = errors, summary = summary, focus = null)
}

private fun ReportState.Form.described() =
    CheckedAnswer(ReportScreen.DESCRIPTION, "What is wrong", description.trim().ifEmpty { "Not given" })

private fun ReportState.Form.placed(): CheckedAnswer {
    val address = location.address?.takeIf { it.isNotBlank() }
    val lat = location.lat
    val lon = location.lon
    val words = address ?: if (lat != null && lon != null) "$lat, $lon" else "Not given"
    return CheckedAnswer(ReportScreen.LOCATION, "Where", words)
}
