// Values shaped exactly as the desktop shell sends them, for page tests; an item's `shown` says
// what the core (core/src/shown.rs) would say of it.
import type { Delivery, MyReport, ServiceDefinition, ServiceSummary, Shown } from '../lib/doorstep';

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
  return { reference: null, status: null, summary: '', place: null, steps: [], may_reopen: false, ...words };
}

/** A pothole reported on this device, and the council's copy once it has a reference. */
export function myReport(delivery: Delivery, reference: string | null): MyReport {
  return {
    local_id: 'r1',
    delivery,
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
      summary: 'Deep hole',
      place: '54.77, -1.57',
    }),
  };
}
