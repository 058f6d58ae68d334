import { DtlError } from '@dtl/core';
import type { CfModel, Csr, InteractionData } from '@dtl/core';
import type { SyncTeam } from '@dtl/kernels';
import { loadTfjs } from '@dtl/kernels/tfjs';
import { createLightGcnModel, createMfModel } from '@dtl/models';
import { createTwoTowerModel } from '@dtl/models/tfjs';
import type { OptimizerKind } from '@dtl/models';
import { samplerEntry } from './samplers.ts';
import type { TrainConfig } from './training.ts';

/** A model plus the compute backend it runs on (printed by the CLI) and a disposer. */
export interface BuiltModel {
  readonly model: CfModel;
  readonly backend: string;
  dispose(): void;
}

/** The settings every model factory takes, from the train config. */
export interface ModelCommon {
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly l2: number;
  readonly seed: number;
  readonly optimizer: { readonly kind: OptimizerKind; readonly lr: number };
  /** DENS gates, when the sampler's registry row needs them. */
  readonly dens: { readonly gamma?: number | undefined } | undefined;
}

/** One row of the model registry: the one place a model name maps to its factory. */
export interface ModelEntry {
  readonly summary: string;
  /** What the model can train: DENS gates (for a sampler that `needs.densGates`), which optimizers. */
  readonly supports: { readonly densGates: boolean; readonly optimizers: readonly OptimizerKind[] };
  create(common: ModelCommon, context: { readonly train: Csr; readonly team: SyncTeam | undefined; readonly layers: number }): Promise<BuiltModel> | BuiltModel;
}

function kernels(team: SyncTeam | undefined): string {
  const threads = team?.threads ?? 1;
  return `js/wasm kernels (${threads} thread${threads > 1 ? 's' : ''}); tfjs not used`;
}

/** The model registry. MF and LightGCN run on the hand-written kernels; `two-tower` is the tfjs-autodiff example. */
export const MODELS = {
  mf: {
    summary: 'matrix factorisation (BPR-MF)',
    supports: { densGates: true, optimizers: ['adam', 'lazy-adam', 'sgd'] },
    create: (common, { team }) => ({ model: createMfModel({ ...common, team }), backend: kernels(team), dispose: () => {} }),
  },
  lightgcn: {
    summary: 'LightGCN (propagation over the train graph)',
    supports: { densGates: true, optimizers: ['adam', 'lazy-adam', 'sgd'] },
    create: (common, { team, train, layers }) => ({ model: createLightGcnModel({ ...common, team, train, layers }), backend: kernels(team), dispose: () => {} }),
  },
  'two-tower': {
    summary: 'two-tower model written with tfjs autodiff (tfjs-node, else wasm, else cpu)',
    supports: { densGates: false, optimizers: ['adam', 'sgd'] },
    create: async (common) => {
      const { tf, backend, skipped } = await loadTfjs();
      const model = createTwoTowerModel({ ...common, tf, optimizer: common.optimizer });
      const why = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.backend}: ${s.reason.split('\n')[0]!.slice(0, 80)}`).join('; ')})` : '';
      return { model, backend: `tfjs-${backend}${why}`, dispose: () => model.dispose() };
    },
  },
} as const satisfies Record<string, ModelEntry>;

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as [ModelName, ...ModelName[]];

/**
 * Builds the configured model through its registry row. DENS gates are turned on when the sampler's
 * registry row needs them (never by the sampler's name); a model that cannot train them, or the
 * optimizer asked for, is INVALID_ARGUMENT before anything is built.
 */
export async function buildModel(config: TrainConfig, data: InteractionData, train: Csr, team: SyncTeam | undefined): Promise<BuiltModel> {
  if (!Object.hasOwn(MODELS, config.model)) throw new DtlError('INVALID_ARGUMENT', `unknown model "${String(config.model)}"; one of ${MODEL_NAMES.join(', ')}`);
  const entry: ModelEntry = MODELS[config.model];
  const needsGates = samplerEntry(config.sampler.name).needs.densGates === true;
  if (!entry.supports.optimizers.includes(config.optimizer)) {
    throw new DtlError('INVALID_ARGUMENT', `${config.model} supports --optimizer ${entry.supports.optimizers.join(' or ')}`);
  }
  if (needsGates && !entry.supports.densGates) throw new DtlError('INVALID_ARGUMENT', `sampler ${config.sampler.name} needs DENS gates, which only ${MODEL_NAMES.filter((m) => MODELS[m].supports.densGates).join(' and ')} train`);
  const common: ModelCommon = {
    nUsers: data.nUsers,
    nItems: data.nItems,
    dim: config.dim,
    l2: config.l2,
    seed: config.seed,
    optimizer: { kind: config.optimizer, lr: config.lr },
    dens: needsGates ? { gamma: config.sampler.densGamma } : undefined,
  };
  return entry.create(common, { train, team, layers: config.layers });
}
