import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { fakeCore } from '../test/core';
import { catalogue } from '../test/fixtures';
import Services from './Services.svelte';

describe('the catalogue', () => {
  it('lists every service under its group', async () => {
    fakeCore({ services: catalogue });
    render(Services);
    expect(await screen.findByRole('heading', { name: 'Bins and recycling' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Roads and pavements' })).toBeInTheDocument();
    expect(screen.getAllByRole('link').map((a) => a.textContent)).toEqual([
      'Report a pothole',
      'Book a bulky waste collection',
      'Report a missed bin',
    ]);
  });

  it('shows only bookings when asked for them', async () => {
    fakeCore({ services: catalogue });
    render(Services, { kind: 'booking' });
    expect(await screen.findByRole('link', { name: 'Book a bulky waste collection' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Report a pothole' })).toBeNull();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Book something');
  });
});
