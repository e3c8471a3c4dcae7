// The page's routes, read from and written to the location hash (`#/services/pothole`).
// `#/report` and `#/book` list the services of that kind.
//
// Invariant: only hashes that start with `#/` are routes; any other hash (a skip link, an error
// summary link) never changes the screen. Parsing and writing are inverse: `parseHash(href(r))`
// gives back `r` for every route.

export type Route =
  | { name: 'home' }
  | { name: 'services'; kind?: 'report' | 'booking' }
  | { name: 'service'; code: string }
  | { name: 'report'; code: string }
  | { name: 'book'; code: string }
  | { name: 'pay'; purpose: string | null }
  | { name: 'requests' }
  | { name: 'request'; id: string }
  | { name: 'bookings' }
  | { name: 'booking'; id: string }
  | { name: 'payments' }
  | { name: 'payment'; id: string }
  | { name: 'outbox' }
  | { name: 'bins' }
  | { name: 'account' }
  | { name: 'not_found'; path: string };

const LISTS = {
  services: 'services',
  requests: 'requests',
  bookings: 'bookings',
  payments: 'payments',
  outbox: 'outbox',
  bins: 'bins',
  account: 'account',
} as const;

const ITEMS = {
  services: 'service',
  report: 'report',
  book: 'book',
  requests: 'request',
  bookings: 'booking',
  payments: 'payment',
} as const;

/** The route a hash names, or null when the hash is not a route. */
export function parseHash(hash: string): Route | null {
  if (hash === '' || hash === '#') return { name: 'home' };
  if (!hash.startsWith('#/')) return null;
  const path = hash.slice(2).replace(/\/+$/, '');
  if (path === '') return { name: 'home' };
  let parts: string[];
  try {
    parts = path.split('/').map(decodeURIComponent);
  } catch {
    return { name: 'not_found', path };
  }
  const [first, second, ...rest] = parts;
  if (rest.length > 0 || second === '') return { name: 'not_found', path };
  if (first === 'pay') return { name: 'pay', purpose: second ?? null };
  if (second === undefined) {
    if (first === 'report') return { name: 'services', kind: 'report' };
    if (first === 'book') return { name: 'services', kind: 'booking' };
    if (first in LISTS) return { name: LISTS[first as keyof typeof LISTS] };
    return { name: 'not_found', path };
  }
  if (first in ITEMS) {
    const name = ITEMS[first as keyof typeof ITEMS];
    if (name === 'service' || name === 'report' || name === 'book') return { name, code: second };
    return { name, id: second };
  }
  return { name: 'not_found', path };
}

/** The link to a route. */
export function href(route: Route): string {
  const at = (...parts: string[]) => '#/' + parts.map(encodeURIComponent).join('/');
  switch (route.name) {
    case 'home':
      return '#/';
    case 'services':
      if (route.kind === 'report') return at('report');
      if (route.kind === 'booking') return at('book');
      return at('services');
    case 'requests':
    case 'bookings':
    case 'payments':
    case 'outbox':
    case 'bins':
    case 'account':
      return at(route.name);
    case 'service':
      return at('services', route.code);
    case 'report':
    case 'book':
      return at(route.name, route.code);
    case 'pay':
      return route.purpose === null ? at('pay') : at('pay', route.purpose);
    case 'request':
      return at('requests', route.id);
    case 'booking':
      return at('bookings', route.id);
    case 'payment':
      return at('payments', route.id);
    case 'not_found':
      return '#/' + route.path;
  }
}

/** The current route, kept in step with the window's hash. */
class Router {
  route = $state<Route>({ name: 'home' });
  /** Bumped on every navigation, so a screen can tell a new visit from a re-render. */
  visits = $state(0);

  #onHashChange = () => this.#read();

  start(): () => void {
    this.#read();
    window.addEventListener('hashchange', this.#onHashChange);
    return () => window.removeEventListener('hashchange', this.#onHashChange);
  }

  /** Go to a route (adds to the history, like following a link). */
  go(route: Route): void {
    const target = href(route);
    if (window.location.hash === target) this.#read();
    else window.location.hash = target;
  }

  #read(): void {
    const route = parseHash(window.location.hash);
    if (route === null) return;
    this.route = route;
    this.visits += 1;
  }
}

export const router = new Router();
