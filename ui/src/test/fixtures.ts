// Values shaped exactly as the desktop shell sends them, for page tests; an item's `shown` says
// what the core (core/src/shown.rs) would say of it, and a service's form and "Check your
// answers" are what the core (core/src/form.rs) would make of its questions.
import type {
  BookingToCheck,
  CheckedAnswer,
  Delivery,
  Field,
  FieldKind,
  GivenAnswer,
  MyReport,
  Question,
  ReportToCheck,
  ServiceDefinition,
  ServiceSummary,
  Shown,
} from '../lib/doorstep';

export const pothole: ServiceDefinition = {
  code: 'pothole',
  name: 'Report a pothole',
  group: 'roads_and_pavements',
  kind: 'report',
  description: 'A hole in a road or car park.',
  keywords: ['hole'],
  what_happens_next: 'An inspector visits.',
  target_days: 5,
  questions: [
    {
      code: 'depth',
      datatype: 'singlevaluelist',
      required: true,
      description: 'How deep is it?',
      order: 1,
      values: [
        { key: 'shallow', name: 'Less than 4cm' },
        { key: 'deep', name: '4cm or more' },
      ],
    },
    {
      code: 'blocking',
      datatype: 'multivaluelist',
      required: false,
      description: 'What does it block?',
      order: 2,
      values: [
        { key: 'road', name: 'The road' },
        { key: 'path', name: 'The path' },
      ],
    },
    { code: 'landmark', datatype: 'string', required: false, description: 'Nearest landmark', order: 3 },
  ],
};

export const catalogue: ServiceSummary[] = [
  { code: 'pothole', name: 'Report a pothole', group: 'roads_and_pavements', kind: 'report', description: 'A hole.', keywords: [] },
  { code: 'bulky_waste', name: 'Book a bulky waste collection', group: 'bins_and_recycling', kind: 'booking', description: 'Big things.', keywords: [] },
  { code: 'missed_bin', name: 'Report a missed bin', group: 'bins_and_recycling', kind: 'report', description: 'Not emptied.', keywords: [] },
];

/** Where an item stands on its way to the council, as the core says it. */
export const deliveryWords: Record<Delivery['state'], string> = {
  waiting: 'Waiting to send',
  needs_attention: 'Needs your attention',
  sent: 'Sent',
};

/** What the core shows of an item: the words given, and nothing for the rest. */
export function shown(words: Pick<Shown, 'title' | 'delivery'> & Partial<Shown>): Shown {
  return { reference: null, status: null, tag: words.delivery, summary: '', place: null, steps: [], may_reopen: false, answers: [], ...words };
}

/** A pothole reported on this device, and the council's copy once it has a reference. */
export function myReport(delivery: Delivery, reference: string | null): MyReport {
  return {
    local_id: 'r1',
    delivery,
    service_code: 'pothole',
    description: 'Deep hole',
    location: { lat: 54.77, lon: -1.57 },
    request: {
      service_code: 'pothole',
      description: 'Deep hole',
      location: { lat: 54.77, lon: -1.57 },
      answers: {},
      attachments: [],
    },
    report:
      reference === null
        ? null
        : {
            id: 'x',
            reference,
            service_code: 'pothole',
            service_name: 'Report a pothole',
            description: 'Deep hole',
            location: { lat: 54.77, lon: -1.57 },
            answers: {},
            attachments: [],
            status: 'open',
            created_at: '2026-11-29T10:00:00Z',
            updated_at: '2026-11-29T10:00:00Z',
            timeline: [],
          },
    shown: shown({
      title: 'Report a pothole',
      reference,
      status: reference === null ? null : 'Open',
      delivery: deliveryWords[delivery.state],
      tag: reference === null ? deliveryWords[delivery.state] : 'Open',
      summary: 'Deep hole',
      place: '54.77, -1.57',
    }),
  };
}

const KINDS: Record<Question['datatype'], FieldKind> = {
  string: 'line',
  text: 'lines',
  number: 'number',
  datetime: 'date',
  singlevaluelist: 'one_of',
  multivaluelist: 'any_of',
};

const inOrder = (questions: Question[]) => [...questions].sort((a, b) => a.order - b.order);

/** The form the core makes of a service's questions. */
export function form(questions: Question[]): Field[] {
  return inOrder(questions).map((q) => {
    const kind = KINDS[q.datatype];
    const hint =
      kind === 'date' ? 'For example, 2026-12-01, or 2026-12-01T14:30 with a time' : kind === 'any_of' ? 'Select all that apply' : null;
    return {
      code: q.code,
      problem_field: `answers.${q.code}`,
      label: q.required ? q.description : `${q.description} (optional)`,
      hint: q.datatype_description ?? hint,
      kind,
      required: q.required,
      choices: q.values ?? [],
    };
  });
}

/** "Check your answers" as the core says it of what was given to these questions. */
export function checked(questions: Question[], given: Record<string, GivenAnswer>): CheckedAnswer[] {
  return inOrder(questions).map((q) => {
    const answer = given[q.code];
    const keys = Array.isArray(answer) ? answer : answer === undefined || answer.trim() === '' ? [] : [answer.trim()];
    const names = keys.map((key) => q.values?.find((v) => v.key === key)?.name ?? key);
    return { code: q.code, question: q.description, answer: names.length === 0 ? 'Not answered' : names.join(', ') };
  });
}

/**
 * The shell's answers to `service_form`, `check_report` and `check_booking` for a service with
 * these questions (the rows here are its questions' alone: the page draws whatever rows the core
 * gives).
 */
export function formCommands(questions: Question[]) {
  return {
    service_form: form(questions),
    check_report: (args: Record<string, unknown>) => checked(questions, (args.report as ReportToCheck).answers),
    check_booking: (args: Record<string, unknown>) => checked(questions, (args.booking as BookingToCheck).answers),
  };
}
