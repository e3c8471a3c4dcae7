// One booking: its details; cancelling only after confirming; paying a fee that is due; and a
// refused booking shows the council's problem with a way to the outbox.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { BookingStatus, MyBooking, MyPayment } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { shown } from '../test/fixtures';
import Booking from './Booking.svelte';

/** A bulky waste collection, and the core's words for its status. */
function booking(status: BookingStatus, words: string, fee?: number): MyBooking {
  return {
    local_id: 'b1',
    delivery: { state: 'sent' },
    service_code: 'bulky_waste',
    slot_id: 's14',
    location: null,
    request: null,
    booking: {
      id: 'srv1',
      reference: 'DUR-BK-000045',
      service_code: 'bulky_waste',
      service_name: 'Book a bulky waste collection',
      slot_id: 's14',
      site_name: 'Bulky waste collection at your home',
      start: '2026-12-01T14:00:00Z',
      end: '2026-12-01T15:00:00Z',
      answers: { items: ['sofa', 'table'] },
      status,
      fee_pence: fee,
      cancel_until: '2026-11-30T14:00:00Z',
      created_at: '2026-11-29T10:00:00Z',
      updated_at: '2026-11-29T10:00:00Z',
    },
    shown: shown({
      title: 'Book a bulky waste collection',
      reference: 'DUR-BK-000045',
      status: words,
      delivery: 'Sent',
      summary: 'Bulky waste collection at your home, Tuesday 1 December 2026 at 2pm',
      answers: [{ code: 'items', question: 'Which items do you want collected?', answer: 'A sofa, as the core says' }],
    }),
  };
}

describe('Booking', () => {
  it('shows the booking and cancels it only once confirmed', async () => {
    let cancelled = false;
    const core = fakeCore({
      booking: () => booking(cancelled ? 'cancelled' : 'confirmed', cancelled ? 'Cancelled' : 'Confirmed'),
      may_cancel: () => !cancelled,
      fee_due: null,
      cancel_booking: () => {
        cancelled = true;
        return booking('cancelled', 'Cancelled');
      },
    });
    render(Booking, { props: { id: 'b1' } });
    expect(await screen.findByText('DUR-BK-000045')).toHaveAttribute('id', 'reference');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Book a bulky waste collection');
    expect(screen.getByText('Confirmed')).toHaveAttribute('id', 'status');
    expect(screen.getByText('Sent')).toHaveClass('govuk-tag--green');
    expect(await screen.findByText('Which items do you want collected?')).toBeInTheDocument();
    expect(screen.getByText('A sofa, as the core says')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel this booking' }));
    expect(core.argsOf('cancel_booking')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, cancel this booking' }));
    await waitFor(() => expect(core.argsOf('cancel_booking')).toEqual([{ local_id: 'b1' }]));
    expect(await screen.findByText('Cancelled')).toHaveAttribute('id', 'status');
    expect(screen.queryByRole('button', { name: 'Cancel this booking' })).not.toBeInTheDocument();
  });

  it('pays a fee that is due in the payment window', async () => {
    const payment: MyPayment = {
      local_id: 'p1',
      delivery: { state: 'waiting' },
      purpose: 'booking_fee',
      reference: 'DUR-BK-000045',
      amount_pence: 2600,
      request: { purpose: 'booking_fee', reference: 'DUR-BK-000045', amount_pence: 2600, return_url: 'x' },
      payment: null,
      shown: shown({ title: 'Booking fee', delivery: 'Waiting to send', summary: '£26.00 for DUR-BK-000045' }),
    };
    const core = fakeCore({ booking: booking('awaiting_payment', 'Waiting for payment', 2600), may_cancel: true, fee_due: 2600, pay_booking_fee: payment, payment });
    render(Booking, { props: { id: 'b1' } });
    await fireEvent.click(await screen.findByRole('button', { name: 'Pay £26.00 now' }));
    await waitFor(() => expect(core.argsOf('pay_booking_fee')).toEqual([{ local_id: 'b1' }]));
    expect(await screen.findByText('Getting the payment page ready…')).toBeInTheDocument();
  });

  it('shows the council’s problem and links to the outbox when it needs attention', async () => {
    const refused: MyBooking = {
      local_id: 'b1',
      delivery: {
        state: 'needs_attention',
        key: 'k2',
        problem: { status: 409, code: 'slot_full', message: 'That time is full', field: 'slot_id', alternatives: [] },
      },
      service_code: 'bulky_waste',
      slot_id: 'home/2026-12-01T14:00',
      location: null,
      request: { service_code: 'bulky_waste', slot_id: 'home/2026-12-01T14:00', answers: {}, fallback: 'none' },
      booking: null,
      shown: shown({ title: 'Book a bulky waste collection', delivery: 'Needs your attention', summary: 'Tuesday 1 December 2026 at 2pm' }),
    };
    fakeCore({ booking: refused, may_cancel: false, fee_due: null });
    render(Booking, { props: { id: 'b1' } });
    expect(await screen.findByText(/The council could not take this: That time is full/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Fix it or discard it' })).toHaveAttribute('href', '#/outbox');
    expect(screen.getByText('Waiting to send', { selector: '#reference' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Book a bulky waste collection');
    expect(screen.getByText('Needs your attention')).toHaveClass('govuk-tag--red');
  });

  it('shows the title, status and delivery in whatever words the core gives', async () => {
    const made = booking('confirmed', 'Booked and confirmed');
    fakeCore({ booking: { ...made, shown: { ...made.shown, title: 'Bulky waste', delivery: 'With the council' } }, may_cancel: true, fee_due: null });
    render(Booking, { props: { id: 'b1' } });
    expect(await screen.findByText('Booked and confirmed')).toHaveAttribute('id', 'status');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Bulky waste');
    expect(screen.getByText('With the council')).toHaveClass('govuk-tag--green');
  });
});
