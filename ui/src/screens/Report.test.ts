import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '../lib/app.svelte';
import { fakeCore, refusal } from '../test/core';
import { formCommands, myReport, pothole } from '../test/fixtures';
import Report from './Report.svelte';

const emptyDraft = {
  id: 'd1',
  kind: 'report',
  updated_at: 1,
  body: {
    form: 'pothole',
    title: 'Report a pothole',
    href: '#/report/pothole',
    fields: { description: '', answers: {}, location: {}, contact: { name: '', email: '', phone: '' } },
  },
};
const basics = { service: pothole, ...formCommands(pothole.questions), drafts: [emptyDraft], save_draft: 'd1', delete_draft: null };

async function fillIn() {
  await screen.findByRole('heading', { name: 'Report a pothole' });
  await fireEvent.input(screen.getByLabelText('What is wrong?'), { target: { value: 'Deep hole by the bus stop' } });
  await fireEvent.click(screen.getByLabelText('4cm or more'));
  await fireEvent.click(screen.getByLabelText('The path'));
  await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
  await screen.findByRole('heading', { name: 'Check your answers' });
}

describe('reporting a problem', () => {
  afterEach(() => {
    app.sync = { state: 'idle' };
  });

  it('sends the answers as given and shows the council reference', async () => {
    const core = fakeCore({ ...basics, submit_report: () => myReport({ state: 'sent' }, 'DUR-000123') });
    render(Report, { code: 'pothole' });
    await fillIn();
    expect(screen.getByText('4cm or more')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Send report' }));

    expect(await screen.findByText('DUR-000123')).toHaveAttribute('id', 'reference');
    const [sent] = core.argsOf('submit_report');
    expect(sent.input).toEqual({
      service_code: 'pothole',
      description: 'Deep hole by the bus stop',
      location: {},
      answers: { depth: 'deep', blocking: ['path'] },
      contact: null,
    });
    expect(sent.photos).toEqual([]);
    await waitFor(() => expect(core.argsOf('delete_draft')).toEqual([{ id: 'd1' }]));
  });

  it('asks the questions and checks the answers in the core’s words, whatever the definition says', async () => {
    const core = fakeCore({
      ...basics,
      service_form: [
        {
          code: 'items',
          problem_field: 'answers.items',
          label: 'Which items? (optional)',
          hint: 'Everything left on the road',
          kind: 'any_of',
          required: false,
          choices: [
            { key: 'tyre', name: 'A tyre' },
            { key: 'cone', name: 'A traffic cone' },
          ],
        },
      ],
      check_report: [
        { code: 'description', question: 'What is wrong', answer: 'Not given, as you said' },
        { code: 'items', question: 'Which items?', answer: 'A traffic cone, as you said' },
        { code: 'location', question: 'Where', answer: 'Nowhere yet, as you said' },
      ],
    });
    render(Report, { code: 'pothole' });
    const items = await screen.findByRole('group', { name: 'Which items? (optional)' });
    expect(items).toHaveAccessibleDescription('Everything left on the road');
    expect(screen.getByLabelText('A tyre')).toHaveAttribute('id', 'answers-items');
    expect(screen.queryByLabelText('4cm or more')).toBeNull();
    await fireEvent.click(screen.getByLabelText('A traffic cone'));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));

    expect(await screen.findByText('A traffic cone, as you said')).toBeInTheDocument();
    expect(screen.getByText('Not given, as you said')).toBeInTheDocument();
    expect(core.argsOf('check_report')).toEqual([
      { report: { service_code: 'pothole', description: '', location: {}, answers: { items: ['cone'] }, photos: 0, contact: null } },
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Change which items?' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('A tyre')));
    await fireEvent.click(screen.getByRole('button', { name: 'Continue' }));
    await fireEvent.click(await screen.findByRole('button', { name: 'Change where' }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText('Find an address by postcode')));
  });

  it('says so when the service’s form cannot be had', async () => {
    fakeCore({
      ...basics,
      service_form: () => {
        throw refusal('not_found', 'The council no longer offers this service');
      },
    });
    render(Report, { code: 'pothole' });
    expect(await screen.findByRole('alert')).toHaveTextContent('The council no longer offers this service');
    expect(screen.queryByRole('button', { name: 'Continue' })).toBeNull();
  });

  it('brings the resident back to the form with each problem linked to its input', async () => {
    const core = fakeCore({
      ...basics,
      submit_report: () => {
        throw refusal('invalid', 'Check your answers', {
          problems: [
            { field: 'location', message: 'Say where the problem is' },
            { field: 'answers.depth', message: 'Choose how deep it is' },
          ],
        });
      },
    });
    render(Report, { code: 'pothole' });
    await fillIn();
    await fireEvent.click(screen.getByRole('button', { name: 'Send report' }));

    const summary = await screen.findByRole('alert');
    expect(summary).toHaveTextContent('There is a problem');
    expect(screen.getByRole('link', { name: 'Say where the problem is' })).toHaveAttribute('href', '#postcode');
    expect(screen.getByRole('link', { name: 'Choose how deep it is' })).toHaveAttribute('href', '#answers-depth');
    // What was typed is still there.
    expect(screen.getByLabelText('What is wrong?')).toHaveValue('Deep hole by the bus stop');
    expect(core.argsOf('delete_draft')).toEqual([]);
  });

  it('says a report made offline is saved and will be sent', async () => {
    fakeCore({ ...basics, submit_report: () => myReport({ state: 'waiting' }, null), report: () => myReport({ state: 'waiting' }, null) });
    app.sync = { state: 'offline' };
    render(Report, { code: 'pothole' });
    await fillIn();
    await fireEvent.click(screen.getByRole('button', { name: 'Send report' }));

    expect(await screen.findByRole('heading', { name: 'Report saved' })).toBeInTheDocument();
    expect(screen.getByText('We will send it when you are back online')).toBeInTheDocument();
    expect(screen.queryByText(/Your reference/)).toBeNull();
  });

  it('picks up a draft where the resident left it', async () => {
    fakeCore({
      ...basics,
      drafts: [
        {
          id: 'd9',
          kind: 'report',
          updated_at: 1,
          body: {
            form: 'pothole',
            title: 'Report a pothole',
            href: '#/report/pothole',
            fields: { description: 'Started on the bus', answers: { depth: 'shallow' }, location: {}, contact: { name: '', email: '', phone: '' } },
          },
        },
      ],
    });
    render(Report, { code: 'pothole' });
    await screen.findByRole('heading', { name: 'Report a pothole' });
    expect(screen.getByLabelText('What is wrong?')).toHaveValue('Started on the bus');
    expect(screen.getByLabelText('Less than 4cm')).toBeChecked();
  });
});
