// A refusal from the core as a form shows it: every problem in the error summary, in the core's
// order, and the first one for each input beside it; and the input a row of "Check your
// answers" goes back to.
//
// Invariant: every message the core sent is in the summary exactly once; a message beside an
// input is also in the summary; a problem no input of this form can fix links to none.
package uk.doorstep.shared

import uniffi.doorstep_core.Field

/** The summary and the message beside each input, for a form whose inputs take the core's fields as `inputs` maps them (core field to input). */
data class Refusal(val summary: List<FormError>, val errors: Map<String, String>)

fun Outcome.Failed.onForm(inputs: Map<String, String>): Refusal {
    val problems = problems.map { it.field to it.message }.ifEmpty { listOf(field to reason) }
    val summary = problems.map { (field, message) -> FormError(field?.let { inputs[it] }, message) }
    val errors = summary.mapNotNull { error -> error.field?.let { it to error.message } }.distinctBy { it.first }.toMap()
    return Refusal(summary, errors)
}

/** What to fix first, in the core's words: the first problem's message, without the field's name the reason starts with. */
val Outcome.Failed.toFix: String get() = problems.firstOrNull()?.message ?: reason

/** The input a row of "Check your answers" goes back to: a question's field, else the row's own code. */
fun List<Field>.inputOf(row: String): String = firstOrNull { it.code == row }?.problemField ?: row
