// A refusal from the core as a form shows it: every problem in the error summary, in the core's
// order, and the first one for each input beside it; and the input a row of "Check your
// answers" goes back to.
//
// Invariant: every message the core sent is in the summary exactly once; a message beside an
// input is also in the summary; a problem no input of this form can fix links to none.
import Foundation

/// The summary and the message beside each input.
public struct Refusal {
    public let summary: [FormError]
    public let errors: [String: String]
}

extension Failure {
    /// What to fix first, in the core's words: the first problem's message, without the field's
    /// name the reason starts with.
    public var toFix: String { problems.first?.message ?? reason }

    /// This failure on a form whose inputs take the core's fields as `inputs` maps them (core
    /// field to input).
    func onForm(_ inputs: [String: String]) -> Refusal {
        let problems = self.problems.isEmpty ? [(field, reason)] : self.problems.map { ($0.field, $0.message) }
        let summary = problems.map { field, message in FormError(field: field.flatMap { inputs[$0] }, message: message) }
        var errors: [String: String] = [:]
        for error in summary {
            if let field = error.field, errors[field] == nil { errors[field] = error.message }
        }
        return Refusal(summary: summary, errors: errors)
    }
}

extension Array where Element == Field {
    /// The input a row of "Check your answers" goes back to: a question's field, else the row's
    /// own code.
    func inputOf(_ row: String) -> String { first { $0.code == row }?.problemField ?? row }
}
