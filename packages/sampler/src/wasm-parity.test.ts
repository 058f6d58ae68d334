// The hard samplers score candidates in WebAssembly SIMD when the model's embeddings live in a wasm
// arena, and in typed-array JS otherwise. The kernels are built to give the same float64 bits, so
// every sampler must return exactly the same negatives on both paths for the same seed.
import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng } from '@dtl/core';
import type { ModelView, NegativeSampler, Rng } from '@dtl/core';
import { createWasmArena, wasmKernelsSupported } from '@dtl/kernels';
import {
  createAhnsSampler,
  createDnsMnSampler,
  createDnsSampler,
  createDtlSampler,
  createMixGcfSampler,
} from './index.ts';
import { setup } from './internal/test-helpers.ts';

/** The same model with every embedding table copied into one wasm arena. */
function inArena(m: ModelView): ModelView {
  const arena = createWasmArena();
  const copy = (a: Float32Array): Float32Array => {
    const v = arena.f32(a.length);
    v.set(a);
    return v;
  };
  const users = Array.from({ length: m.nLayers }, (_, l) => copy(m.userLayer(l)));
  const items = Array.from({ length: m.nLayers }, (_, l) => copy(m.itemLayer(l)));
  const pu = copy(m.pooledUsers());
  const pi = copy(m.pooledItems());
  return { ...m, userLayer: (l) => users[l]!, itemLayer: (l) => items[l]!, pooledUsers: () => pu, pooledItems: () => pi };
}

function randomCodes(nItems: number, depth: number, branching: number, rng: Rng) {
  const paths = (): number[][] => Array.from({ length: nItems }, () => Array.from({ length: rng.int(depth + 1) }, () => rng.int(branching)));
  return { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
}

describe.runIf(wasmKernelsSupported())('hard samplers: wasm SIMD scoring picks exactly what the JS path picks', () => {
  for (const [dim, nLayers, N] of [[8, 1, 10], [7, 3, 7], [13, 4, 3], [64, 1, 10], [33, 2, 1]] as const) {
    it(`dim ${dim}, ${nLayers} layer(s), ${N} candidates`, () => {
      const { f, req } = setup({ dim, nLayers, seed: dim * 10 + nLayers, reps: 4, k: 3, nItems: 90, nUsers: 50 });
      const wasmModel = inArena(f.model);
      const codes = randomCodes(f.nItems, 6, 4, createRng(dim));
      // Codes deeper than 32 bits cannot be packed: the DTL bonus then stays in JS (mixed case).
      const deep = { co: codes.co, se: randomCodes(f.nItems, 40, 4, createRng(dim + 1)).se };
      const makers: Array<[string, () => NegativeSampler]> = [
        ['dns', () => createDnsSampler({ candidates: N })],
        ['dnsmn', () => createDnsMnSampler({ candidates: N, topN: Math.max(1, N >> 1) })],
        ['ahns', () => createAhnsSampler({ candidates: N })],
        ['ahns α −0.5', () => createAhnsSampler({ candidates: N, alpha: -0.5, p: -1.5 })],
        ['mixgcf', () => createMixGcfSampler({ candidates: N })],
        ['mixgcf layer view', () => createMixGcfSampler({ candidates: N, userView: 'layer' })],
        ['dtl', () => createDtlSampler({ candidates: N, codes })],
        ['dtl no mixing', () => createDtlSampler({ candidates: N, codes, mixing: false })],
        ['dtl unpacked se', () => createDtlSampler({ candidates: N, codes: deep })],
        ['dtl no codes', () => createDtlSampler({ candidates: N })],
      ];
      for (const [name, make] of makers) {
        const js = make().sample(req, createRng(7));
        const wasm = make().sample({ ...req, model: wasmModel }, createRng(7));
        expect(wasm, name).toEqual(js);
      }
    });
  }

  it('the wasm scores are the JS scores bit for bit (DNS picks every argmax; near-ties included)', () => {
    // Candidates with nearly equal scores: item rows that differ in one low-order bit.
    const { f, req } = setup({ dim: 16, nLayers: 1, seed: 5, reps: 2, k: 4, nItems: 60 });
    const items = f.model.itemLayer(0);
    for (let i = 1; i < f.nItems; i += 2) {
      for (let d = 0; d < 16; d++) items[i * 16 + d] = items[(i - 1) * 16 + d]!;
      items[i * 16 + 3] = Math.fround(items[i * 16 + 3]! * (1 + 2 ** -23));
    }
    const pooled = f.model.pooledItems();
    if (pooled !== items) pooled.set(items);
    const js = createDnsSampler({ candidates: 16 }).sample(req, createRng(1));
    const wasm = createDnsSampler({ candidates: 16 }).sample({ ...req, model: inArena(f.model) }, createRng(1));
    expect(wasm).toEqual(js);
  });
});
