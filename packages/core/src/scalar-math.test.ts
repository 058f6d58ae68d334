import { describe, expect, it } from 'vitest';
import { logOnePlusSumExp, sigmoid, sigmoidDirect, softplus } from './scalar-math.ts';

describe('scalar math', () => {
  it('logOnePlusSumExp is log(1 + Σ exp x) with gradient p = exp x / (1 + Σ exp x), stable for large x', () => {
    const x = Float64Array.of(0.3, -1.2, 2);
    const p = new Float64Array(3);
    const want = Math.log(1 + Math.exp(0.3) + Math.exp(-1.2) + Math.exp(2));
    expect(logOnePlusSumExp(x, 3, p)).toBeCloseTo(want, 12);
    for (let k = 0; k < 3; k++) expect(p[k]).toBeCloseTo(Math.exp(x[k]!) / (1 + Math.exp(0.3) + Math.exp(-1.2) + Math.exp(2)), 12);
    const big = Float64Array.of(800, 799);
    expect(logOnePlusSumExp(big, 2, p)).toBeCloseTo(800 + Math.log1p(Math.exp(-1)), 9);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);
    expect(logOnePlusSumExp(x, 0, p)).toBe(0);
  });

  it('sigmoid forms agree and softplus is stable', () => {
    for (const z of [-30, -1, 0, 0.5, 30]) expect(sigmoid(z)).toBeCloseTo(sigmoidDirect(z), 15);
    expect(softplus(1000)).toBe(1000);
    expect(softplus(-1000)).toBe(0);
  });
});
