// How values are written for residents: money, dates and times.
//
// Invariant: these functions only present values; none decides anything. The words for what the
// core holds (statuses, titles, a report's timeline) are the core's own, in each item's `shown`.

const LOCALE = 'en-GB';

/** 1250 → "£12.50". */
export function pounds(pence: number): string {
  return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'GBP' }).format(pence / 100);
}

/** "Tuesday 1 December 2026". */
export function day(iso: string): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso);
  // Some builds of the locale data put a comma after the weekday; GOV.UK style has none.
  return date.toLocaleDateString(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).replace(',', '');
}

/** "2:30pm". */
export function time(iso: string): string {
  return new Date(iso)
    .toLocaleTimeString(LOCALE, { hour: 'numeric', minute: '2-digit', hourCycle: 'h12' })
    .replace(/\s/g, '')
    .toLowerCase();
}

/** "1 December 2026 at 2:30pm". */
export function when(iso: string): string {
  const date = new Date(iso).toLocaleDateString(LOCALE, { day: 'numeric', month: 'long', year: 'numeric' });
  return `${date} at ${time(iso)}`;
}

/** Unix seconds → "1 December 2026 at 2:30pm". */
export function whenSeconds(seconds: number): string {
  return when(new Date(seconds * 1000).toISOString());
}

/** The day part of a slot's start, for grouping slots by day. */
export function dayKey(iso: string): string {
  return iso.slice(0, 10);
}
