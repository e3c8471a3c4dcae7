// One of a service's questions, drawn by the kind of field the core says it is: a line, lines,
// a number or a date typed in, one choice or any of them. The report and booking pages draw
// their questions with it.
//
// Invariant: it shows the answer the model holds and the problem the model puts beside it.
import SwiftUI

struct QuestionField: View {
    let field: Field
    let given: GivenAnswer?
    let error: String?
    let answer: (GivenAnswer) -> Void

    var body: some View {
        let picked: [String] = { if case let .picked(keys) = given { return keys } else { return [] } }()
        let text: String = { if case let .typed(typed) = given { return typed } else { return "" } }()
        Section {
            if let hint = field.hint { Text(hint).font(.caption) }
            if let error { Text(error).foregroundStyle(.red) }
            switch field.kind {
            case .oneOf, .anyOf:
                ForEach(field.choices, id: \.key) { choice in
                    Button {
                        let keys = field.kind == .oneOf ? [choice.key]
                            : picked.contains(choice.key) ? picked.filter { $0 != choice.key } : picked + [choice.key]
                        answer(.picked(keys: keys))
                    } label: {
                        Label(choice.name, systemImage: picked.contains(choice.key) ? "checkmark.circle.fill" : "circle")
                    }
                }
            case .line, .lines, .number, .date:
                TextField(field.label, text: Binding(get: { text }, set: { answer(.typed(text: $0)) }),
                          axis: field.kind == .lines ? .vertical : .horizontal)
            }
        } header: {
            Text(field.label)
        }
    }
}
