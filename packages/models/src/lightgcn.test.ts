import { describeCfModelContract } from '@dtl/core/testing';
import { createLightGcnModel } from './lightgcn.ts';

// LightGCN (2 propagation layers) against the CfModel contract, on both kernel paths.
for (const wasm of [true, false]) {
  describeCfModelContract(`lightgcn (2 layers, wasm ${wasm})`, {
    makeModel: (f, optimizer) =>
      createLightGcnModel({ nUsers: f.nUsers, nItems: f.nItems, dim: f.dim, layers: 2, train: f.train, l2: 0.05, seed: f.seed, wasm, optimizer: optimizer ?? { lr: 0.05 } }),
  });
}
