// The core's types as the desktop page gets them, made from the Rust types by the core's test
// page_types (core/src/page_types.rs). Do not edit: change the Rust type, then run
// DOORSTEP_WRITE_PAGE_TYPES=1 cargo test -p doorstep-core page_types

/**
 * An answer as a form has it: the text typed in, or the keys picked from a list. The page
 * and Open311 send it as a string or an array of strings.
 */
export type GivenAnswer = string | Array<string>;

/**
 * How a question is asked.
 */
export type FieldKind = "line" | "lines" | "number" | "date" | "one_of" | "any_of";

/**
 * One of the choices a list question offers.
 */
export type Choice = { key: string, name: string, };

/**
 * One question, as a form asks it.
 */
export type Field = { 
/**
 * The question's code: the answer is given under it.
 */
code: string, 
/**
 * What a problem with this answer names as its field.
 */
problem_field: string, 
/**
 * The question, with "(optional)" when it may be left out.
 */
label: string, 
/**
 * Help shown under the question: the council's own, or how to write a date, or "Select
 * all that apply".
 */
hint: string | null, kind: FieldKind, required: boolean, 
/**
 * For a list question, the choices in the council's order; empty otherwise.
 */
choices: Array<Choice>, };

/**
 * One row of "Check your answers".
 */
export type CheckedAnswer = { 
/**
 * The question's code, for the row's "Change" link back to its field.
 */
code: string, 
/**
 * The question, as asked.
 */
question: string, 
/**
 * The answer in words: the text, the names of the choices picked, or "Not answered".
 */
answer: string, };

/**
 * Where a problem is: a point on the map, or a property from the council's gazetteer.
 */
export type Location = { lat?: number, lon?: number, 
/**
 * Unique Property Reference Number of an address.
 */
uprn?: string, 
/**
 * The address, as the server resolved it (answers only).
 */
address?: string, };

/**
 * How the resident can be reached about a report (optional).
 */
export type ContactDetails = { name?: string, email?: string, phone?: string, };

/**
 * A report as the form holds it before it is sent: what "Check your answers" is made from.
 */
export type ReportToCheck = { service_code: string, description: string, location: Location, answers: { [key in string]: GivenAnswer }, 
/**
 * How many photos are chosen.
 */
photos: number, contact: ContactDetails | null, };

/**
 * What the server may do when the chosen slot is full.
 */
export type Fallback = "none" | "same_day" | "next_available";

/**
 * A booking as the form holds it before it is made: what "Check your answers" is made from.
 */
export type BookingToCheck = { service_code: string, answers: { [key in string]: GivenAnswer }, 
/**
 * Where, for a service that comes to the resident.
 */
location: Location | null, slot_id: string, fallback: Fallback, };

/**
 * One step in a report's history.
 */
export type Step = { at: string, 
/**
 * "The council" or "You".
 */
by: string, 
/**
 * The status it moved to, in words.
 */
status: string | null, note: string | null, };

/**
 * What a list or a heading shows of one of the resident's things.
 */
export type Shown = { 
/**
 * What it is: the service's name ("Bulky waste collection"), or what the payment is for
 * ("Council tax").
 */
title: string, 
/**
 * The council's reference, once the council has it.
 */
reference: string | null, 
/**
 * The council's status in words ("In progress", "Waiting for payment", "Paid"), once the
 * council has it.
 */
status: string | null, 
/**
 * Where it stands on its way to the council: "Waiting to send", "Needs your attention" or
 * "Sent".
 */
delivery: string, 
/**
 * The one line a list shows under the title: what the resident wrote, where and when a
 * booking is, how much a payment is and for which reference.
 */
summary: string, 
/**
 * Where it is, in words, when it is somewhere.
 */
place: string | null, 
/**
 * A report's history, oldest first: what the council did and what the resident added.
 */
steps: Array<Step>, 
/**
 * A report the council has finished with as fixed or closed: the resident may say it is
 * not fixed, which reopens it.
 */
may_reopen: boolean, 
/**
 * What was answered to the service's questions, as "Check your answers" says it (the
 * council's copy's answers once it has them); empty for a payment.
 */
answers: Array<CheckedAnswer>, };
