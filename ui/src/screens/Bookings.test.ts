// Your bookings: each booking with its reference once the council has it, when and where, its
// status and a link to it, all in the core's words; an empty list points to booking.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MyBooking } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { shown } from '../test/fixtures';
import Bookings from './Bookings.svelte';

const sent: MyBooking = {
  local_id: 'b1',
  delivery: { state: 'sent' },
  service_code: 'library_computer',
  slot_id: 's14',
  location: null,
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
  shown: shown({
    title: 'Book a library computer',
    reference: 'DUR-BK-000045',
    status: 'Waiting for payment',
    delivery: 'Sent',
    summary: 'Clayport Library, Tuesday 1 December 2026 at 2pm',
  }),
};

const queued: MyBooking = {
  local_id: 'b2',
  delivery: { state: 'waiting' },
  service_code: 'digital_help',
  slot_id: 'clayport/2026-12-03T10:00',
  location: null,
  request: { service_code: 'digital_help', slot_id: 'clayport/2026-12-03T10:00', answers: {}, fallback: 'none' },
  booking: null,
  shown: shown({ title: 'Book help using a computer', delivery: 'Waiting to send', summary: 'Thursday 3 December 2026 at 10am' }),
};

describe('Bookings', () => {
  it('lists each booking with its reference once sent, when and where, and where it stands', async () => {
    fakeCore({ bookings: [sent, queued] });
    render(Bookings);
    expect(screen.getByRole('heading', { level: 1, name: 'Your bookings' })).toBeInTheDocument();
    const link = await screen.findByRole('link', { name: 'Book a library computer' });
    expect(link).toHaveAttribute('href', '#/bookings/b1');
    expect(screen.getByText(/Reference DUR-BK-000045/)).toHaveTextContent('Reference DUR-BK-000045 · Clayport Library, Tuesday 1 December 2026 at 2pm');
    expect(screen.getByText('Waiting for payment')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Book help using a computer' })).toHaveAttribute('href', '#/bookings/b2');
    expect(screen.getByText('Thursday 3 December 2026 at 10am')).toBeInTheDocument();
    expect(screen.getByText('Waiting to send')).toHaveClass('govuk-tag--yellow');
  });

  it('shows the status and when and where in whatever words the core gives', async () => {
    fakeCore({ bookings: [{ ...sent, shown: { ...sent.shown, status: 'Pay to confirm', summary: 'Clayport, first floor, 1 Dec' } }] });
    render(Bookings);
    expect(await screen.findByText('Pay to confirm')).toBeInTheDocument();
    expect(screen.getByText(/Reference DUR-BK-000045/)).toHaveTextContent('Reference DUR-BK-000045 · Clayport, first floor, 1 Dec');
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
