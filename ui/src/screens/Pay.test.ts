// Pay: the purpose is chosen first; what is sent is exactly what was typed; the payment window
// opens once the council is ready; refusals name their fields; the result comes from the council.
import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../lib/app.svelte';
import type { AppStatus, MyPayment, PaymentStatus } from '../lib/doorstep';
import { fakeCore, refusal } from '../test/core';
import { shown } from '../test/fixtures';
import Pay from './Pay.svelte';

const status = {
  council: {
    name: 'Durham County Council',
    payment_purposes: [
      {
        code: 'council_tax',
        name: 'Council Tax',
        reference_label: 'Council Tax account number',
        reference_hint: '8 digits, for example 12345678',
        reference_pattern: '[0-9]{8}',
        min_pence: 100,
        max_pence: 1000000,
      },
      {
        code: 'parking_penalty',
        name: 'Parking penalty charge',
        reference_label: 'Penalty charge notice (PCN) number',
        reference_hint: 'For example DU12345678',
        reference_pattern: '[A-Z]{2}[0-9]{8}',
        min_pence: 2500,
        max_pence: 10500,
      },
    ],
  },
  council_url: '',
  demo: true,
  online: true,
  signed_in_as: null,
  pending_email: null,
  secrets: { kind: 'keyring', note: null },
  data_dir: '',
} as unknown as AppStatus;

/** The payment states these tests use, in the core's words. */
const WORDS = { created: 'Not paid yet', failed: 'Not paid', success: 'Paid' } satisfies Partial<Record<PaymentStatus, string>>;

function payment(state: keyof typeof WORDS | null, message?: string): MyPayment {
  if (state === null) {
    return {
      local_id: 'p1',
      delivery: { state: 'waiting' },
      purpose: 'council_tax',
      reference: '12345678',
      amount_pence: 12050,
      request: null,
      payment: null,
      shown: shown({ title: 'Payment', delivery: 'Waiting to send' }) };
  }
  const finished = !['created', 'started', 'submitted', 'capturable'].includes(state);
  return {
    local_id: 'p1',
    delivery: { state: 'sent' },
    purpose: 'council_tax',
    reference: '12345678',
    amount_pence: 12050,
    request: { purpose: 'council_tax', reference: '12345678', amount_pence: 12050, return_url: 'x' },
    payment: {
      id: 'pay1',
      purpose: 'council_tax',
      reference: '12345678',
      description: 'Council Tax',
      amount_pence: 12050,
      state: { status: state, finished, message },
      next_url: finished ? undefined : 'https://pay.example/p1',
      return_url: 'x',
      receipt: state === 'success' ? { receipt_number: 'R-1', paid_at: '2026-11-29T10:00:00Z', amount_pence: 12050, card_brand: 'Visa', last_digits: '4242' } : undefined,
      refunded_pence: 0,
      created_at: '2026-11-29T10:00:00Z',
      updated_at: '2026-11-29T10:00:00Z',
    },
    shown: shown({
      title: 'Council Tax',
      reference: '12345678',
      status: WORDS[state],
      delivery: 'Sent',
      summary: '£120.50 for 12345678',
    }),
  };
}

const drafts = { drafts: [], save_draft: 'd1', delete_draft: null };

beforeEach(() => {
  app.status = status;
});

afterEach(() => {
  app.status = null;
  app.sync = { state: 'idle' };
});

describe('Pay', () => {
  it('asks what the payment is for, then goes to that payment', async () => {
    fakeCore({});
    render(Pay, { props: { purpose: null } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(screen.getByRole('link', { name: 'Choose what you want to pay for' })).toHaveAttribute('href', '#purpose');
    await fireEvent.click(screen.getByLabelText('Parking penalty charge'));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    expect(window.location.hash).toBe('#/pay/parking_penalty');
  });

  it('sends the purpose, reference and amount as typed, opens the payment window and shows what the council says', async () => {
    let refreshed = 0;
    const core = fakeCore({
      ...drafts,
      start_payment: payment('created'),
      payment: payment('created'),
      open_payment_page: null,
      refresh_payment: () => {
        refreshed += 1;
        return refreshed === 1 ? payment('failed', 'Your card was declined') : payment('success');
      },
    });
    render(Pay, { props: { purpose: 'council_tax' } });
    expect(screen.getByLabelText('Council Tax account number')).toHaveAccessibleDescription('8 digits, for example 12345678');
    expect(screen.getByLabelText('Amount to pay')).toHaveAttribute('inputmode', 'decimal');
    await fireEvent.input(screen.getByLabelText('Council Tax account number'), { target: { value: ' 1234 5678' } });
    await fireEvent.input(screen.getByLabelText('Amount to pay'), { target: { value: '£120.5' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));

    await waitFor(() => expect(core.argsOf('open_payment_page')).toEqual([{ local_id: 'p1' }]));
    expect(core.argsOf('start_payment')).toEqual([{ purpose: 'council_tax', reference: ' 1234 5678', amount: '£120.5', email: null }]);
    expect(screen.getByText(/Complete your payment of £120.50 in the payment window/)).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Open the payment window' }));
    expect(core.argsOf('open_payment_page')).toHaveLength(2);

    await emit('doorstep://payment-finished', { local_id: 'p1' });
    expect(await screen.findByText(/Your card was declined/)).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByLabelText('Council Tax account number')).toHaveValue(' 1234 5678');
  });

  it('shows the receipt number once the council says it is paid', async () => {
    fakeCore({ ...drafts, start_payment: payment('created'), payment: payment('created'), open_payment_page: null, refresh_payment: payment('success') });
    render(Pay, { props: { purpose: 'council_tax' } });
    await fireEvent.input(screen.getByLabelText('Council Tax account number'), { target: { value: '12345678' } });
    await fireEvent.input(screen.getByLabelText('Amount to pay'), { target: { value: '120.50' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await screen.findByText(/Complete your payment/);
    await emit('doorstep://payment-finished', { local_id: 'p1' });
    expect(await screen.findByText('R-1')).toHaveAttribute('id', 'receipt');
    expect(document.getElementById('confirmation')).toHaveTextContent('Payment complete');
  });

  it('lists a refusal’s problems linked to the reference and amount, keeping what was typed', async () => {
    fakeCore({
      ...drafts,
      start_payment: () => {
        throw refusal('invalid', 'Check the payment', {
          problems: [
            { field: 'reference', message: 'Enter your 8 digit account number' },
            { field: 'amount_pence', message: 'Enter an amount of at least £1.00' },
            { field: 'email', message: 'Enter an email address in the correct format, like name@example.com' },
          ],
        });
      },
    });
    render(Pay, { props: { purpose: 'council_tax' } });
    await fireEvent.input(screen.getByLabelText('Council Tax account number'), { target: { value: '123' } });
    await fireEvent.input(screen.getByLabelText('Amount to pay'), { target: { value: '0.10' } });
    await fireEvent.input(screen.getByLabelText('Email address (optional)'), { target: { value: 'me@' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));

    expect(await screen.findByRole('link', { name: 'Enter your 8 digit account number' })).toHaveAttribute('href', '#reference');
    expect(screen.getByRole('link', { name: 'Enter an amount of at least £1.00' })).toHaveAttribute('href', '#amount');
    expect(screen.getByLabelText('Amount to pay')).toHaveAccessibleDescription(/Enter an amount of at least £1.00/);
    expect(screen.getByLabelText('Council Tax account number')).toHaveValue('123');
    expect(screen.getByLabelText('Amount to pay')).toHaveValue('0.10');
    expect(screen.getByRole('link', { name: /Enter an email address/ })).toHaveAttribute('href', '#email');
    expect(screen.getByLabelText('Email address (optional)')).toHaveValue('me@');
  });

  it('sends the email address given for the receipt', async () => {
    const core = fakeCore({ ...drafts, start_payment: payment('created'), payment: payment('created'), open_payment_page: null });
    render(Pay, { props: { purpose: 'council_tax' } });
    await fireEvent.input(screen.getByLabelText('Council Tax account number'), { target: { value: '12345678' } });
    await fireEvent.input(screen.getByLabelText('Amount to pay'), { target: { value: '10' } });
    await fireEvent.input(screen.getByLabelText('Email address (optional)'), { target: { value: 'ann@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    await waitFor(() =>
      expect(core.argsOf('start_payment')).toEqual([{ purpose: 'council_tax', reference: '12345678', amount: '10', email: 'ann@example.org' }]),
    );
  });

  it('explains that a payment made offline starts when back online', async () => {
    app.sync = { state: 'offline' };
    const core = fakeCore({ ...drafts, start_payment: payment(null), payment: payment(null) });
    render(Pay, { props: { purpose: 'council_tax' } });
    await fireEvent.input(screen.getByLabelText('Council Tax account number'), { target: { value: '12345678' } });
    await fireEvent.input(screen.getByLabelText('Amount to pay'), { target: { value: '10' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue to payment' }));
    expect(await screen.findByText(/It will be started when you are back online/)).toBeInTheDocument();
    expect(core.argsOf('open_payment_page')).toEqual([]);
  });
});
