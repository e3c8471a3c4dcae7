// The page's one way to reach the Rust core: every command and event of the desktop shell,
// typed as the core serialises them (field names exactly as in Rust).
//
// Invariant: no other module imports `@tauri-apps/api`; every rejected command is turned into a
// `ShellError` here, so a screen only ever handles that one shape.
//
// Field ids. The core names a field at fault with a dotted path (`answers.depth`,
// `contact.email`, `photos.0`); the page's inputs carry ids made from those paths by `fieldId`:
//   - dots become hyphens: `answers.depth` → `answers-depth`, `contact.email` → `contact-email`;
//   - a path that names a group rather than one input points at the group's first input:
//     `location` → `postcode`, `location.lat` → `lat`, `location.lon` → `lon`,
//     `location.uprn` → `uprn`, `photos.N` and `attachments(.N)` → `photos`,
//     `amount_pence` → `amount`, `slot_id` → `slot`, `url` (the council's address) →
//     `council-url`, `text` (an update to a report) → `update-text`;
//   - paths that name no input the resident can change (`service_code`, `key`, `booking`,
//     `return_url`) have no id: their message is shown without a link.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AddressList,
  BookingToCheck,
  CheckedAnswer,
  CodeSent,
  CollectionCalendar,
  ContactDetails,
  CoreEvent,
  Council,
  Fallback,
  Field,
  Fresh,
  GivenAnswer,
  Location,
  MyBooking,
  MyPayment,
  MyReport,
  OutboxEntry,
  ReportToCheck,
  ServiceDefinition,
  ServiceGroup,
  ServiceKind,
  ServiceSummary,
  Slot,
  SlotView,
  SyncReport,
  TopTask,
} from './core';

// Declared by the core's own types (ui/src/lib/core.ts, made by a core test).
export type {
  Address,
  AddressList,
  Answer,
  Author,
  Bin,
  Booking,
  BookingRules,
  BookingStatus,
  BookingToCheck,
  Boundary,
  Branding,
  CheckedAnswer,
  Choice,
  CodeSent,
  Collection,
  CollectionCalendar,
  Contact,
  ContactDetails,
  CoreEvent,
  Council,
  Cutoff,
  Datatype,
  Delivery,
  Fallback,
  Fee,
  FeeBand,
  Field,
  FieldKind,
  Fresh,
  GeoPoint,
  GivenAnswer,
  HomeTask,
  Location,
  MyBooking,
  MyPayment,
  MyReport,
  NewBooking,
  NewPayment,
  NewReport,
  Operation,
  OutboxEntry,
  OutboxState,
  Payment,
  PaymentPurpose,
  PaymentState,
  PaymentStatus,
  Policies,
  Problem,
  Question,
  Receipt,
  Report,
  ReportStatus,
  ReportToCheck,
  ServiceDefinition,
  ServiceGroup,
  ServiceKind,
  ServiceSummary,
  Shown,
  Site,
  Slot,
  SlotList,
  SlotView,
  Step,
  SyncReport,
  SyncState,
  TimelineEntry,
  TopTask,
  ValueOption,
  Weekday,
} from './core';

// ---- A saved form (core/src/drafts.rs), whose body is the page's own ----

export interface Draft<T = unknown> {
  id: string;
  kind: string;
  body: T;
  updated_at: number;
}

// ---- The shell's own types (app/src) ----

export interface SecretsPlace {
  kind: 'keyring' | 'file';
  note: string | null;
}

export interface AppStatus {
  council: Council | null;
  council_url: string;
  demo: boolean;
  online: boolean;
  signed_in_as: string | null;
  pending_email: string | null;
  secrets: SecretsPlace;
  data_dir: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type ErrorKind =
  | 'invalid'
  | 'not_found'
  | 'offline'
  | 'auth_required'
  | 'refused'
  | 'not_offered'
  | 'storage'
  | 'internal';

/** Every failure of a command, as the shell sends it. */
export interface ShellError {
  kind: ErrorKind;
  message: string;
  problems: FieldProblem[];
  code: string | null;
  field: string | null;
  alternatives: Slot[];
}

export interface ReportForm {
  service_code: string;
  description: string;
  location: Location;
  answers: Record<string, GivenAnswer>;
  contact: ContactDetails | null;
}

// ---- Errors and field ids ----

const GROUP_FIELDS: Record<string, string> = {
  location: 'postcode',
  'location.lat': 'lat',
  'location.lon': 'lon',
  'location.uprn': 'uprn',
  attachments: 'photos',
  amount_pence: 'amount',
  slot_id: 'slot',
  url: 'council-url',
  text: 'update-text',
};

const FIELDS_WITHOUT_INPUT = new Set(['service_code', 'key', 'booking', 'return_url']);

/** The id of the input a core field path names, or null when no input can fix it. */
export function fieldId(field: string): string | null {
  if (FIELDS_WITHOUT_INPUT.has(field)) return null;
  if (field in GROUP_FIELDS) return GROUP_FIELDS[field];
  if (/^(photos|attachments)\.\d+$/.test(field)) return 'photos';
  return field.replace(/\./g, '-');
}

/** The id of the input for a question's answer. */
export function answerId(code: string): string {
  return fieldId(`answers.${code}`) ?? `answers-${code}`;
}

function isShellError(value: unknown): value is ShellError {
  return typeof value === 'object' && value !== null && 'kind' in value && 'message' in value;
}

/** Any rejection as a `ShellError` (a bare string or a JS error becomes `internal`). */
export function asShellError(value: unknown): ShellError {
  if (isShellError(value)) {
    return {
      kind: value.kind,
      message: value.message,
      problems: value.problems ?? [],
      code: value.code ?? null,
      field: value.field ?? null,
      alternatives: value.alternatives ?? [],
    };
  }
  const message = value instanceof Error ? value.message : String(value);
  return { kind: 'internal', message, problems: [], code: null, field: null, alternatives: [] };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw asShellError(error);
  }
}

// ---- Commands ----

export const doorstep = {
  appStatus: () => call<AppStatus>('app_status'),
  setCouncilUrl: (url: string | null) => call<AppStatus>('set_council_url', { url }),
  setOnline: (online: boolean) => call<void>('set_online', { online }),
  ready: () => call<void>('ready'),

  refreshCatalogue: () => call<boolean>('refresh_catalogue'),
  services: (search: string | null) => call<ServiceSummary[]>('services', { search }),
  topTasks: () => call<TopTask[]>('top_tasks'),
  serviceGroups: (kind: ServiceKind | null) => call<ServiceGroup[]>('service_groups', { kind }),
  service: (code: string) => call<ServiceDefinition>('service', { code }),
  serviceForm: (service_code: string) => call<Field[]>('service_form', { service_code }),
  checkReport: (report: ReportToCheck) => call<CheckedAnswer[]>('check_report', { report }),
  checkBooking: (booking: BookingToCheck) => call<CheckedAnswer[]>('check_booking', { booking }),
  fallbackChoices: () => call<{ key: Fallback; name: string }[]>('fallback_choices'),

  submitReport: (input: ReportForm, photos: string[]) => call<MyReport>('submit_report', { input, photos }),
  reports: () => call<MyReport[]>('reports'),
  report: (local_id: string) => call<MyReport>('report', { local_id }),
  addUpdate: (local_id: string, text: string, reopen: boolean) =>
    call<MyReport>('add_update', { local_id, text, reopen }),

  bookingFee: (service_code: string, answers: Record<string, GivenAnswer>) =>
    call<number | null>('booking_fee', { service_code, answers }),
  slots: (service_code: string) => call<SlotView>('slots', { service_code }),
  book: (
    service_code: string,
    slot_id: string,
    answers: Record<string, GivenAnswer>,
    location: Location | null,
    fallback: Fallback,
  ) => call<MyBooking>('book', { service_code, slot_id, answers, location, fallback }),
  bookings: () => call<MyBooking[]>('bookings'),
  booking: (local_id: string) => call<MyBooking>('booking', { local_id }),
  cancelBooking: (local_id: string) => call<MyBooking>('cancel_booking', { local_id }),
  mayCancel: (local_id: string) => call<boolean>('may_cancel', { local_id }),
  feeDue: (local_id: string) => call<number | null>('fee_due', { local_id }),
  payBookingFee: (local_id: string) => call<MyPayment>('pay_booking_fee', { local_id }),

  startPayment: (purpose: string, reference: string, amount: string, email: string) =>
    call<MyPayment>('start_payment', { purpose, reference, amount, email: email.trim() === '' ? null : email }),
  payments: () => call<MyPayment[]>('payments'),
  payment: (local_id: string) => call<MyPayment>('payment', { local_id }),
  refreshPayment: (local_id: string) => call<MyPayment>('refresh_payment', { local_id }),
  openPaymentPage: (local_id: string) => call<void>('open_payment_page', { local_id }),
  openCouncilPage: (code: string) => call<void>('open_council_page', { code }),

  addresses: (postcode: string) => call<Fresh<AddressList>>('addresses', { postcode }),
  collections: (uprn: string) => call<Fresh<CollectionCalendar>>('collections', { uprn }),
  saveBinCalendar: (uprn: string) => call<string>('save_bin_calendar', { uprn }),
  rememberBinAddress: (uprn: string) => call<null>('remember_bin_address', { uprn }),
  binAddress: () => call<string | null>('bin_address'),

  outbox: () => call<OutboxEntry[]>('outbox'),
  retry: (key: string) => call<void>('retry', { key }),
  fix: (key: string, slot_id: string | null, answers: [string, string][]) =>
    call<string>('fix', { key, slot_id, answers }),
  discard: (key: string) => call<void>('discard', { key }),
  syncNow: () => call<SyncReport>('sync_now'),

  saveDraft: (id: string | null, kind: string, body: unknown) => call<string>('save_draft', { id, kind, body }),
  drafts: () => call<Draft[]>('drafts'),
  deleteDraft: (id: string) => call<void>('delete_draft', { id }),

  signIn: (email: string) => call<CodeSent>('sign_in', { email }),
  verify: (email: string, code: string) => call<AppStatus>('verify', { email, code }),
  signOut: () => call<void>('sign_out'),
  exportData: () => call<string>('export_data'),
  erase: () => call<void>('erase'),
};

// ---- Events ----

export const CORE_EVENT = 'doorstep://event';
export const PAYMENT_FINISHED = 'doorstep://payment-finished';

/** Receive the core's events; resolves once subscribed, with the function that stops them. */
export function onCoreEvent(handler: (event: CoreEvent) => void): Promise<UnlistenFn> {
  return listen<CoreEvent>(CORE_EVENT, (e) => handler(e.payload));
}

/** Hear when the provider's page has sent the resident back, with the payment's local id. */
export function onPaymentFinished(handler: (local_id: string) => void): Promise<UnlistenFn> {
  return listen<{ local_id: string }>(PAYMENT_FINISHED, (e) => handler(e.payload.local_id));
}
