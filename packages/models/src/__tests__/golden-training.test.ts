import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allGoldenRuns } from './golden-runs.ts';
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
});
