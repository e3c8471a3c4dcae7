// Your payments: what each was for, its reference, amount and status; none yet points to paying.
import { render, screen, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../lib/app.svelte';
import type { AppStatus, MyPayment } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import Payments from './Payments.svelte';

const paid: MyPayment = {
  local_id: 'p1',
  delivery: { state: 'sent' },
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
};

const queued: MyPayment = {
  local_id: 'p2',
  delivery: { state: 'waiting' },
  request: { purpose: 'parking_penalty', reference: 'DU12345678', amount_pence: 3500, return_url: 'x' },
  payment: null,
};

afterEach(() => {
  app.status = null;
});

describe('Payments', () => {
  it('lists each payment with its purpose, reference, amount and status', async () => {
    app.status = {
      council: { payment_purposes: [{ code: 'council_tax', name: 'Council Tax' }, { code: 'parking_penalty', name: 'Parking penalty charge' }] },
    } as unknown as AppStatus;
    fakeCore({ payments: [paid, queued] });
    render(Payments);
    const link = await screen.findByRole('link', { name: 'Council Tax' });
    expect(link).toHaveAttribute('href', '#/payments/p1');
    const rows = screen.getAllByRole('row');
    expect(within(rows[1]).getByText('£120.50')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Paid')).toBeInTheDocument();
    expect(within(rows[2]).getByText('DU12345678')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Waiting to send')).toBeInTheDocument();
  });

  it('points to paying when there are none', async () => {
    fakeCore({ payments: [] });
    render(Payments);
    expect(await screen.findByRole('link', { name: 'Pay the council' })).toHaveAttribute('href', '#/pay');
  });
});
