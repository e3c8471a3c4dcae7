// Your payments: what each was for, its reference, amount and status; none yet points to paying.
import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MyPayment } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { shown } from '../test/fixtures';
import Payments from './Payments.svelte';

const paid: MyPayment = {
  local_id: 'p1',
  delivery: { state: 'sent' },
  purpose: 'council_tax',
  reference: '12345678',
  amount_pence: 12050,
  request: null,
  payment: {
    id: 'pay1',
    purpose: 'council_tax',
    reference: '12345678',
    description: 'Council Tax',
    amount_pence: 12050,
    state: { status: 'success', finished: true },
    return_url: 'x',
    refunded_pence: 0,
    created_at: '2026-11-29T10:00:00Z',
    updated_at: '2026-11-29T10:00:00Z',
  },
  shown: shown({ title: 'Council Tax', reference: '12345678', status: 'Paid', delivery: 'Sent', summary: '£120.50 for 12345678' }),
};

const queued: MyPayment = {
  local_id: 'p2',
  delivery: { state: 'waiting' },
  purpose: 'parking_penalty',
  reference: 'DU12345678',
  amount_pence: 3500,
  request: { purpose: 'parking_penalty', reference: 'DU12345678', amount_pence: 3500, return_url: 'x' },
  payment: null,
  shown: shown({ title: 'Parking penalty charge', delivery: 'Waiting to send', summary: '£35.00 for DU12345678' }),
};

describe('Payments', () => {
  it('lists each payment with what the core calls it, its reference, amount and status', async () => {
    fakeCore({ payments: [paid, queued] });
    render(Payments);
    const link = await screen.findByRole('link', { name: 'Council Tax' });
    expect(link).toHaveAttribute('href', '#/payments/p1');
    const rows = screen.getAllByRole('row');
    expect(within(rows[1]).getByText('£120.50')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Paid')).toBeInTheDocument();
    expect(within(rows[2]).getByRole('link', { name: 'Parking penalty charge' })).toHaveAttribute('href', '#/payments/p2');
    expect(within(rows[2]).getByText('DU12345678')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Waiting to send')).toBeInTheDocument();
  });

  it('shows the status and delivery in whatever words the core gives', async () => {
    fakeCore({
      payments: [
        { ...paid, shown: { ...paid.shown, status: 'Paid in full' } },
        { ...queued, shown: { ...queued.shown, delivery: 'Kept until you are online' } },
      ],
    });
    render(Payments);
    expect(await screen.findByText('Paid in full')).toBeInTheDocument();
    expect(screen.getByText('Kept until you are online')).toHaveClass('govuk-tag--yellow');
  });

  it('points to paying when there are none', async () => {
    fakeCore({ payments: [] });
    render(Payments);
    expect(await screen.findByRole('link', { name: 'Pay the council' })).toHaveAttribute('href', '#/pay');
  });
});
