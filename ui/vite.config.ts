// Build and test configuration. The page is built into `dist/` with relative asset paths, so
// the desktop shell can serve it from its own origin; tests run in jsdom with the browser
// build of Svelte.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  plugins: [svelte(), svelteTesting()],
  clearScreen: false,
  server: { port: 1420, strictPort: true, host: '127.0.0.1' },
  css: { preprocessorOptions: { scss: { quietDeps: true, loadPaths: ['node_modules/govuk-frontend/dist'] } } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.ts'],
  },
});
