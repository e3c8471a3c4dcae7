// A stand-in for the desktop shell in page tests: answers the commands a test names, records
// every call, and refuses the rest the way the shell does. Events are delivered through
// Tauri's own event mock, so screens hear them exactly as they would from the shell.
import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import type { ShellError } from '../lib/doorstep';

export type Answer = (args: Record<string, unknown>) => unknown;

export interface FakeCore {
  calls: { command: string; args: Record<string, unknown> }[];
  /** The arguments of every call to one command. */
  argsOf(command: string): Record<string, unknown>[];
  /** Send the page one of the core's events. */
  emit(event: unknown): Promise<void>;
}

/** A refusal as the shell sends it. */
export function refusal(kind: ShellError['kind'], message: string, extra: Partial<ShellError> = {}): ShellError {
  return { kind, message, problems: [], code: null, field: null, alternatives: [], ...extra };
}

export function fakeCore(answers: Record<string, Answer | unknown>): FakeCore {
  const calls: FakeCore['calls'] = [];
  mockIPC(
    (command, payload) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      if (!command.startsWith('plugin:')) calls.push({ command, args });
      if (command in answers) {
        const answer = answers[command];
        return typeof answer === 'function' ? (answer as Answer)(args) : answer;
      }
      if (command.startsWith('plugin:')) return undefined;
      throw refusal('internal', `The test gave no answer for ${command}`);
    },
    { shouldMockEvents: true },
  );
  return {
    calls,
    argsOf: (command) => calls.filter((c) => c.command === command).map((c) => c.args),
    emit: (event) => emit('doorstep://event', event),
  };
}
