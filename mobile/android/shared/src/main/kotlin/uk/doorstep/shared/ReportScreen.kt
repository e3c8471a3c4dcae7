// The "report a problem" journey as its screen draws it: the service's questions, what is wrong
// and where (the phone's position, an address found by postcode, or coordinates typed in),
// photos, contact details, "Check your answers", then the council's reference — or, when the
// council cannot be reached, "saved, we'll send it". No Android import: the JVM tests drive
// this model.
//
// Invariant: the questions, every row of "Check your answers", every problem and whether the
// report reached the council are the core's; this model keeps what the resident gave (never
// losing it on the way back to the form), puts each problem beside the input whose field it
// names, and sends a report at most once per "Send".
package uk.doorstep.shared

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import uniffi.doorstep_core.CheckedAnswer
import uniffi.doorstep_core.Field
import uniffi.doorstep_protocol.Address
import uniffi.doorstep_protocol.ContactDetails
import uniffi.doorstep_core.Delivery
import uniffi.doorstep_mobile.GivenAnswer
import uniffi.doorstep_protocol.Location
import uniffi.doorstep_core.MyReport
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
     * problems name (a question's `problemField`, or one of [ReportScreen.INPUTS]);
     * `summary` holds every message, in the core's order. `focus` is the input the resident
     * came back from "Check your answers" to change (a row's code, or a question's
     * `problemField`). `addresses` are those found at the postcode looked up last.
     */
    data class Form(
        val service: Service,
        val answers: Map<String, GivenAnswer> = emptyMap(),
        val description: String = "",
        val location: Location = Location(null, null, null, null),
        val photos: List<ByteArray> = emptyList(),
        val contact: ContactDetails = ContactDetails(null, null, null),
        val addresses: List<Address> = emptyList(),
        val errors: Map<String, String> = emptyMap(),
        val summary: List<FormError> = emptyList(),
        val focus: String? = null,
    ) : ReportState() {
        /** The service's questions, in the council's order. */
        val fields: List<Field> get() = service.fields
    }

    /** "Check your answers", every row in the core's words; `form` is what "Change" goes back to. */
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
            is Outcome.Done -> ReportState.Form(found.value)
            is Outcome.Failed -> ReportState.Failed(found.reason, found.advice == Advice.TRY_WHEN_ONLINE)
        }
    }

    fun answer(code: String, given: GivenAnswer) = edit { it.copy(answers = it.answers + (code to given)) }

    fun describe(text: String) = edit { it.copy(description = text) }

    /** A point: the phone's position, or coordinates typed in. It is no longer an address. */
    fun place(lat: Double, lon: Double) = edit { it.copy(location = Location(lat, lon, null, null)) }

    /** The addresses at a postcode, to pick the place from; a postcode the core refuses is beside its input. */
    suspend fun lookUp(postcode: String) {
        val found = attempt { resident.core.addresses(postcode) }
        edit { form ->
            when (found) {
                is Outcome.Done -> form.copy(addresses = found.value.addresses, errors = form.errors - POSTCODE)
                is Outcome.Failed -> form.copy(addresses = emptyList(), errors = form.errors + (POSTCODE to found.reason))
            }
        }
    }

    /** One of the addresses found: its place and its property reference. */
    fun pick(uprn: String) = edit { form ->
        form.addresses.firstOrNull { it.uprn == uprn }
            ?.let { form.copy(location = Location(it.lat, it.lon, it.uprn, it.address)) } ?: form
    }

    /** A photo as a JPEG (the shell turns whatever was taken or picked into one). */
    fun addPhoto(jpeg: ByteArray) = edit { it.copy(photos = it.photos + jpeg) }

    fun removePhoto(index: Int) = edit { form -> form.copy(photos = form.photos.filterIndexed { i, _ -> i != index }) }

    fun contact(details: ContactDetails) = edit { it.copy(contact = details) }

    /** On to "Check your answers", in the core's words. */
    suspend fun check() {
        val form = current.value as? ReportState.Form ?: return
        val checked = resident.checkReport(form.service.code, form.description, form.location, form.answers, form.photos, form.contact)
        current.value = when (checked) {
            is Outcome.Done -> ReportState.Check(checked.value, false, form)
            is Outcome.Failed -> form.refused(checked)
        }
    }

    /** Back to the form from a row of "Check your answers", at that row's input. */
    fun change(code: String) {
        val checking = current.value as? ReportState.Check ?: return
        if (checking.sending) return
        val form = checking.form
        current.value = form.copy(focus = form.fields.inputOf(code))
    }

    /** Send the report checked; a second "Send" while the first is on its way does nothing. */
    suspend fun send() {
        val checking = current.value as? ReportState.Check ?: return
        if (checking.sending || !current.compareAndSet(checking, checking.copy(sending = true))) return
        val form = checking.form
        val made = resident.report(form.service.code, form.description, form.location, form.answers, form.photos, form.contact)
        current.value = when (made) {
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

        /** The field the core's problems name for the photos. */
        const val PHOTOS = "attachments"

        /** The field the core's problems name for the contact email address. */
        const val EMAIL = "contact.email"

        /** The postcode of the address lookup. */
        const val POSTCODE = "postcode"

        /** The form's inputs besides the service's questions, by the field a problem names. */
        val INPUTS = setOf(DESCRIPTION, LOCATION, PHOTOS, EMAIL, POSTCODE)
    }
}

/** The form again, each problem beside its input and all of them in the summary. */
private fun ReportState.Form.refused(failure: Outcome.Failed): ReportState.Form {
    val refusal = failure.onForm((fields.map { it.problemField } + ReportScreen.INPUTS).associateWith { it })
    return copy(errors = refusal.errors, summary = refusal.summary, focus = null)
}
