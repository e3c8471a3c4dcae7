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

/**
 * A point on the map, WGS84 degrees.
 */
export type GeoPoint = { lat: number, lon: number, };

/**
 * How residents reach the council other than through Doorstep.
 */
export type Contact = { phone: string, email: string, website: string, address?: string, };

/**
 * The council's own header: its name and colours (no crown: councils are not central government).
 */
export type Branding = { 
/**
 * Header background, `#rrggbb`.
 */
primary_colour: string, 
/**
 * Header text, `#rrggbb`; must contrast with the background (WCAG AA).
 */
text_colour: string, 
/**
 * Text shown as the council's logo.
 */
logo_text: string, };

/**
 * Links to the council's policies.
 */
export type Policies = { privacy_url: string, accessibility_url: string, };

/**
 * The area the council serves.
 */
export type Boundary = { 
/**
 * True when the polygon is a simplification of the legal boundary.
 */
approximate: boolean, note: string, 
/**
 * A closed ring (the last point joins the first).
 */
polygon: Array<GeoPoint>, };

/**
 * Something a resident can pay for, and how its reference looks.
 */
export type PaymentPurpose = { 
/**
 * `council_tax`, `parking_penalty`, `garden_waste_permit`, `booking_fee`, ...
 */
code: string, name: string, 
/**
 * What the reference is called on the resident's letter.
 */
reference_label: string, 
/**
 * Where to find it and how it looks, in plain English.
 */
reference_hint: string, 
/**
 * A regular expression the whole reference must match (after trimming, upper case).
 */
reference_pattern: string, min_pence: number, max_pence: number, };

/**
 * `GET /v1/council`.
 */
export type Council = { 
/**
 * Short machine name, e.g. `durham`.
 */
id: string, name: string, 
/**
 * The area, as residents say it: "County Durham".
 */
area_name: string, 
/**
 * Prefix of human references, e.g. `DUR` in `DUR-2026-000123`.
 */
reference_prefix: string, 
/**
 * IANA time zone of the council's clocks.
 */
timezone: string, contact: Contact, branding: Branding, policies: Policies, boundary: Boundary, payment_purposes: Array<PaymentPurpose>, };

/**
 * What a resident does with a service.
 */
export type ServiceKind = "report" | "booking" | "payment" | "info";

/**
 * One line of the catalogue.
 */
export type ServiceSummary = { code: string, name: string, group: string, kind: ServiceKind, description: string, keywords: Array<string>, };

/**
 * A heading of the services pages and the services under it.
 */
export type ServiceGroup = { code: string, 
/**
 * The council's name for it ("Bins and recycling"); its code when the council names none.
 */
name: string, 
/**
 * Its services, in the catalogue's order.
 */
services: Array<ServiceSummary>, };

/**
 * Open311's datatypes for a question's answer.
 */
export type Datatype = "string" | "number" | "datetime" | "text" | "singlevaluelist" | "multivaluelist";

/**
 * One allowed value of a list question.
 */
export type ValueOption = { key: string, name: string, };

/**
 * A question the resident answers (an Open311 attribute).
 */
export type Question = { code: string, datatype: Datatype, required: boolean, 
/**
 * The question, as asked.
 */
description: string, 
/**
 * Help shown under the question.
 */
datatype_description?: string, order: number, 
/**
 * For list questions: the allowed values.
 */
values?: Array<ValueOption>, };

/**
 * Up to `up_to` items cost `pence`.
 */
export type FeeBand = { up_to: number, pence: number, };

/**
 * What a service costs.
 */
export type Fee = { "kind": "fixed", pence: number, } | { "kind": "per_item", question: string, pence_each: number, minimum_pence: number, } | { "kind": "bands", question: string, bands: Array<FeeBand>, };

/**
 * A day of the week.
 */
export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/**
 * Until when something may still be done, relative to a slot's start.
 */
export type Cutoff = { "kind": "hours_before", hours: number, } | { "kind": "working_day_before", time: string, };

/**
 * A place where a bookable service happens (a library, a register office, a collection round).
 */
export type Site = { code: string, name: string, address?: string, };

/**
 * How a bookable service's slots are made and kept.
 */
export type BookingRules = { sites: Array<Site>, 
/**
 * The days slots are offered on.
 */
weekdays: Array<Weekday>, 
/**
 * Local opening time, HH:MM.
 */
opens: string, 
/**
 * Local closing time, HH:MM.
 */
closes: string, 
/**
 * Length of a slot; absent for one slot a day (a collection day).
 */
slot_minutes?: number, 
/**
 * Places in each slot at each site.
 */
capacity: number, 
/**
 * How many days ahead slots are offered.
 */
days_ahead: number, 
/**
 * The last moment a slot can be booked.
 */
book_cutoff: Cutoff, 
/**
 * The last moment a booking can be cancelled.
 */
cancel_cutoff: Cutoff, 
/**
 * The booking needs the resident's address (a collection).
 */
needs_location: boolean, };

/**
 * Everything about one service: `GET /v1/services/{code}`.
 */
export type ServiceDefinition = { code: string, name: string, group: string, kind: ServiceKind, description: string, keywords: Array<string>, 
/**
 * What happens after the resident submits, in plain English.
 */
what_happens_next?: string, 
/**
 * Working days the council aims to act within (reports).
 */
target_days?: number, questions: Array<Question>, fee?: Fee, booking?: BookingRules, 
/**
 * For payment services: the payment purpose they start.
 */
payment_purpose?: string, 
/**
 * The council's own page about the service.
 */
more_info_url?: string, };

/**
 * A property in the council's gazetteer.
 */
export type Address = { uprn: string, address: string, postcode: string, lat: number, lon: number, };

/**
 * `GET /v1/addresses?postcode=`.
 */
export type AddressList = { postcode: string, addresses: Array<Address>, };

/**
 * A kind of bin.
 */
export type Bin = { code: string, 
/**
 * "Rubbish (black bin)".
 */
name: string, colour: string, };

/**
 * The bins collected on one day.
 */
export type Collection = { date: string, bins: Array<Bin>, };

/**
 * `GET /v1/collections?uprn=`.
 */
export type CollectionCalendar = { uprn: string, address: string, 
/**
 * When bins must be out, in plain English.
 */
advice: string, collections: Array<Collection>, };

/**
 * A cached answer and whether it is from an earlier visit.
 */
export type Fresh<T> = { value: T, stale: boolean, fetched_at: number, };

/**
 * What an operation does, in the resident's words.
 */
export type Operation = "upload_photo" | "send_report" | "add_update" | "book" | "cancel_booking" | "start_payment";

/**
 * Where an operation stands.
 */
export type OutboxState = { "state": "waiting", attempts: number, next_attempt_at: number, last_error: string | null, } | { "state": "needs_attention", problem: Problem, };

/**
 * One operation in the outbox.
 */
export type OutboxEntry = { key: string, chain: string, 
/**
 * The report, booking or payment (its local id) the operation acts on.
 */
item: string, operation: Operation, 
/**
 * The operation in the resident's words: "Report", "Cancellation".
 */
what: string, 
/**
 * The thing it acts on, so that one can be told from another: "Report a pothole: Deep
 * hole by the bus stop", "Bulky waste collection, Tuesday 1 December 2026 at 9am".
 */
about: string, state: OutboxState, created_at: number, };

/**
 * How syncing stands.
 */
export type SyncState = { "state": "idle" } | { "state": "syncing" } | { "state": "offline" } | { "state": "auth_required" };

/**
 * One thing that happened.
 */
export type CoreEvent = { "event": "outbox", waiting: number, needs_attention: number, } | { "event": "item_changed", local_id: string, kind: string, } | { "event": "sync", state: SyncState, last_success: number | null, last_error: string | null, } | { "event": "payment_needs_action", local_id: string, next_url: string, } | { "event": "status_changed", local_id: string, kind: string, title: string, body: string, };

/**
 * The code is on its way.
 */
export type CodeSent = { 
/**
 * The address, partly hidden: `j***@example.com`.
 */
sent_to: string, expires_in_seconds: number, };
