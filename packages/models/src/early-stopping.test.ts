import { describe, expect, it } from 'vitest';
import { createEarlyStopping, restoreBest } from './early-stopping.ts';
import { createMfModel } from './mf.ts';

const params = (v: number): Record<string, Float32Array> => ({ w: Float32Array.of(v) });

describe('createEarlyStopping', () => {
  it('tracks the best epoch and stops after `patience` evaluations without improvement', () => {
    const es = createEarlyStopping(params(0), { patience: 2, metric: 'm' });
    expect(es.bestEpoch).toBe(0);
    expect(es.bestValue).toBe(-Infinity);
    expect(es.observe(5, { m: 0.1 })).toEqual({ improved: true, stop: false });
    es.keep({ m: 0.09 }, params(5));
    expect(es.observe(10, { m: 0.3 })).toEqual({ improved: true, stop: false });
    es.keep({ m: 0.2 }, params(10));
    expect(es.observe(15, { m: 0.2 })).toEqual({ improved: false, stop: false });
    expect(es.sinceBest).toBe(1);
    expect(es.observe(20, { m: 0.25 })).toEqual({ improved: false, stop: true });
    expect(es.bestEpoch).toBe(10);
    expect(es.bestValue).toBe(0.3);
    expect(es.bestValid).toEqual({ m: 0.3 });
    expect(es.bestTest).toEqual({ m: 0.2 });
    expect(es.bestParameters['w']![0]).toBe(10);
  });

  it('a tie is not an improvement: the earlier epoch stays best', () => {
    const es = createEarlyStopping(params(0), { patience: 3 });
    expect(es.metric).toBe('recall@20');
    es.observe(1, { 'recall@20': 0.5 });
    es.keep(undefined, params(1));
    expect(es.observe(2, { 'recall@20': 0.5 }).improved).toBe(false);
    expect(es.bestEpoch).toBe(1);
    expect(es.sinceBest).toBe(1);
  });

  it('an improvement resets the count; patience 0 stops at the first non-improvement', () => {
    const es = createEarlyStopping(params(0), { patience: 0, metric: 'm' });
    expect(es.observe(1, { m: 1 })).toEqual({ improved: true, stop: false });
    expect(es.observe(2, { m: 0 })).toEqual({ improved: false, stop: true });
    const es2 = createEarlyStopping(params(0), { patience: 2, metric: 'm' });
    es2.observe(1, { m: 1 });
    es2.observe(2, { m: 0 });
    es2.observe(3, { m: 2 });
    expect(es2.sinceBest).toBe(0);
    expect(es2.observe(4, { m: 1 }).stop).toBe(false);
  });

  it('keepLast makes an epoch best without validation; state/resume round-trips', () => {
    const es = createEarlyStopping(params(0), { metric: 'm' });
    es.keepLast(3, params(3));
    expect(es.bestEpoch).toBe(3);
    expect(es.bestParameters['w']![0]).toBe(3);
    const es2 = createEarlyStopping(params(0), { metric: 'm' });
    es.observe(4, { m: 0.4 });
    es2.resume(es.state(), params(4));
    expect(es2.state()).toEqual(es.state());
    expect(es2.bestParameters['w']![0]).toBe(4);
  });

  it('a missing metric and a negative patience are INVALID_ARGUMENT', () => {
    expect(() => createEarlyStopping(params(0), { metric: 'm' }).observe(1, { other: 1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => createEarlyStopping(params(0), { patience: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('restoreBest loads the best parameters into a model', () => {
    const model = createMfModel({ nUsers: 3, nItems: 4, dim: 2, seed: 1, wasm: false });
    const es = createEarlyStopping(model.parameters(), { metric: 'm' });
    const best = model.parameters();
    es.observe(1, { m: 1 });
    es.keep(undefined, best);
    model.trainStep({ users: Int32Array.of(0, 1), positives: Int32Array.of(0, 1), negatives: { kind: 'items', k: 1, items: Int32Array.of(2, 3) } });
    expect(Array.from(model.parameters()['embeddings.0']!)).not.toEqual(Array.from(best['embeddings.0']!));
    restoreBest(model, es.bestParameters);
    expect(Array.from(model.parameters()['embeddings.0']!)).toEqual(Array.from(best['embeddings.0']!));
    expect(Array.from(model.pooledItems())).toEqual(Array.from(best['embeddings.0']!.subarray(3 * 2)));
  });
});
