// Waiting to send: waiting things say how they stand; "Send now" reports in words; refused
// things can be fixed with another time or a changed answer, tried again, or discarded after
// the resident confirms.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry, Slot } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import Outbox from './Outbox.svelte';

const waiting: OutboxEntry = {
  key: 'k1',
  chain: 'r1',
  item: 'r1',
  operation: 'send_report',
  what: 'Report',
  about: 'Report a pothole: Deep hole on Front Street',
  state: { state: 'waiting', attempts: 2, next_attempt_at: 1_790_000_000, last_error: 'the council did not answer' },
  created_at: 1_789_990_000,
};

const alternative: Slot = {
  id: 's16',
  site: 'clayport',
  site_name: 'Clayport Library',
  start: '2026-12-01T16:00:00Z',
  end: '2026-12-01T17:00:00Z',
  remaining: 2,
};

const slotTaken: OutboxEntry = {
  key: 'k2',
  chain: 'b1',
  item: 'b1',
  operation: 'book',
  what: 'Booking',
  about: '',
  state: {
    state: 'needs_attention',
    problem: { status: 409, code: 'slot_full', message: 'That time is full', field: 'slot_id', alternatives: [alternative] },
  },
  created_at: 1_789_990_000,
};

const badAnswer: OutboxEntry = {
  key: 'k3',
  chain: 'r2',
  item: 'r2',
  operation: 'send_report',
  what: 'Report',
  about: 'Flooding: Water across the road',
  state: {
    state: 'needs_attention',
    problem: { status: 400, code: 'invalid', message: 'Depth must be a number of centimetres', field: 'answers.depth', alternatives: [] },
  },
  created_at: 1_789_990_000,
};

describe('Outbox', () => {
  it('says nothing is waiting when the outbox is empty', async () => {
    fakeCore({ outbox: [] });
    render(Outbox);
    expect(screen.getByRole('heading', { level: 1, name: 'Waiting to send' })).toBeInTheDocument();
    expect(await screen.findByText('Nothing is waiting to send.')).toBeInTheDocument();
  });

  it('shows how a waiting thing stands and reports "Send now" in words', async () => {
    const core = fakeCore({ outbox: [waiting], sync_now: { sent: 1, refused: 0, pulled: 2, waiting: 0, needs_attention: 1, said: 'One sent, two updates.' } });
    render(Outbox);
    expect(await screen.findByText(/Tried 2 times\./)).toHaveTextContent('Last time: the council did not answer');
    expect(screen.getByRole('heading', { level: 2, name: 'Report a pothole: Deep hole on Front Street' })).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Send now' }));
    expect(await screen.findByText('One sent, two updates.')).toBeInTheDocument();
    expect(core.argsOf('sync_now')).toEqual([{}]);
  });

  it('fixes a refused booking with the time picked from the council’s alternatives', async () => {
    const core = fakeCore({ outbox: [slotTaken], fix: 'k4' });
    render(Outbox);
    expect(await screen.findByText('The council said: That time is full')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 2, name: 'Booking' })).toBeInTheDocument();
    await fireEvent.click(screen.getByLabelText(/4:00pm to 5:00pm, Clayport Library — 2 places left/));
    await fireEvent.click(screen.getByRole('button', { name: 'Fix and send again' }));
    await waitFor(() => expect(core.argsOf('fix')).toEqual([{ key: 'k2', slot_id: 's16', answers: [] }]));
  });

  it('fixes a refused answer with the answer typed', async () => {
    const core = fakeCore({ outbox: [badAnswer], fix: 'k5', retry: null });
    render(Outbox);
    await fireEvent.input(await screen.findByLabelText(/New answer for “depth”/), { target: { value: '30' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Fix and send again' }));
    await waitFor(() => expect(core.argsOf('fix')).toEqual([{ key: 'k3', slot_id: null, answers: [['depth', '30']] }]));
    await fireEvent.click(screen.getByRole('button', { name: /Try again/ }));
    await waitFor(() => expect(core.argsOf('retry')).toEqual([{ key: 'k3' }]));
  });

  it('asks before discarding, and discards only once confirmed', async () => {
    const core = fakeCore({ outbox: [badAnswer], discard: null });
    render(Outbox);
    await fireEvent.click(await screen.findByRole('button', { name: /^Discard/ }));
    expect(screen.getByText(/Discard “Flooding: Water across the road”\?/)).toBeInTheDocument();
    expect(core.argsOf('discard')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'No, keep it' }));
    expect(core.argsOf('discard')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: /^Discard/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, discard it' }));
    await waitFor(() => expect(core.argsOf('discard')).toEqual([{ key: 'k3' }]));
  });
});
