import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../lib/app.svelte';
import { fakeCore } from '../test/core';
import { catalogue } from '../test/fixtures';
import Home from './Home.svelte';

describe('home', () => {
  afterEach(() => {
    app.waiting = 0;
    app.needsAttention = 0;
  });

  it('searches the catalogue with what the resident typed', async () => {
    const core = fakeCore({ drafts: [], services: () => [catalogue[0]] });
    render(Home);
    await fireEvent.input(screen.getByLabelText('Search the council\'s services'), { target: { value: '  pothole ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(await screen.findByText('1 service matches')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Report a pothole' })).toHaveAttribute('href', '#/services/pothole');
    expect(core.argsOf('services')).toEqual([{ search: 'pothole' }]);
  });

  it('says how many things are waiting and how many need attention', async () => {
    fakeCore({ drafts: [] });
    app.waiting = 2;
    app.needsAttention = 1;
    render(Home);
    expect(screen.getByRole('link', { name: '3 things waiting to send' })).toHaveAttribute('href', '#/outbox');
    expect(screen.getByText(/1 needs your attention/)).toBeInTheDocument();
  });

  it('offers to carry on with a draft', async () => {
    fakeCore({
      drafts: [{ id: 'd1', kind: 'report', updated_at: 1, body: { form: 'pothole', title: 'Report a pothole', href: '#/report/pothole', fields: {} } }],
    });
    render(Home);
    expect(await screen.findByRole('link', { name: 'Carry on with: Report a pothole' })).toHaveAttribute('href', '#/report/pothole');
  });

  it('offers the core\'s top tasks, each leading to its journey', async () => {
    fakeCore({
      drafts: [],
      top_tasks: [
        { task: 'report', text: 'Report a problem', hint: 'Potholes and more' },
        { task: 'bins', text: 'Check your bin day', hint: 'Also offline' },
      ],
    });
    render(Home);
    expect(await screen.findByRole('link', { name: 'Report a problem' })).toHaveAttribute('href', '#/report');
    expect(screen.getByText('Potholes and more')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Check your bin day' })).toHaveAttribute('href', '#/bins');
    expect(screen.queryByRole('link', { name: 'Pay' })).toBeNull();
  });
});
