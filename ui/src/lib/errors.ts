// What a form shows when the core refuses its input: the GOV.UK error summary (every problem,
// each linking to its field) and the message beside each field.
//
// Invariant: every message the core sent appears in the summary exactly once, in the core's
// order; a message beside a field always also appears in the summary.

import { fieldId, type ShellError } from './doorstep';

export interface SummaryItem {
  /** The id of the input to fix, or null when no input can fix it. */
  id: string | null;
  text: string;
}

export interface FormErrors {
  summary: SummaryItem[];
  /** The first message for each input id. */
  byField: Record<string, string>;
}

/** The error summary and field messages for a failed command. */
export function formErrors(error: ShellError): FormErrors {
  const summary: SummaryItem[] = [];
  if (error.problems.length > 0) {
    for (const problem of error.problems) summary.push({ id: fieldId(problem.field), text: problem.message });
  } else {
    summary.push({ id: error.field === null ? null : fieldId(error.field), text: error.message });
  }
  const byField: Record<string, string> = {};
  for (const item of summary) {
    if (item.id !== null && !(item.id in byField)) byField[item.id] = item.text;
  }
  return { summary, byField };
}

