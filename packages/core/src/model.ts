/**
 * The CF-model contract used by samplers, evaluation and the fit loop.
 *
 * Embeddings are row-major `Float32Array`s (`n × dim`). A model exposes `nLayers` embedding layers
 * (1 for MF; L+1 for an L-layer LightGCN: layer 0 is the free parameter, layer l the l-hop
 * propagation) and pools them with fixed `layerWeights` (LightGCN: mean, 1/(L+1) each). Scoring is
 * the dot product of pooled user and item embeddings.
 */
export interface ModelView {
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly nLayers: number;
  /** Pooled = Σ_l layerWeights[l] · layer l. */
  readonly layerWeights: Float32Array;
  /** Layer-l user embeddings as of the last {@link CfModel.forward}. Do not mutate. */
  userLayer(l: number): Float32Array;
  /** Layer-l item embeddings as of the last {@link CfModel.forward}. Do not mutate. */
  itemLayer(l: number): Float32Array;
  /** Pooled user embeddings (what scoring uses) as of the last forward. Do not mutate. */
  pooledUsers(): Float32Array;
  /** Pooled item embeddings as of the last forward. Do not mutate. */
  pooledItems(): Float32Array;
}

/**
 * Negatives for a batch of B (user, positive) pairs, `k` per pair.
 * - `items`: real item indices, `items[b*k + j]`.
 * - `mixed`: synthetic negatives (MixGCF-style). Negative (b, j) at layer l is
 *   Σ_s weights[o+s] · e_{items[o+s], l} with o = ((b*k + j)*nLayers + l)*nSources, so gradients
 *   reach every source item (the positive included, for positive mixing). `picked[b*k+j]` names the
 *   real item the negative was mostly built from (for logging and for samplers' bookkeeping).
 */
export type NegativeBatch =
  | { readonly kind: 'items'; readonly k: number; readonly items: Int32Array }
  | {
      readonly kind: 'mixed';
      readonly k: number;
      readonly nLayers: number;
      readonly nSources: number;
      readonly items: Int32Array;
      readonly weights: Float32Array;
      readonly picked: Int32Array;
    };

export interface TrainBatch {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly negatives: NegativeBatch;
  /** Optional per-pair loss weight (default 1), e.g. to down-weight pseudo-positives. */
  readonly pairWeights?: Float32Array | undefined;
}

export interface StepStats {
  /** Mean BPR loss of the batch: mean over pairs and negatives of softplus(s_neg − s_pos). */
  readonly loss: number;
  /** The L2 term added to the loss (λ/2/B · Σ‖layer-0 rows of the batch‖²). */
  readonly reg: number;
}

/** Everything needed to resume a model exactly: parameters, optimizer moments, step counter. */
export interface ModelState {
  readonly model: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly step: number;
  readonly tensors: Readonly<Record<string, Float32Array>>;
}

export interface CfModel extends ModelView {
  readonly name: string;
  /** Recomputes layer and pooled embeddings from the parameters (a no-op for MF). */
  forward(): void;
  /**
   * One optimizer step on the batch. Uses the embeddings of the last forward(), so a sampler that
   * scored candidates with them sees exactly what the loss sees; call forward() again afterwards.
   */
  trainStep(batch: TrainBatch): StepStats;
  getState(): ModelState;
  setState(state: ModelState): void;
  /**
   * The learnable tensors that define the model's scores, by a stable name (fresh copies): what
   * early stopping keeps as the best weights and what export restores. Optimizer moments, the step
   * counter and auxiliary sampler-side weights (e.g. DENS gates) are not included; they live in
   * {@link CfModel.getState}.
   */
  parameters(): Readonly<Record<string, Float32Array>>;
  /**
   * Loads tensors as returned by {@link CfModel.parameters} (every name, same lengths; else a
   * `STATE_MISMATCH` DtlError), keeps the optimizer state and step, and re-propagates (the next
   * reads of layers and pooled embeddings see the new parameters).
   */
  setParameters(parameters: Readonly<Record<string, Float32Array>>): void;
  /**
   * Optional: from the next step on, every optimizer of the model uses `scale` × its configured
   * learning rate (a learning-rate schedule; 1 = as configured). Not part of the state: the caller
   * (the fit loop) sets it from the epoch number, so a resumed run sets the same value.
   */
  setLearningRateScale?(scale: number): void;
}
