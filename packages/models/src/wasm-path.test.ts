import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '@dtl/core';
import type { TrainBatch } from '@dtl/core';
import { generateSynthetic } from '@dtl/data';
import { arenaOf, createSyncTeam, wasmKernelsSupported } from '@dtl/kernels';
import { createLightGcnModel } from './lightgcn.ts';
import { createMfModel } from './mf.ts';
import type { EmbeddingModel } from './embedding-model.ts';
import type { EmbeddingModelOptions } from './embedding-model.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';

const { data } = generateSynthetic({ preset: 'tiny', seed: 5 });
const team = createSyncTeam({ threads: 2 });
const dir = mkdtempSync(join(tmpdir(), 'dtl-wasm-'));
afterAll(() => {
  team.close();
  rmSync(dir, { recursive: true, force: true });
});

function batches(count: number, size: number, seed: number): TrainBatch[] {
  const rng = createRng(seed);
  const nnz = data.train.indptr[data.train.nRows]!;
  const out: TrainBatch[] = [];
  for (let c = 0; c < count; c++) {
    const users = new Int32Array(size);
    const positives = new Int32Array(size);
    const items = new Int32Array(size * 2);
    for (let b = 0; b < size; b++) {
      const k = rng.int(nnz);
      let u = 0;
      while (data.train.indptr[u + 1]! <= k) u++;
      users[b] = u;
      positives[b] = data.train.indices[k]!;
      items[2 * b] = rng.int(data.nItems);
      items[2 * b + 1] = rng.int(data.nItems);
    }
    out.push({ users, positives, negatives: { kind: 'items', k: 2, items } });
  }
  return out;
}

const make = (layers: number, extra: Partial<EmbeddingModelOptions> = {}): EmbeddingModel => {
  const options = { nUsers: data.nUsers, nItems: data.nItems, dim: 13, seed: 4, optimizer: { lr: 0.01 }, ...extra };
  return layers === 0 ? createMfModel(options) : createLightGcnModel({ ...options, train: data.train, layers });
};

function train(model: EmbeddingModel, list: TrainBatch[]): Float32Array {
  for (const b of list) {
    model.forward();
    model.trainStep(b);
  }
  model.forward();
  return Float32Array.from(model.getState().tensors['embeddings.0']!);
}

describe.runIf(wasmKernelsSupported())('EmbeddingModel on the WebAssembly path', () => {
  const list = batches(6, 64, 1);

  for (const layers of [0, 3]) {
    it(`layers=${layers}: buffers live in an arena unless wasm is off`, () => {
      const on = make(layers);
      const state = on.getState();
      expect(arenaOf(state.tensors['embeddings.0']!, state.tensors['adam.m']!, state.tensors['adam.v']!, on.pooledItems())).toBeDefined();
      const off = make(layers, { wasm: false });
      expect(arenaOf(off.getState().tensors['embeddings.0']!)).toBeUndefined();
      // Same initialisation either way.
      expect(Array.from(off.getState().tensors['embeddings.0']!)).toEqual(Array.from(state.tensors['embeddings.0']!));
    });

    it(`layers=${layers}: wasm and JS kernels train to the same parameters up to float32 rounding`, () => {
      const start = make(layers).getState().tensors['embeddings.0']!;
      const wasm = train(make(layers), list);
      const js = train(make(layers, { wasm: false }), list);
      let moved = 0;
      let diff = 0;
      for (let i = 0; i < js.length; i++) {
        moved = Math.max(moved, Math.abs(js[i]! - start[i]!));
        diff = Math.max(diff, Math.abs(wasm[i]! - js[i]!));
      }
      expect(moved).toBeGreaterThan(1e-3);
      expect(diff).toBeLessThan(1e-4 * moved);
    });

    it(`layers=${layers}: a 2-thread team gives bit-identical parameters and scores`, () => {
      const alone = make(layers);
      const teamed = make(layers, { team });
      expect(Array.from(train(teamed, list))).toEqual(Array.from(train(alone, list)));
      expect(Array.from(teamed.pooledUsers())).toEqual(Array.from(alone.pooledUsers()));
    });
  }

  it('arena tensors round-trip through a checkpoint and resume bit-identically', () => {
    const a = make(2);
    train(a, list.slice(0, 3));
    const state = a.getState();
    const path = join(dir, 'ckpt.bin');
    writeCheckpoint(path, { meta: { step: state.step }, tensors: state.tensors });
    const read = readCheckpoint(path);
    for (const [name, t] of Object.entries(state.tensors)) expect(Array.from(read.tensors[name]!)).toEqual(Array.from(t));
    const b = make(2);
    b.setState({ ...state, tensors: read.tensors });
    expect(Array.from(train(b, list.slice(3)))).toEqual(Array.from(train(a, list.slice(3))));
  });
});
