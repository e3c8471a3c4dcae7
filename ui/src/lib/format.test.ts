import { describe, expect, it } from 'vitest';
import { day, pounds, time } from './format';

describe('how values are written', () => {
  it('writes times in the GOV.UK style, noon and midnight included', () => {
    expect(time('2026-12-01T12:00:00')).toBe('12:00pm');
    expect(time('2026-12-01T00:30:00')).toBe('12:30am');
    expect(time('2026-12-01T14:05:00')).toBe('2:05pm');
  });

  it('writes days without a comma', () => {
    expect(day('2026-12-01')).toBe('Tuesday 1 December 2026');
  });

  it('writes pence as pounds', () => {
    expect(pounds(1250)).toBe('£12.50');
    expect(pounds(5)).toBe('£0.05');
  });
});
