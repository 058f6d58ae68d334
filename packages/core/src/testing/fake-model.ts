import { DtlError } from '../errors.ts';
import type { ModelView } from '../model.ts';
import type { Rng } from '../rng.ts';

/** Options of {@link createFakeModelView}. */
export interface FakeModelViewOptions {
  readonly nUsers: number;
  readonly nItems: number;
  /** Embedding size. */
  readonly dim: number;
  /** Number of embedding layers (1 = MF-like, L+1 = an L-layer LightGCN-like model). */
  readonly nLayers: number;
  /** Fills every embedding with N(0, scale²) deviates drawn from it. */
  readonly rng: Rng;
  /** Pooling weights, one per layer. Default: the mean (1/nLayers each), as LightGCN pools. */
  readonly layerWeights?: ArrayLike<number> | undefined;
  /** Standard deviation of the random embeddings. Default 0.1 (the scale of a Xavier init at dim 64). */
  readonly scale?: number | undefined;
}

/** A synthetic {@link ModelView} plus its raw arrays, so tests can recompute what samplers did. */
export interface FakeModelView extends ModelView {
  /** `users[l]` / `items[l]`: layer-l embeddings (row-major `n × dim`). */
  readonly users: readonly Float32Array[];
  readonly items: readonly Float32Array[];
}

/**
 * A random, frozen {@link ModelView} for sampler tests: layer embeddings are Gaussian, pooled
 * embeddings are `Σ_l layerWeights[l] · layer l`, computed once. Deterministic given the `rng` state.
 */
export function createFakeModelView(options: FakeModelViewOptions): FakeModelView {
  const { nUsers, nItems, dim, nLayers, rng } = options;
  for (const [key, value] of Object.entries({ nUsers, nItems, dim, nLayers })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new DtlError('INVALID_ARGUMENT', `createFakeModelView: ${key} must be a positive integer, got ${value}`);
    }
  }
  const scale = options.scale ?? 0.1;
  const layerWeights = new Float32Array(nLayers);
  if (options.layerWeights !== undefined) {
    if (options.layerWeights.length !== nLayers) {
      throw new DtlError('INVALID_ARGUMENT', `createFakeModelView: ${options.layerWeights.length} layer weights for ${nLayers} layers`);
    }
    for (let l = 0; l < nLayers; l++) layerWeights[l] = options.layerWeights[l]!;
  } else {
    layerWeights.fill(1 / nLayers);
  }
  const fill = (n: number): Float32Array => {
    const a = new Float32Array(n * dim);
    for (let i = 0; i < a.length; i++) a[i] = rng.normal() * scale;
    return a;
  };
  const users: Float32Array[] = [];
  const items: Float32Array[] = [];
  for (let l = 0; l < nLayers; l++) {
    users.push(fill(nUsers));
    items.push(fill(nItems));
  }
  const pool = (layers: Float32Array[], n: number): Float32Array => {
    const out = new Float32Array(n * dim);
    for (let l = 0; l < nLayers; l++) {
      const w = layerWeights[l]!;
      const src = layers[l]!;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! + w * src[i]!;
    }
    return out;
  };
  const pooledU = pool(users, nUsers);
  const pooledI = pool(items, nItems);
  const layer = (arr: Float32Array[], l: number, what: string): Float32Array => {
    const a = arr[l];
    if (a === undefined) throw new DtlError('INVALID_ARGUMENT', `${what}(${l}): the model has ${nLayers} layers`);
    return a;
  };
  return {
    nUsers,
    nItems,
    dim,
    nLayers,
    layerWeights,
    users,
    items,
    userLayer: (l) => layer(users, l, 'userLayer'),
    itemLayer: (l) => layer(items, l, 'itemLayer'),
    pooledUsers: () => pooledU,
    pooledItems: () => pooledI,
  };
}
