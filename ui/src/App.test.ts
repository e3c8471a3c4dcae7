import { render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { app } from './lib/app.svelte';
import { fakeCore } from './test/core';

const status = {
  council: null,
  council_url: 'http://127.0.0.1:47311',
  demo: true,
  online: true,
  signed_in_as: null,
  pending_email: null,
  secrets: { kind: 'file', note: null },
  data_dir: 'data',
};

describe('the frame around every screen', () => {
  it('shows while it talks to the council, and says when the device is offline', async () => {
    const core = fakeCore({ ready: null, app_status: status, drafts: [], set_online: null });
    render(App);
    await screen.findByRole('heading', { name: 'What do you need to do?' });
    expect(document.getElementById('sync-progress')).toBeEmptyDOMElement();

    await core.emit({ event: 'sync', state: { state: 'syncing' }, last_success: null, last_error: null });
    await tick();
    expect(document.getElementById('sync-progress')).toHaveTextContent('Sending to and hearing from the council');

    await core.emit({ event: 'sync', state: { state: 'offline' }, last_success: null, last_error: null });
    await tick();
    expect(document.getElementById('sync-progress')).toBeEmptyDOMElement();
    expect(screen.getByRole('region', { name: 'You are offline' })).toBeInTheDocument();

    await core.emit({ event: 'outbox', waiting: 2, needs_attention: 0 });
    await tick();
    expect(screen.getByRole('link', { name: /Waiting to send \(2\)/ })).toHaveAttribute('href', '#/outbox');
    app.sync = { state: 'idle' };
    app.waiting = 0;
  });
});
