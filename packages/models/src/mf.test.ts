import { describeCfModelContract } from '@dtl/core/testing';
import { createMfModel } from './mf.ts';

// BPR-MF against the CfModel contract, on both kernel paths (wasm SIMD and JS).
for (const wasm of [true, false]) {
  describeCfModelContract(`mf (wasm ${wasm})`, {
    makeModel: (f, optimizer) => createMfModel({ nUsers: f.nUsers, nItems: f.nItems, dim: f.dim, l2: 0.05, seed: f.seed, wasm, optimizer: optimizer ?? { lr: 0.05 } }),
  });
}
