// One of a service's questions, drawn by the kind of field the core says it is: a line, lines,
// a number or a date typed in, one choice or any of them. The report and booking pages draw
// their questions with it.
//
// Invariant: it shows the answer the model holds and the problem the model puts beside it.
package uk.doorstep.app

import androidx.compose.foundation.layout.Row
import androidx.compose.material3.Checkbox
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import uniffi.doorstep_core.Field
import uniffi.doorstep_core.FieldKind
import uniffi.doorstep_mobile.GivenAnswer

/** One question of the service, drawn by the kind of field the core says it is. */
@Composable
fun QuestionField(field: Field, given: GivenAnswer?, error: String?, answer: (GivenAnswer) -> Unit) {
    Text(field.label)
    field.hint?.let { Text(it, style = MaterialTheme.typography.bodySmall) }
    error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
    val picked = (given as? GivenAnswer.Picked)?.keys.orEmpty()
    when (field.kind) {
        FieldKind.ONE_OF -> field.choices.forEach { choice ->
            Row {
                RadioButton(choice.key in picked, { answer(GivenAnswer.Picked(listOf(choice.key))) })
                Text(choice.name)
            }
        }
        FieldKind.ANY_OF -> field.choices.forEach { choice ->
            Row {
                Checkbox(choice.key in picked, { on -> answer(GivenAnswer.Picked(if (on) picked + choice.key else picked - choice.key)) })
                Text(choice.name)
            }
        }
        FieldKind.LINE, FieldKind.LINES, FieldKind.NUMBER, FieldKind.DATE ->
            OutlinedTextField((given as? GivenAnswer.Typed)?.text.orEmpty(), { answer(GivenAnswer.Typed(it)) }, singleLine = field.kind != FieldKind.LINES)
    }
}
