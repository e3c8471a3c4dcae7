// Your bookings: each booking with its reference (or that it waits to be sent), when, where,
// its status and a link to it; an empty list points to booking.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MyBooking } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import Bookings from './Bookings.svelte';

const sent: MyBooking = {
  local_id: 'b1',
  delivery: { state: 'sent' },
  request: null,
  booking: {
    id: 'srv1',
    reference: 'DUR-BK-000045',
    service_code: 'library_computer',
    service_name: 'Book a library computer',
    slot_id: 's14',
    site_name: 'Clayport Library',
    start: '2026-12-01T14:00:00Z',
    end: '2026-12-01T15:00:00Z',
    answers: {},
    status: 'awaiting_payment',
    cancel_until: '2026-12-01T13:00:00Z',
    created_at: '2026-11-29T10:00:00Z',
    updated_at: '2026-11-29T10:00:00Z',
  },
};

const queued: MyBooking = {
  local_id: 'b2',
  delivery: { state: 'waiting' },
  request: { service_code: 'digital_help', slot_id: 's9', answers: {}, fallback: 'none' },
  booking: null,
};

describe('Bookings', () => {
  it('lists each booking with its reference or that it is waiting to send', async () => {
    fakeCore({
      bookings: [sent, queued],
      services: [{ code: 'digital_help', name: 'Book help using a computer', group: 'libraries', kind: 'booking', description: '', keywords: [] }],
    });
    render(Bookings);
    expect(screen.getByRole('heading', { level: 1, name: 'Your bookings' })).toBeInTheDocument();
    const link = await screen.findByRole('link', { name: 'Book a library computer' });
    expect(link).toHaveAttribute('href', '#/bookings/b1');
    expect(screen.getByText(/Reference DUR-BK-000045/)).toHaveTextContent(/2:00pm to 3:00pm · Clayport Library/);
    expect(screen.getByText('Waiting for payment')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Book help using a computer' })).toHaveAttribute('href', '#/bookings/b2');
    expect(screen.getAllByText('Waiting to send')).toHaveLength(2);
  });

  it('points to booking when there are none', async () => {
    fakeCore({ bookings: [] });
    render(Bookings);
    expect(await screen.findByRole('link', { name: 'Book a time' })).toHaveAttribute('href', '#/book');
  });

  it('says in words when the bookings cannot be read', async () => {
    fakeCore({});
    render(Bookings);
    expect(await screen.findByRole('alert')).toHaveTextContent('The test gave no answer for bookings');
  });
});
