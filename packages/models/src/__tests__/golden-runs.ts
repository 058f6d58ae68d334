/**
 * Golden training runs: MF and LightGCN(2) × RNS, DNS, MixGCF, DENS × threads 1/2 × wasm on/off, two
 * `fit` epochs on the `tiny` synthetic preset at fixed seeds. Each run is summarised by its epoch
 * losses and a SHA-256 of every state tensor's bits (embeddings, Adam moments, DENS gates), so a
 * refactor or a kernel change can prove training is bit-identical. `golden-training.test.ts` compares
 * against `golden-training.json`; regenerate it (only when numbers are meant to change) with
 * `node --conditions=@dtl/source --import tsx packages/models/src/__tests__/write-golden.ts`.
 */
import { createHash } from 'node:crypto';
import { generateSynthetic } from '@dtl/data';
import { createSyncTeam } from '@dtl/kernels';
import type { Compute, SyncTeam } from '@dtl/kernels';
import { createDensSampler, createDnsSampler, createMixGcfSampler, createRnsSampler } from '@dtl/sampler';
import type { NegativeSampler } from '@dtl/core';
import { fit } from '../fit.ts';
import { createLightGcnModel } from '../lightgcn.ts';
import { createMfModel } from '../mf.ts';
import type { EmbeddingModel } from '../embedding-model.ts';

export interface GoldenRun {
  readonly losses: number[];
  readonly regs: number[];
  readonly stateSha256: string;
}

export const GOLDEN_MODELS = ['mf', 'lightgcn2'] as const;
export const GOLDEN_SAMPLERS = ['rns', 'dns', 'mixgcf', 'dens'] as const;
export const GOLDEN_THREADS = [1, 2] as const;
export const GOLDEN_WASM = [true, false] as const;

export function goldenKey(model: string, sampler: string, threads: number, wasm: boolean): string {
  return `${model}/${sampler}/threads=${threads}/wasm=${wasm ? 'on' : 'off'}`;
}

function stateDigest(model: EmbeddingModel): string {
  const h = createHash('sha256');
  const tensors = model.getState().tensors;
  for (const name of Object.keys(tensors).sort()) {
    const t = tensors[name]!;
    h.update(name);
    h.update(new Uint8Array(t.buffer, t.byteOffset, t.byteLength));
  }
  return h.digest('hex');
}

/** One golden run (with `compute`, the model runs on it instead of building its own from `team`/`wasm`). */
export async function goldenRun(modelName: string, samplerName: string, threads: number, wasm: boolean, team?: SyncTeam, compute?: Compute): Promise<GoldenRun> {
  const { data } = generateSynthetic({ preset: 'tiny', seed: 5 });
  const engine = compute ? { compute } : { wasm, team: threads > 1 ? team : undefined };
  const common = { nUsers: data.nUsers, nItems: data.nItems, dim: 16, seed: 7, ...engine, optimizer: { lr: 0.01 }, ...(samplerName === 'dens' ? { dens: {} } : {}) };
  const model = modelName === 'mf' ? createMfModel(common) : createLightGcnModel({ ...common, train: data.train, layers: 2 });
  const samplers: Record<string, () => NegativeSampler> = {
    rns: () => createRnsSampler(),
    dns: () => createDnsSampler({ candidates: 4 }),
    mixgcf: () => createMixGcfSampler({ candidates: 4 }),
    dens: () => createDensSampler({ gates: () => model.densGates!, candidates: 4, warmup: 2 }),
  };
  const result = await fit({ model, train: data.train, sampler: samplers[samplerName]!(), epochs: 2, batchSize: 64, negatives: 2, seed: 11 });
  return { losses: result.history.map((h) => h.loss), regs: result.history.map((h) => h.reg), stateSha256: stateDigest(model) };
}

/** Every golden run, keyed by {@link goldenKey}. */
export async function allGoldenRuns(): Promise<Record<string, GoldenRun>> {
  const team = createSyncTeam({ threads: 2 });
  try {
    const out: Record<string, GoldenRun> = {};
    for (const m of GOLDEN_MODELS) for (const s of GOLDEN_SAMPLERS) for (const t of GOLDEN_THREADS) for (const w of GOLDEN_WASM) {
      out[goldenKey(m, s, t, w)] = await goldenRun(m, s, t, w, team);
    }
    return out;
  } finally {
    team.close();
  }
}
