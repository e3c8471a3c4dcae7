// Book: what is sent is exactly what the resident chose, a taken time offers the council's
// alternatives, and a booking with a fee can be paid from its confirmation.
import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { BookingRules, BookingStatus, MyBooking, MyPayment, ServiceDefinition, Slot, SlotView } from '../lib/doorstep';
import { fakeCore, refusal } from '../test/core';
import { formCommands, shown } from '../test/fixtures';
import Book from './Book.svelte';

const rules: BookingRules = {
  sites: [{ code: 'clayport', name: 'Clayport Library' }],
  weekdays: ['tue'],
  opens: '09:00',
  closes: '17:00',
  capacity: 4,
  days_ahead: 14,
  book_cutoff: { kind: 'hours_before', hours: 1 },
  cancel_cutoff: { kind: 'hours_before', hours: 1 },
  needs_location: false,
};

const computer: ServiceDefinition = {
  code: 'library_computer',
  name: 'Book a library computer',
  group: 'libraries',
  kind: 'booking',
  description: 'Book a computer',
  keywords: [],
  questions: [
    { code: 'library_card', datatype: 'string', required: false, description: 'Library card number', order: 1 },
  ],
  booking: { ...rules },
};

const bulky: ServiceDefinition = {
  ...computer,
  code: 'bulky_waste',
  name: 'Book a bulky waste collection',
  questions: [
    {
      code: 'items',
      datatype: 'multivaluelist',
      required: true,
      description: 'Which items?',
      order: 1,
      values: [
        { key: 'sofa', name: 'Sofa' },
        { key: 'table', name: 'Table' },
      ],
    },
  ],
  fee: { kind: 'bands', question: 'items', bands: [{ up_to: 3, pence: 2600 }, { up_to: 6, pence: 3900 }] },
};

const slot = (id: string, hour: number, remaining = 3): Slot => ({
  id,
  site: 'clayport',
  site_name: 'Clayport Library',
  start: `2026-12-01T${hour}:00:00Z`,
  end: `2026-12-01T${hour + 1}:00:00Z`,
  remaining,
});

const view = (stale: boolean): SlotView => ({
  list: { service_code: 'library_computer', slots: [slot('s10', 10), slot('s14', 14, 1), { ...slot('s15', 15), start: '2026-12-03T15:00:00Z', end: '2026-12-03T16:00:00Z' }] },
  stale,
  fetched_at: 1_790_000_000,
});

/** The council's copy of a library computer booking, and the core's words for its status. */
function made(slotId: string, status: BookingStatus = 'confirmed', words = 'Confirmed', fee?: number): MyBooking {
  return {
    local_id: 'b1',
    delivery: { state: 'sent' },
    service_code: 'library_computer',
    slot_id: slotId,
    location: null,
    request: null,
    booking: {
      id: 'srv1',
      reference: 'DUR-BK-000045',
      service_code: 'library_computer',
      service_name: 'Book a library computer',
      slot_id: slotId,
      site_name: 'Clayport Library',
      start: '2026-12-01T11:00:00Z',
      end: '2026-12-01T12:00:00Z',
      answers: {},
      status,
      fee_pence: fee,
      cancel_until: '2026-12-01T10:00:00Z',
      created_at: '2026-11-29T10:00:00Z',
      updated_at: '2026-11-29T10:00:00Z',
    },
    shown: shown({
      title: 'Book a library computer',
      reference: 'DUR-BK-000045',
      status: words,
      delivery: 'Sent',
      summary: 'Clayport Library, Tue 1 Dec 2026 at 11:00',
    }),
  };
}

// The page's drafts, no fee due on what is booked unless a test says otherwise, and the core's
// choices of what to do if the time is taken.
const drafts = {
  drafts: [],
  save_draft: 'd1',
  delete_draft: null,
  fee_due: null,
  fallback_choices: [
    { key: 'none', name: 'Don’t book' },
    { key: 'same_day', name: 'Book another time that day' },
    { key: 'next_available', name: 'Book the next time available' },
  ],
};

describe('Book', () => {
  it('keeps what was typed, sends exactly the answers, time and fallback chosen, and shows the reference', async () => {
    const saved = {
      id: 'd1',
      kind: 'booking',
      body: {
        form: 'library_computer',
        title: 'Book a library computer',
        href: '#/book/library_computer',
        fields: { answers: { library_card: ' 1234 ' }, location: {}, slot: '', fallback: 'none' },
      },
      updated_at: 0,
    };
    const core = fakeCore({ ...drafts, drafts: [saved], service: computer, ...formCommands(computer.questions), slots: view(true), book: made('s14'), booking: made('s14') });
    render(Book, { props: { code: 'library_computer' } });

    expect(screen.getByRole('heading', { level: 1 })).toHaveAttribute('id', 'page-title');
    await waitFor(() => expect(screen.getByLabelText(/Library card number/)).toHaveValue(' 1234 '));
    expect(await screen.findByText(/These times were saved earlier and may have changed/)).toBeInTheDocument();
    expect(screen.getByLabelText(/10:00am to 11:00am, Clayport Library — 3 places left/)).toHaveAttribute('id', 'slot');
    await fireEvent.click(screen.getByLabelText(/2:00pm to 3:00pm, Clayport Library — 1 place left/));
    await fireEvent.click(screen.getByLabelText('Book the next time available'));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByRole('heading', { name: 'Check your answers' })).toBeInTheDocument();
    expect(core.argsOf('check_booking')).toEqual([
      { booking: { service_code: 'library_computer', answers: { library_card: ' 1234 ' }, location: null, slot_id: 's14', fallback: 'next_available' } },
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Book' }));

    expect(await screen.findByText('DUR-BK-000045')).toHaveAttribute('id', 'reference');
    expect(screen.getByText('Status: Confirmed')).toBeInTheDocument();
    expect(core.argsOf('book')).toEqual([
      { service_code: 'library_computer', slot_id: 's14', answers: { library_card: ' 1234 ' }, location: null, fallback: 'next_available' },
    ]);
    await waitFor(() => expect(core.argsOf('delete_draft')).toEqual([{ id: 'd1' }]));
  });

  it('asks the questions and checks the answers in the core’s words, whatever the definition says', async () => {
    const core = fakeCore({
      ...drafts,
      service: computer,
      slots: view(false),
      service_form: [
        {
          code: 'library_card',
          problem_field: 'answers.library_card',
          label: 'Your library card number',
          hint: 'It is on the back of your card',
          kind: 'number',
          required: true,
          choices: [],
        },
      ],
      check_booking: [
        { code: 'library_card', question: 'Card', answer: 'Card ending 1234' },
        { code: 'slot_id', question: 'Time', answer: 'Not chosen, as you said' },
      ],
    });
    render(Book, { props: { code: 'library_computer' } });
    const card = await screen.findByLabelText('Your library card number');
    expect(card).toHaveAttribute('id', 'answers-library_card');
    expect(card).toHaveAttribute('inputmode', 'decimal');
    expect(card).toHaveAccessibleDescription('It is on the back of your card');
    await fireEvent.input(card, { target: { value: '99991234' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText('Card ending 1234')).toBeInTheDocument();
    expect(screen.queryByText('99991234')).toBeNull();
    expect(screen.getByText('Not chosen, as you said')).toBeInTheDocument();
    expect(core.argsOf('check_booking')).toEqual([
      { booking: { service_code: 'library_computer', answers: { library_card: '99991234' }, location: null, slot_id: '', fallback: 'none' } },
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Change card' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Your library card number')));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Change time' }));
    await waitFor(() => expect(document.activeElement).toHaveAttribute('id', 'slot'));
  });

  it('says the booking’s status in whatever words the core gives', async () => {
    const booking = made('s10', 'confirmed', 'Yours: see you then');
    fakeCore({ ...drafts, service: computer, ...formCommands(computer.questions), slots: view(false), book: booking, booking });
    render(Book, { props: { code: 'library_computer' } });
    await fireEvent.click(await screen.findByLabelText(/10:00am to 11:00am/));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Book' }));
    expect(await screen.findByText('Status: Yours: see you then')).toBeInTheDocument();
  });

  it('says a booking kept offline will be sent, instead of a reference', async () => {
    const waiting: MyBooking = {
      local_id: 'b1',
      delivery: { state: 'waiting' },
      service_code: 'library_computer',
      slot_id: 's10',
      location: null,
      request: null,
      booking: null,
      shown: shown({ title: 'Book a library computer', delivery: 'Waiting to send' }),
    };
    fakeCore({ ...drafts, service: computer, ...formCommands(computer.questions), slots: view(false), book: waiting, booking: waiting });
    render(Book, { props: { code: 'library_computer' } });
    await fireEvent.click(await screen.findByLabelText(/10:00am to 11:00am/));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Book' }));
    expect(await screen.findByRole('heading', { name: 'Booking saved' })).toBeInTheDocument();
    expect(screen.queryByText('DUR-BK-000045')).not.toBeInTheDocument();
  });

  it('offers the times the council suggests when the chosen one is taken, and books the one picked', async () => {
    let tries = 0;
    const core = fakeCore({
      ...drafts,
      service: computer, ...formCommands(computer.questions),
      slots: view(false),
      booking: made('s16'),
      book: () => {
        tries += 1;
        if (tries === 1) throw refusal('refused', 'That time has just been taken', { field: 'slot_id', alternatives: [slot('s16', 16, 2)] });
        return made('s16');
      },
    });
    render(Book, { props: { code: 'library_computer' } });
    await fireEvent.click(await screen.findByLabelText(/10:00am to 11:00am/));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Book' }));

    const link = await screen.findByRole('link', { name: 'That time has just been taken' });
    expect(link).toHaveAttribute('href', '#slot');
    await fireEvent.click(screen.getByLabelText(/4:00pm to 5:00pm, Clayport Library — 2 places left/));
    await fireEvent.click(screen.getByRole('button', { name: 'Book this time' }));

    expect(await screen.findByText('DUR-BK-000045')).toBeInTheDocument();
    expect(core.argsOf('book').map((args) => args.slot_id)).toEqual(['s10', 's16']);
  });

  it('shows the fee before booking and pays it in the payment window afterwards', async () => {
    const payment = (status: 'created' | 'success'): MyPayment => ({
      local_id: 'p1',
      delivery: { state: 'sent' },
      purpose: 'booking_fee',
      reference: 'DUR-BK-000045',
      amount_pence: 2600,
      request: null,
      payment: {
        id: 'pay1',
        purpose: 'booking_fee',
        reference: 'DUR-BK-000045',
        description: 'Booking fee',
        amount_pence: 2600,
        state: { status, finished: status === 'success' },
        next_url: status === 'success' ? undefined : 'https://pay.example/p1',
        return_url: 'http://127.0.0.1/doorstep/payment-finished',
        receipt: status === 'success' ? { receipt_number: 'R-778', paid_at: '2026-11-29T10:05:00Z', amount_pence: 2600, card_brand: 'Visa', last_digits: '4242' } : undefined,
        refunded_pence: 0,
        created_at: '2026-11-29T10:00:00Z',
        updated_at: '2026-11-29T10:00:00Z',
      },
      shown: shown({
        title: 'Booking fee',
        reference: 'DUR-BK-000045',
        status: status === 'success' ? 'Paid' : 'Not paid yet',
        delivery: 'Sent',
        summary: '£26.00 for DUR-BK-000045',
      }),
    });
    const core = fakeCore({
      ...drafts,
      service: bulky, ...formCommands(bulky.questions),
      slots: view(false),
      book: made('s10', 'awaiting_payment', 'Waiting for payment', 2600),
      booking: made('s10', 'awaiting_payment', 'Waiting for payment', 2600),
      fee_due: 2600,
      pay_booking_fee: payment('created'),
      payment: payment('created'),
      open_payment_page: null,
      refresh_payment: payment('success'),
      // The core's fee rule, as the shell answers it: £13 an item.
      booking_fee: (args: Record<string, unknown>) => {
        const items = (args.answers as Record<string, string[]>).items ?? [];
        return items.length === 0 ? null : items.length * 1300;
      },
    });
    render(Book, { props: { code: 'bulky_waste' } });
    await fireEvent.click(await screen.findByLabelText('Sofa'));
    await fireEvent.click(screen.getByLabelText('Table'));
    expect(await screen.findByText(/For what you have chosen, the fee is/)).toHaveTextContent('£26.00');
    expect(core.argsOf('booking_fee').at(-1)).toEqual({ service_code: 'bulky_waste', answers: { items: ['sofa', 'table'] } });
    await fireEvent.click(screen.getByLabelText(/10:00am to 11:00am/));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Book' }));
    expect(core.argsOf('book')[0].answers).toEqual({ items: ['sofa', 'table'] });
    expect(await screen.findByText('Status: Waiting for payment')).toBeInTheDocument();

    await fireEvent.click(await screen.findByRole('button', { name: 'Pay £26.00 now' }));
    await waitFor(() => expect(core.argsOf('open_payment_page')).toEqual([{ local_id: 'p1' }]));
    expect(core.argsOf('pay_booking_fee')).toEqual([{ local_id: 'b1' }]);
    expect(screen.getByText(/Complete your payment of £26.00 in the payment window/)).toBeInTheDocument();

    await emit('doorstep://payment-finished', { local_id: 'p1' });
    expect(await screen.findByText('R-778')).toHaveAttribute('id', 'receipt');
    expect(core.argsOf('refresh_payment')).toEqual([{ local_id: 'p1' }]);
  });
  it('books another time the council offers when the booking it was sent is refused', async () => {
    let fixed = false;
    const refused: MyBooking = {
      local_id: 'b1',
      delivery: {
        state: 'needs_attention',
        key: 'k7',
        problem: { status: 409, code: 'slot_full', message: 'That time is full', field: 'slot_id', alternatives: [slot('s16', 16, 2)] },
      },
      service_code: 'library_computer',
      slot_id: 's10',
      location: null,
      request: { service_code: 'library_computer', slot_id: 's10', answers: {}, fallback: 'none' },
      booking: null,
      shown: shown({ title: 'Book a library computer', delivery: 'Needs your attention', summary: 's10' }),
    };
    const core = fakeCore({
      ...drafts,
      service: computer, ...formCommands(computer.questions),
      slots: view(false),
      book: { ...refused, delivery: { state: 'waiting' }, shown: { ...refused.shown, delivery: 'Waiting to send' } },
      booking: () => (fixed ? made('s16') : refused),
      fix: () => {
        fixed = true;
        return 'k8';
      },
    });
    render(Book, { props: { code: 'library_computer' } });
    await fireEvent.click(await screen.findByLabelText(/10:00am to 11:00am/));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Book' }));

    expect(await screen.findByText('That time is full')).toHaveAttribute('id', 'problem');
    await fireEvent.click(screen.getByLabelText(/4:00pm to 5:00pm, Clayport Library — 2 places left/));
    await fireEvent.click(screen.getByRole('button', { name: 'Book this time' }));
    expect(await screen.findByText('DUR-BK-000045')).toHaveAttribute('id', 'reference');
    expect(core.argsOf('fix')).toEqual([{ key: 'k7', slot_id: 's16', answers: [] }]);
    expect(core.argsOf('book')).toHaveLength(1);
  });
});
