// What every screen can see of the app as a whole: the council and settings, the outbox
// counts, how syncing stands, and a change counter that tells screens to read again.
//
// Invariant: these values only ever come from the core (its status and its events); the page
// tells the core when the window goes on- or offline and never decides either itself.

import { doorstep, onCoreEvent, type AppStatus, type CoreEvent, type SyncState } from './doorstep';

class AppState {
  status = $state<AppStatus | null>(null);
  /** Why the app could not start, in plain words. */
  problem = $state<string | null>(null);
  waiting = $state(0);
  needsAttention = $state(0);
  sync = $state<SyncState>({ state: 'idle' });
  lastError = $state<string | null>(null);
  /** Bumped whenever an item or the outbox changes: screens showing them read again. */
  changes = $state(0);
  /** The payments whose provider page is ready, by local id. */
  paymentPages = $state<Record<string, string>>({});

  get offline(): boolean {
    return this.sync.state === 'offline';
  }

  /** The device is online but its last try to reach the council failed (the core clears
   * the error on the next success). */
  get unreachable(): boolean {
    return !this.offline && this.sync.state !== 'syncing' && this.lastError !== null;
  }

  /** Nothing can be sent just now: offline, or the council cannot be reached. */
  get cannotSend(): boolean {
    return this.offline || this.unreachable;
  }

  /** Take in one event from the core. */
  receive(event: CoreEvent): void {
    switch (event.event) {
      case 'outbox':
        this.waiting = event.waiting;
        this.needsAttention = event.needs_attention;
        this.changes += 1;
        break;
      case 'item_changed':
        this.changes += 1;
        break;
      case 'sync':
        this.sync = event.state;
        this.lastError = event.last_error;
        break;
      case 'payment_needs_action':
        this.paymentPages = { ...this.paymentPages, [event.local_id]: event.next_url };
        this.changes += 1;
        break;
    }
  }

  /** Take a new status (after settings change) and show the council's colours. */
  setStatus(status: AppStatus): void {
    this.status = status;
    const root = document.documentElement.style;
    const branding = status.council?.branding;
    if (branding) {
      root.setProperty('--council-primary', branding.primary_colour);
      root.setProperty('--council-text', branding.text_colour);
    } else {
      root.removeProperty('--council-primary');
      root.removeProperty('--council-text');
    }
  }

  async refreshStatus(): Promise<void> {
    this.setStatus(await doorstep.appStatus());
  }

  /** Subscribe to the core, ask it to replay the current state, and follow the network. */
  async start(): Promise<() => void> {
    const stopEvents = await onCoreEvent((event) => this.receive(event));
    const online = () => void doorstep.setOnline(true).catch(() => undefined);
    const offline = () => void doorstep.setOnline(false).catch(() => undefined);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    try {
      await doorstep.ready();
      await this.refreshStatus();
    } catch (error) {
      this.problem = (error as { message?: string }).message ?? String(error);
    }
    return () => {
      stopEvents();
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }
}

export const app = new AppState();
