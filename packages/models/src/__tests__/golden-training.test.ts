import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCompute } from '@dtl/kernels';
import { allGoldenRuns, goldenKey, goldenRun } from './golden-runs.ts';
import type { GoldenRun } from './golden-runs.ts';

// Training must stay bit-identical across refactors: every run's epoch losses and the SHA-256 of its
// final state tensors equal the recorded ones (recorded on main before the compute/model split).
const golden = JSON.parse(readFileSync(new URL('./golden-training.json', import.meta.url), 'utf8')) as Record<string, GoldenRun>;

describe('golden training runs (bit-identical losses and final state)', () => {
  it('match golden-training.json for MF and LightGCN(2) × RNS, DNS, MixGCF, DENS × threads 1, 2 × wasm on, off', async () => {
    const runs = await allGoldenRuns();
    expect(Object.keys(runs).sort()).toEqual(Object.keys(golden).sort());
    for (const [key, run] of Object.entries(runs)) expect({ key, ...run }).toEqual({ key, ...golden[key]! });
  }, 120_000);

  it('a model given a createCompute({ threads, wasm }) trains exactly like one built from team/wasm', async () => {
    for (const wasm of [true, false]) {
      const compute = createCompute({ threads: 2, wasm });
      try {
        for (const m of ['mf', 'lightgcn2']) {
          for (const s of ['mixgcf', 'dens']) expect(await goldenRun(m, s, 2, wasm, undefined, compute)).toEqual(golden[goldenKey(m, s, 2, wasm)]);
        }
      } finally {
        compute.close();
      }
    }
  }, 120_000);
});
