// One report: its title, reference, status, place and what has happened, in the core's words;
// an update is sent as written, and reopening is offered only when the core says it may be.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { MyReport } from '../lib/doorstep';
import { fakeCore } from '../test/core';
import { myReport } from '../test/fixtures';
import Request from './Request.svelte';

const sent = myReport({ state: 'sent' }, 'DUR-000123');

/** The pothole once the council has fixed it, with what happened on the way. */
const fixed: MyReport = {
  ...sent,
  report: sent.report && {
    ...sent.report,
    status: 'fixed',
    timeline: [
      { at: '2026-11-30T09:00:00Z', from: 'council', status: 'in_progress', note: 'A crew is on its way' },
      { at: '2026-11-30T12:00:00Z', from: 'resident', note: 'Still there at noon' },
      { at: '2026-12-01T15:00:00Z', from: 'council', status: 'fixed' },
    ],
  },
  shown: {
    ...sent.shown,
    status: 'Fixed',
    may_reopen: true,
    steps: [
      { at: '2026-11-30T09:00:00Z', by: 'The council', status: 'In progress', note: 'A crew is on its way' },
      { at: '2026-11-30T12:00:00Z', by: 'You', status: null, note: 'Still there at noon' },
      { at: '2026-12-01T15:00:00Z', by: 'The council', status: 'Fixed', note: null },
    ],
  },
};

describe('Request', () => {
  it('shows the report’s title, reference, status, place and what has happened', async () => {
    fakeCore({ report: fixed });
    render(Request, { props: { id: 'r1' } });
    expect(await screen.findByRole('heading', { level: 1, name: 'Report a pothole' })).toHaveAttribute('id', 'page-title');
    expect(screen.getByText('DUR-000123')).toHaveAttribute('id', 'reference');
    expect(document.getElementById('status')).toHaveTextContent('Fixed Sent');
    expect(screen.getByText('54.77, -1.57')).toBeInTheDocument();
    const steps = within(document.getElementById('timeline') as HTMLElement).getAllByRole('listitem');
    expect(steps).toHaveLength(3);
    expect(steps[0]).toHaveTextContent(/30 November 2026 at .* · The council\s*In progress\s*A crew is on its way/);
    expect(steps[1]).toHaveTextContent(/· You\s*Still there at noon/);
    expect(steps[2]).toHaveTextContent(/1 December 2026 at .* · The council\s*Fixed/);
  });

  it('offers to reopen a report the core says may be reopened, and sends the update as written', async () => {
    const core = fakeCore({ report: fixed, add_update: fixed });
    render(Request, { props: { id: 'r1' } });
    await fireEvent.input(await screen.findByLabelText('Your update'), { target: { value: ' It is back ' } });
    await fireEvent.click(screen.getByLabelText('It is not fixed: reopen this report'));
    await fireEvent.click(screen.getByRole('button', { name: 'Add update' }));
    expect(await screen.findByText('Your update is with the council.')).toHaveAttribute('id', 'update-added');
    expect(core.argsOf('add_update')).toEqual([{ local_id: 'r1', text: ' It is back ', reopen: true }]);
  });

  it('does not offer to reopen a report the core says may not be reopened', async () => {
    fakeCore({ report: sent });
    render(Request, { props: { id: 'r1' } });
    await screen.findByText('DUR-000123');
    expect(screen.queryByLabelText(/reopen this report/)).not.toBeInTheDocument();
  });

  it('names a report not sent yet and says where it stands', async () => {
    fakeCore({ report: myReport({ state: 'waiting' }, null) });
    render(Request, { props: { id: 'r1' } });
    expect(await screen.findByRole('heading', { level: 1, name: 'Report a pothole' })).toBeInTheDocument();
    expect(screen.getByText('Not sent yet')).toHaveAttribute('id', 'reference');
    expect(screen.getByText('Waiting to send')).toHaveClass('govuk-tag--yellow');
    expect(screen.getByText('54.77, -1.57')).toBeInTheDocument();
    expect(screen.queryByLabelText(/reopen this report/)).not.toBeInTheDocument();
  });

  it('shows the title, status, place, history and reopening in whatever words and way the core gives', async () => {
    fakeCore({
      report: {
        ...sent,
        shown: {
          ...sent.shown,
          title: 'Pothole',
          status: 'Being looked at',
          place: 'Outside 4 Front Street',
          steps: [{ at: '2026-11-30T09:00:00Z', by: 'Durham County Council', status: 'Being looked at', note: null }],
          may_reopen: true,
        },
      },
    });
    render(Request, { props: { id: 'r1' } });
    expect(await screen.findByRole('heading', { level: 1, name: 'Pothole' })).toBeInTheDocument();
    expect(document.getElementById('status')).toHaveTextContent('Being looked at');
    expect(screen.getByText('Outside 4 Front Street')).toBeInTheDocument();
    expect(document.getElementById('timeline')).toHaveTextContent('Durham County Council');
    expect(screen.getByLabelText('It is not fixed: reopen this report')).toBeInTheDocument();
  });
});
