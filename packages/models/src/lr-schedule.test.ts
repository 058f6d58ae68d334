import { describe, expect, it } from 'vitest';
import { lrScheduleOf } from './lr-schedule.ts';

describe('lrScheduleOf', () => {
  it('constant is 1 at every epoch', () => {
    const s = lrScheduleOf({ kind: 'constant', epochs: 10 });
    expect([1, 5, 10].map(s)).toEqual([1, 1, 1]);
  });

  it('cosine starts at 1, is half-way at the middle epoch and ends at the final factor', () => {
    const s = lrScheduleOf({ kind: 'cosine', epochs: 11, minScale: 0.1 });
    expect(s(1)).toBe(1);
    expect(s(6)).toBeCloseTo(0.55, 12);
    expect(s(11)).toBeCloseTo(0.1, 12);
    // Beyond the last epoch it stays at the final factor; decreasing in between.
    expect(s(20)).toBeCloseTo(0.1, 12);
    for (let e = 2; e <= 11; e++) expect(s(e)).toBeLessThan(s(e - 1));
    expect(lrScheduleOf({ kind: 'cosine', epochs: 3 })(3)).toBeCloseTo(0, 12);
  });

  it('rejects a final factor outside [0, 1] and a bad epoch count', () => {
    expect(() => lrScheduleOf({ kind: 'cosine', epochs: 10, minScale: 1.5 })).toThrow(/\[0, 1\]/);
    expect(() => lrScheduleOf({ kind: 'cosine', epochs: 0 })).toThrow(/positive integer/);
  });
});
