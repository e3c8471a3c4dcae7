// Test setup: jest-dom's matchers, and a clean Tauri IPC mock and page after every test.
import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { cleanup } from '@testing-library/svelte';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  clearMocks();
  window.location.hash = '';
});
