import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ServiceGroup } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { catalogue } from '../test/fixtures';
import Services from './Services.svelte';

const [pothole, bulky, missed] = catalogue;

// The groups as the core answers them: the council's own names, in the catalogue's order.
const groups: ServiceGroup[] = [
  { code: 'roads_and_pavements', name: 'Roads, pavements and paths', services: [pothole] },
  { code: 'bins_and_recycling', name: 'Bins and recycling', services: [bulky, missed] },
];

describe('the catalogue', () => {
  it('lists every service under the core’s groups, by the council’s names for them', async () => {
    const core = fakeCore({ service_groups: groups });
    render(Services);
    expect(await screen.findByRole('heading', { name: 'Roads, pavements and paths' })).toHaveAttribute('id', 'group-roads_and_pavements');
    expect(screen.getByRole('heading', { name: 'Bins and recycling' })).toBeInTheDocument();
    expect(screen.getAllByRole('link').map((a) => a.textContent)).toEqual([
      'Report a pothole',
      'Book a bulky waste collection',
      'Report a missed bin',
    ]);
    expect(core.argsOf('service_groups')).toEqual([{ kind: null }]);
  });

  it('asks the core for only bookings when asked for them', async () => {
    const core = fakeCore({ service_groups: [{ ...groups[1], services: [bulky] }] });
    render(Services, { kind: 'booking' });
    expect(await screen.findByRole('link', { name: 'Book a bulky waste collection' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Report a missed bin' })).toBeNull();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Book something');
    expect(core.argsOf('service_groups')).toEqual([{ kind: 'booking' }]);
  });
});
