// Your reports: each with what the core calls it, its reference (or that it is not sent yet) and
// its status or where it stands, all in the core's words; none yet points to reporting.
import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { fakeCore } from '../test/core';
import { myReport } from '../test/fixtures';
import Requests from './Requests.svelte';

const sent = myReport({ state: 'sent' }, 'DUR-000123');
const waiting = { ...myReport({ state: 'waiting' }, null), local_id: 'r2' };

describe('Requests', () => {
  it('lists each report with its title, its reference and status once sent, or where it stands', async () => {
    fakeCore({ reports: [sent, waiting] });
    render(Requests);
    const [, first, second] = await screen.findAllByRole('row');
    expect(within(first).getByRole('link', { name: 'Report a pothole' })).toHaveAttribute('href', '#/requests/r1');
    expect(within(first).getByText('DUR-000123')).toBeInTheDocument();
    expect(within(first).getByText('Open')).toHaveClass('govuk-tag--blue');
    expect(within(second).getByRole('link', { name: 'Report a pothole' })).toHaveAttribute('href', '#/requests/r2');
    expect(within(second).getByText('Not sent yet')).toBeInTheDocument();
    expect(within(second).getByText('Waiting to send')).toHaveClass('govuk-tag--yellow');
  });

  it('shows the title and the tag in whatever words the core gives', async () => {
    fakeCore({
      reports: [
        { ...sent, shown: { ...sent.shown, title: 'Pothole', tag: 'Being looked at' } },
        { ...waiting, shown: { ...waiting.shown, tag: 'Kept until you are online' } },
      ],
    });
    render(Requests);
    expect(await screen.findByRole('link', { name: 'Pothole' })).toHaveAttribute('href', '#/requests/r1');
    expect(screen.getByText('Being looked at')).toHaveClass('govuk-tag--blue');
    expect(screen.getByText('Kept until you are online')).toHaveClass('govuk-tag--yellow');
  });

  it('points to reporting when there are none', async () => {
    fakeCore({ reports: [] });
    render(Requests);
    expect(await screen.findByText('You have not reported anything yet.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Report a problem' })).toBeInTheDocument();
  });
});
