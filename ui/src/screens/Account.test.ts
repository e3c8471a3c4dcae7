// Account and settings: signing in asks for a code and checks it; an empty council address
// means the demo council; deleting data asks first.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../lib/app.svelte';
import type { AppStatus } from '../lib/doorstep';
import { fakeCore, refusal } from '../test/core';
import Account from './Account.svelte';

const status = {
  council: { name: 'Durham County Council', branding: { primary_colour: '#00703c', text_colour: '#ffffff', logo_text: 'Durham' } },
  council_url: 'http://127.0.0.1:8080',
  demo: true,
  online: true,
  signed_in_as: null,
  pending_email: null,
  secrets: { kind: 'file', note: 'No keyring was found, so secrets are kept in a file only you can read.' },
  data_dir: '',
} as unknown as AppStatus;

beforeEach(() => app.setStatus(status));
afterEach(() => {
  app.status = null;
});

describe('Account', () => {
  it('signs in with the code emailed', async () => {
    const core = fakeCore({
      sign_in: { sent_to: 'sam@example.org', expires_in_seconds: 600 },
      verify: { ...status, signed_in_as: 'sam@example.org' },
    });
    render(Account);
    expect(screen.getByText(/secrets are kept in a file only you can read/)).toBeInTheDocument();
    await fireEvent.input(screen.getByLabelText('Email address'), { target: { value: 'sam@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    const code = await screen.findByLabelText('Code');
    expect(core.argsOf('sign_in')).toEqual([{ email: 'sam@example.org' }]);
    await fireEvent.input(code, { target: { value: '123456' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('You are signed in as sam@example.org.', { selector: '#signed-in' })).toBeInTheDocument();
    expect(core.argsOf('verify')).toEqual([{ email: 'sam@example.org', code: '123456' }]);
    expect(app.status?.signed_in_as).toBe('sam@example.org');
  });

  it('shows a wrong code in the error summary, keeping what was typed', async () => {
    fakeCore({
      sign_in: { sent_to: 'sam@example.org', expires_in_seconds: 600 },
      verify: () => {
        throw refusal('invalid', 'That code is wrong', { problems: [{ field: 'code', message: 'That code is wrong or has expired' }] });
      },
    });
    render(Account);
    await fireEvent.input(screen.getByLabelText('Email address'), { target: { value: 'sam@example.org' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send me a code' }));
    await fireEvent.input(await screen.findByLabelText('Code'), { target: { value: '999999' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('link', { name: 'That code is wrong or has expired' })).toHaveAttribute('href', '#code');
    expect(screen.getByLabelText('Code')).toHaveValue('999999');
  });

  it('uses the demo council when the address is left empty, and takes the status it answers', async () => {
    const core = fakeCore({ set_council_url: { ...status, council: { ...status.council, name: 'Demo Council' } } });
    render(Account);
    expect(screen.getByLabelText('Council address')).toHaveAccessibleDescription('Leave empty to use the demo council');
    await fireEvent.click(screen.getByRole('button', { name: 'Save council' }));
    await waitFor(() => expect(core.argsOf('set_council_url')).toEqual([{ url: null }]));
    expect(await screen.findByText('Council changed to Demo Council.')).toBeInTheDocument();
  });

  it('links a refused council address to its input', async () => {
    fakeCore({
      set_council_url: () => {
        throw refusal('invalid', 'x', { problems: [{ field: 'url', message: 'That council could not be used' }] });
      },
    });
    render(Account);
    await fireEvent.input(screen.getByLabelText('Council address'), { target: { value: 'http://nowhere' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save council' }));
    expect(await screen.findByRole('link', { name: 'That council could not be used' })).toHaveAttribute('href', '#council-url');
    expect(screen.getByLabelText('Council address')).toHaveValue('http://nowhere');
  });

  it('saves the data to a file, and deletes it only once confirmed', async () => {
    const core = fakeCore({ export_data: '/saved/doorstep-my-data.json', erase: null, app_status: status });
    render(Account);
    await fireEvent.click(screen.getByRole('button', { name: 'Download your data' }));
    expect(await screen.findByText('/saved/doorstep-my-data.json')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Delete your data' }));
    expect(core.argsOf('erase')).toEqual([]);
    expect(screen.getByText('Are you sure you want to delete your data?')).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'Yes, delete my data' }));
    await waitFor(() => expect(core.argsOf('erase')).toEqual([{}]));
  });
});
