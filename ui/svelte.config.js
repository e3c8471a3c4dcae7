// Svelte compiler options for the app, svelte-check and the tests: TypeScript in components,
// runes everywhere.
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
