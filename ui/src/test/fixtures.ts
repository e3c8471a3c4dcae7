// Values shaped exactly as the desktop shell sends them, for page tests.
import type { MyReport, ServiceDefinition, ServiceSummary } from '../lib/doorstep';

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

export function myReport(delivery: MyReport['delivery'], reference: string | null): MyReport {
  return {
    local_id: 'r1',
    delivery,
    request: null,
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
  };
}
