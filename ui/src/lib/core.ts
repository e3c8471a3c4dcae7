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
 * What a list's tag says: the status once the council has it all, else the delivery.
 */
tag: string, 
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

/**
 * An answer to a question: text, a number, or the keys picked in a multi-value list.
 */
export type Answer = string | number | Array<string>;

/**
 * `POST /v1/reports`.
 */
export type NewReport = { service_code: string, description: string, location: Location, answers: { [key in string]: Answer }, 
/**
 * SHA-256 (hex) of photos already uploaded with `PUT /v1/attachments/{sha256}`.
 */
attachments: Array<string>, contact?: ContactDetails, 
/**
 * A photo already online (an Open311 `media_url`), as an http(s) address.
 */
media_url?: string, };

/**
 * The statuses of mySociety's Open311 extension.
 */
export type ReportStatus = "open" | "investigating" | "in_progress" | "action_scheduled" | "fixed" | "closed" | "duplicate" | "not_councils_responsibility" | "no_further_action";

/**
 * Who wrote a timeline entry.
 */
export type Author = "resident" | "council";

/**
 * One entry of a report's timeline: a status change, a note, or both.
 */
export type TimelineEntry = { at: string, from: Author, 
/**
 * The status the report moved to, if it moved.
 */
status?: ReportStatus, note?: string, };

/**
 * A report as the council holds it.
 */
export type Report = { id: string, 
/**
 * The reference residents quote: `DUR-2026-000123`.
 */
reference: string, service_code: string, service_name: string, description: string, location: Location, answers: { [key in string]: Answer }, attachments: Array<string>, 
/**
 * How the council may reach the resident about it, if they said.
 */
contact?: ContactDetails, 
/**
 * A photo already online, given by the resident's app as an address.
 */
media_url?: string, status: ReportStatus, created_at: string, updated_at: string, 
/**
 * When the council aims to have acted, from the service's target days.
 */
expected_by?: string, timeline: Array<TimelineEntry>, };

/**
 * A time a service can be booked for, at one site.
 */
export type Slot = { 
/**
 * `{site}/{YYYY-MM-DDTHH:MM}` in local time.
 */
id: string, site: string, site_name: string, start: string, end: string, 
/**
 * Places still free.
 */
remaining: number, };

/**
 * `GET /v1/services/{code}/slots`.
 */
export type SlotList = { service_code: string, slots: Array<Slot>, };

/**
 * `POST /v1/bookings`.
 */
export type NewBooking = { service_code: string, slot_id: string, answers: { [key in string]: Answer }, location?: Location, fallback: Fallback, };

/**
 * Where a booking stands.
 */
export type BookingStatus = "confirmed" | "awaiting_payment" | "cancelled";

/**
 * A booking as the council holds it.
 */
export type Booking = { id: string, 
/**
 * The reference residents quote, and the one a booking fee is paid against.
 */
reference: string, service_code: string, service_name: string, slot_id: string, site_name: string, start: string, end: string, 
/**
 * The slot asked for, when the fallback chose another.
 */
requested_slot_id?: string, answers: { [key in string]: Answer }, location?: Location, status: BookingStatus, fee_pence?: number, 
/**
 * The last moment it can be cancelled.
 */
cancel_until: string, created_at: string, updated_at: string, };

/**
 * GOV.UK Pay's payment statuses.
 */
export type PaymentStatus = "created" | "started" | "submitted" | "capturable" | "success" | "failed" | "cancelled" | "error";

/**
 * GOV.UK Pay's `state` object.
 */
export type PaymentState = { status: PaymentStatus, finished: boolean, 
/**
 * Why it failed, for people.
 */
message?: string, 
/**
 * GOV.UK Pay's code: P0010 declined, P0020 expired, P0030 cancelled by the payer, ...
 */
code?: string, };

/**
 * `POST /v1/payments`.
 */
export type NewPayment = { 
/**
 * A payment purpose of the council profile: `council_tax`, `parking_penalty`, ...
 */
purpose: string, 
/**
 * The reference on the resident's bill, notice or booking.
 */
reference: string, amount_pence: number, 
/**
 * Where the payment page sends the payer back to.
 */
return_url: string, email?: string, };

/**
 * Proof of a successful payment.
 */
export type Receipt = { receipt_number: string, paid_at: string, amount_pence: number, card_brand: string, last_digits: string, };

/**
 * A payment as the council holds it.
 */
export type Payment = { id: string, purpose: string, reference: string, description: string, amount_pence: number, state: PaymentState, 
/**
 * The provider's page to open while the payment is not finished.
 */
next_url?: string, return_url: string, receipt?: Receipt, refunded_pence: number, created_at: string, updated_at: string, };

/**
 * Why the council refused an operation, or why it waits.
 */
export type Problem = { 
/**
 * The council's HTTP status; 0 when no council answered and the device judged itself.
 */
status: number, code: string, message: string, field: string | null, alternatives: Array<Slot>, };

/**
 * Whether an item has reached the council.
 */
export type Delivery = { "state": "waiting" } | { "state": "needs_attention", key: string, problem: Problem, } | { "state": "sent" };

/**
 * A report: what the resident asked, and the council's copy once sent.
 */
export type MyReport = { local_id: string, delivery: Delivery, service_code: string, description: string, 
/**
 * Where the problem is (`None` only for a row with neither copy).
 */
location: Location | null, request: NewReport | null, report: Report | null, 
/**
 * What the screens show of it, in the resident's words.
 */
shown: Shown, };

/**
 * A booking: what the resident asked for, and the council's copy once made.
 */
export type MyBooking = { local_id: string, delivery: Delivery, service_code: string, 
/**
 * The time booked: the one the council gave, which may not be the one asked for.
 */
slot_id: string, 
/**
 * The address of a collection, for the services that need one.
 */
location: Location | null, request: NewBooking | null, booking: Booking | null, 
/**
 * What the screens show of it, in the resident's words.
 */
shown: Shown, };

/**
 * A payment: what the resident asked to pay, and the council's copy once it has it.
 */
export type MyPayment = { local_id: string, delivery: Delivery, purpose: string, reference: string, amount_pence: number, request: NewPayment | null, payment: Payment | null, 
/**
 * What the screens show of it, in the resident's words.
 */
shown: Shown, };

/**
 * Slots as the device knows them.
 */
export type SlotView = { list: SlotList, 
/**
 * True when these are last-known slots from an earlier visit (the device is offline).
 */
stale: boolean, 
/**
 * When they were fetched (unix seconds).
 */
fetched_at: number, };

/**
 * What one round moved.
 */
export type SyncReport = { 
/**
 * Operations the council accepted in this round.
 */
sent: number, 
/**
 * Operations the council refused for good in this round.
 */
refused: number, 
/**
 * Changes pulled from the council.
 */
pulled: number, 
/**
 * Still waiting after the round (to retry later).
 */
waiting: number, 
/**
 * Needing the resident's attention after the round.
 */
needs_attention: number, 
/**
 * What the round did, as "Send now" tells the resident: "2 things sent, 1 still waiting."
 */
said: string, };

/**
 * A journey the home page opens.
 */
export type HomeTask = "report" | "book" | "pay" | "bins";

/**
 * A way in from the home page, in the resident's words.
 */
export type TopTask = { task: HomeTask, 
/**
 * "Report a problem".
 */
text: string, 
/**
 * What it covers: "Potholes, fly-tipping, street lights, missed bins".
 */
hint: string, };
