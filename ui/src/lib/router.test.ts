import { describe, expect, it } from 'vitest';
import { href, parseHash, type Route } from './router.svelte';

describe('routes', () => {
  const routes: Route[] = [
    { name: 'home' },
    { name: 'services' },
    { name: 'services', kind: 'report' },
    { name: 'services', kind: 'booking' },
    { name: 'service', code: 'pothole' },
    { name: 'report', code: 'fly tipping/odd' },
    { name: 'book', code: 'bulky_waste' },
    { name: 'pay', purpose: null },
    { name: 'pay', purpose: 'council_tax' },
    { name: 'request', id: 'abc' },
    { name: 'booking', id: 'def' },
    { name: 'payment', id: 'ghi' },
    { name: 'outbox' },
    { name: 'bins' },
    { name: 'account' },
  ];

  it('reads back every link it writes', () => {
    for (const route of routes) expect(parseHash(href(route))).toEqual(route);
  });

  it('leaves the screen alone for a hash that is not a route', () => {
    expect(parseHash('#main-content')).toBeNull();
    expect(parseHash('#answers-depth')).toBeNull();
  });

  it('names a path it does not know', () => {
    expect(parseHash('#/nowhere')).toEqual({ name: 'not_found', path: 'nowhere' });
    expect(parseHash('#/services/a/b')).toEqual({ name: 'not_found', path: 'services/a/b' });
  });
});
