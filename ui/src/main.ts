// The page's entry point: styles, then the app mounted into `#app`.
//
// Invariant: the page starts only once the document exists, and starts exactly once.

import { mount } from 'svelte';
import App from './App.svelte';
import './styles.scss';

const target = document.getElementById('app');
if (target === null) throw new Error('The page has no #app element');
document.body.classList.add('js-enabled', 'govuk-frontend-supported');

export default mount(App, { target });
