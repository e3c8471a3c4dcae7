// Bin day: an address found by postcode shows its collections with each bin's colour in words
// and a note when they were saved earlier; the address is remembered in the core, and the
// calendar can be saved to a file.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { AddressList, CollectionCalendar, Fresh } from '../lib/doorstep';
import { fakeCore, refusal } from '../test/core';
import Bins from './Bins.svelte';

const found: Fresh<AddressList> = {
  value: {
    postcode: 'DH1 5UQ',
    addresses: [
      { uprn: '100110', address: '1 Front Street, Durham', postcode: 'DH1 5UQ', lat: 54.77, lon: -1.57 },
      { uprn: '100112', address: '3 Front Street, Durham', postcode: 'DH1 5UQ', lat: 54.77, lon: -1.57 },
    ],
  },
  stale: false,
  fetched_at: 1_790_000_000,
};

const calendar = (stale: boolean): Fresh<CollectionCalendar> => ({
  value: {
    uprn: '100112',
    address: '3 Front Street, Durham',
    advice: 'Put your bins out by 7am.',
    collections: [
      { date: '2026-12-01', bins: [{ code: 'refuse', name: 'Rubbish', colour: 'black' }] },
      {
        date: '2026-12-08',
        bins: [
          { code: 'recycling', name: 'Recycling', colour: 'blue' },
          { code: 'garden', name: 'Garden waste', colour: 'brown' },
        ],
      },
    ],
  },
  stale,
  fetched_at: 1_790_000_000,
});

describe('Bins', () => {
  it('finds the address by postcode, shows its collections and remembers it in the core', async () => {
    const core = fakeCore({ bin_address: null, addresses: found, collections: calendar(false), remember_bin_address: null, save_bin_calendar: '/saved/bin-collections-100112.ics' });
    render(Bins);
    expect(screen.getByRole('heading', { level: 1, name: 'Bin day' })).toBeInTheDocument();
    await fireEvent.input(await screen.findByLabelText('Postcode'), { target: { value: 'dh1 5uq' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Find address' }));
    const select = await screen.findByLabelText('Choose your address');
    expect(core.argsOf('addresses')).toEqual([{ postcode: 'dh1 5uq' }]);
    await fireEvent.change(select, { target: { value: '100112' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Show bin days' }));

    expect(await screen.findByText('Garden waste (brown bin)')).toBeInTheDocument();
    expect(screen.getByText('Recycling (blue bin)')).toBeInTheDocument();
    expect(screen.getByText('Put your bins out by 7am.')).toBeInTheDocument();
    expect(screen.queryByText(/may have changed/)).not.toBeInTheDocument();
    expect(core.argsOf('collections')).toEqual([{ uprn: '100112' }]);
    await waitFor(() => expect(core.argsOf('remember_bin_address')).toEqual([{ uprn: '100112' }]));

    await fireEvent.click(screen.getByRole('button', { name: 'Save to your calendar' }));
    expect(await screen.findByText('/saved/bin-collections-100112.ics')).toBeInTheDocument();
    expect(core.argsOf('save_bin_calendar')).toEqual([{ uprn: '100112' }]);
  });

  it('shows the remembered address’s collections straight away, noting when they were saved', async () => {
    const core = fakeCore({
      bin_address: '100112',
      collections: calendar(true),
    });
    render(Bins);
    expect(await screen.findByText(/These collections were saved on .*; they may have changed/)).toBeInTheDocument();
    expect(screen.getByText('Rubbish (black bin)')).toBeInTheDocument();
    expect(core.argsOf('addresses')).toEqual([]);
  });

  it('says in words when no address is found', async () => {
    fakeCore({
      bin_address: null,
      addresses: () => {
        throw refusal('invalid', 'x', { problems: [{ field: 'postcode', message: 'No addresses found for ZZ1 1ZZ' }] });
      },
    });
    render(Bins);
    await fireEvent.input(await screen.findByLabelText('Postcode'), { target: { value: 'ZZ1 1ZZ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Find address' }));
    expect(await screen.findByRole('link', { name: 'No addresses found for ZZ1 1ZZ' })).toHaveAttribute('href', '#postcode');
  });
});
