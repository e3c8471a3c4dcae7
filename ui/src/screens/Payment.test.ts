// One payment: its details; asking the council again shows the new status and receipt; the
// payment window can be opened while it is unfinished, and its closing brings the new status.
import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MyPayment, PaymentStatus } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { shown } from '../test/fixtures';
import Payment from './Payment.svelte';

/** A council tax payment, and the core's words for its status. */
function payment(status: PaymentStatus, words: string): MyPayment {
  const finished = status !== 'started';
  return {
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
      description: 'Council Tax for 1 Front Street',
      amount_pence: 12050,
      state: { status, finished },
      next_url: finished ? undefined : 'https://pay.example/p1',
      return_url: 'x',
      receipt: status === 'success' ? { receipt_number: 'R-1', paid_at: '2026-11-29T10:00:00Z', amount_pence: 12050, card_brand: 'Visa', last_digits: '4242' } : undefined,
      refunded_pence: 0,
      created_at: '2026-11-29T10:00:00Z',
      updated_at: '2026-11-29T10:00:00Z',
    },
    shown: shown({ title: 'Council Tax', reference: '12345678', status: words, delivery: 'Sent', summary: '£120.50 for 12345678' }),
  };
}

describe('Payment', () => {
  it('opens the payment window while unfinished and shows the receipt once the council has it', async () => {
    const core = fakeCore({ payment: payment('started', 'Not paid yet'), open_payment_page: null, refresh_payment: payment('success', 'Paid') });
    render(Payment, { props: { id: 'p1' } });
    expect(await screen.findByText('Not paid yet')).toHaveAttribute('id', 'status');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Council Tax');
    expect(screen.getByText('£120.50')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Open the payment window' }));
    await waitFor(() => expect(core.argsOf('open_payment_page')).toEqual([{ local_id: 'p1' }]));
    await fireEvent.click(screen.getByRole('button', { name: 'Check the payment now' }));
    expect(await screen.findByText('R-1')).toHaveAttribute('id', 'receipt');
    expect(screen.getByText('Paid', { selector: '#status' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Open the payment window' })).not.toBeInTheDocument();
  });

  it('asks the council again when the payment window closes', async () => {
    const core = fakeCore({ payment: payment('started', 'Not paid yet'), refresh_payment: payment('failed', 'Not paid') });
    render(Payment, { props: { id: 'p1' } });
    await screen.findByText('Not paid yet');
    await emit('doorstep://payment-finished', { local_id: 'p1' });
    expect(await screen.findByText('Not paid')).toBeInTheDocument();
    expect(core.argsOf('refresh_payment')).toEqual([{ local_id: 'p1' }]);
  });

  it('shows the status in whatever words the core gives', async () => {
    fakeCore({ payment: payment('submitted', 'Being checked by your bank') });
    render(Payment, { props: { id: 'p1' } });
    expect(await screen.findByText('Being checked by your bank')).toHaveAttribute('id', 'status');
  });

  it('says in words when the payment cannot be found', async () => {
    fakeCore({});
    render(Payment, { props: { id: 'p9' } });
    expect(screen.getByRole('heading', { level: 1 })).toHaveAttribute('id', 'page-title');
    expect(await screen.findByRole('alert')).toHaveTextContent('The test gave no answer for payment');
  });
});
