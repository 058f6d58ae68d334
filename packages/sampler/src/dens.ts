/**
 * DENS — disentangled negative sampling: R. Lai, L. Chen, Y. Zhao, R. Chen, Q. Han, "Disentangled
 * Negative Sampling for Collaborative Filtering", WSDM 2023. Gates split each embedding into a
 * relevant and an irrelevant factor; a candidate is hard when its factor *irrelevant* to the positive
 * still scores high. Follows the reference code (github.com/Riwei-HEU/DENS, `DENS/modules/LightGCN.py`,
 * `dise_negative_sampling`; defaults from `utils/parser.py`), per layer l, candidate j:
 *   g⁺ = σ(W_item e_{i⁺,l} + b_item + W_user e_{u,l} + b_user),  r⁺ = e_{i⁺,l} ⊙ g⁺
 *   g_j = σ(W_neg e_{j,l} + b_neg + W_pos r⁺ + b_pos)
 *   score_{j,l} = ⟨e_{u,l}, (1 − min(1, epoch/warmup))·e_{j,l} − e_{j,l} ⊙ g_j⟩
 * and the negative's layer l is the real e_{j*,l} of the per-layer argmax j* (hop-wise selection of
 * real items: `mixed` output with one source of weight 1 per layer).
 *
 * The gates are trained by the model, not here: the lead's model must own four dim×dim linear maps,
 * pass them to this sampler, and add the reference code's gating loss (γ = 0.3 there) to BPR — see
 * the package README ("DENS needs a model-side gate").
 */
import { DtlError } from '@dtl/core';
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { growFloat64, growInt32 } from './internal/buffers.ts';
import { checkCandidateSource, fillCandidates } from './internal/candidates.ts';
import { pickedItem } from './internal/mix.ts';
import { dot } from './internal/score.ts';
import { checkFinite, checkInteger, validateRequest } from './internal/validate.ts';

/** A linear map y = W x + b (PyTorch `nn.Linear` layout: `weight[out*dim + in]`). */
export interface DensLinear {
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

/** The four gates of DENS, all dim → dim. The model trains them; the sampler only reads them. */
export interface DensGates {
  readonly dim: number;
  readonly user: DensLinear;
  readonly item: DensLinear;
  readonly pos: DensLinear;
  readonly neg: DensLinear;
}

/**
 * Fresh gates initialized like PyTorch's `nn.Linear` (weights and biases ~ U(−1/√dim, 1/√dim)), for a
 * model that adds DENS gating (or for tests).
 */
export function createDensGates(dim: number, rng: Rng): DensGates {
  checkInteger('dens', 'dim', dim, 1);
  const bound = 1 / Math.sqrt(dim);
  const linear = (): DensLinear => {
    const weight = new Float32Array(dim * dim);
    const bias = new Float32Array(dim);
    for (let i = 0; i < weight.length; i++) weight[i] = (2 * rng.next() - 1) * bound;
    for (let i = 0; i < dim; i++) bias[i] = (2 * rng.next() - 1) * bound;
    return { weight, bias };
  };
  return { dim, user: linear(), item: linear(), pos: linear(), neg: linear() };
}

/** Options of {@link createDensSampler}. */
export interface DensSamplerOptions {
  /** The model's gates, or a getter called once per batch (for models that swap arrays). Required. */
  readonly gates: DensGates | (() => DensGates);
  /** Candidates N per negative. Default 6 (the reference code's `n_negs`). */
  readonly candidates?: number | undefined;
  /** Epochs over which the full-candidate term (1 − min(1, epoch/warmup))·e_j fades out. Default 100. */
  readonly warmup?: number | undefined;
  /** Where candidates come from (a sampler with `output: 'items'`). Default: uniform (RNS). */
  readonly candidateSampler?: NegativeSampler | undefined;
}

/** ⟨W[wo..wo+dim), x⟩ for a float64 vector x, four accumulators. */
function dotMixed(W: Float32Array, wo: number, x: Float64Array, dim: number, d4: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t < d4; t += 4) {
    s0 += W[wo + t]! * x[t]!;
    s1 += W[wo + t + 1]! * x[t + 1]!;
    s2 += W[wo + t + 2]! * x[t + 2]!;
    s3 += W[wo + t + 3]! * x[t + 3]!;
  }
  for (; t < dim; t++) s0 += W[wo + t]! * x[t]!;
  return s0 + s1 + (s2 + s3);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * DENS's sampler half. Cost per candidate and layer is one dim×dim mat-vec (the negative gate), so it
 * is the slowest sampler here (see the benchmark); `request.epoch` (0-based) drives the warmup.
 */
export function createDensSampler(options: DensSamplerOptions): NegativeSampler {
  const name = 'dens';
  if (options.gates === undefined) throw new DtlError('INVALID_ARGUMENT', `${name}: gates are required (see createDensGates)`);
  const getGates = typeof options.gates === 'function' ? options.gates : ((g: DensGates) => () => g)(options.gates);
  const N = checkInteger(name, 'candidates', options.candidates ?? 6, 1);
  const warmup = checkFinite(name, 'warmup', options.warmup ?? 100);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  let cand: Int32Array = new Int32Array(0);
  let chosen: Int32Array = new Int32Array(0);
  let alphas: Float64Array = new Float64Array(0);
  let gp: Float64Array = new Float64Array(0);
  let q: Float64Array = new Float64Array(0);

  return {
    name,
    output: 'mixed',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      validateRequest(name, request);
      const { users, positives, k, model, epoch } = request;
      const gates = getGates();
      const dim = model.dim;
      if (gates.dim !== dim) throw new DtlError('INVALID_ARGUMENT', `${name}: gates are ${gates.dim}-d, the model ${dim}-d`);
      const B = users.length;
      const L = model.nLayers;
      cand = growInt32(cand, B * k * N);
      chosen = growInt32(chosen, B * k * L);
      alphas = growFloat64(alphas, B * k * L);
      alphas.fill(0);
      gp = growFloat64(gp, dim);
      q = growFloat64(q, dim);
      fillCandidates(name, request, k * N, rng, cand, source);
      const d4 = dim - (dim % 4);
      const w = warmup > 0 ? 1 - Math.min(1, epoch / warmup) : 0;
      const Wu = gates.user.weight, bu = gates.user.bias;
      const Wi = gates.item.weight, bi = gates.item.bias;
      const Wp = gates.pos.weight, bp = gates.pos.bias;
      const Wn = gates.neg.weight, bn = gates.neg.bias;
      for (let l = 0; l < L; l++) {
        const U = model.userLayer(l);
        const I = model.itemLayer(l);
        for (let b = 0; b < B; b++) {
          const uo = users[b]! * dim;
          const po = positives[b]! * dim;
          // r⁺ = e_{i⁺} ⊙ σ(W_item e_{i⁺} + b_item + W_user e_u + b_user); then q = W_pos r⁺ + b_pos.
          for (let o = 0; o < dim; o++) {
            const ro = o * dim;
            const z = bi[o]! + bu[o]! + dot(Wi, ro, I, po, dim, d4) + dot(Wu, ro, U, uo, dim, d4);
            gp[o] = I[po + o]! * sigmoid(z);
          }
          for (let o = 0; o < dim; o++) q[o] = bp[o]! + dotMixed(Wp, o * dim, gp, dim, d4);
          for (let j = 0; j < k; j++) {
            const t = b * k + j;
            const base = t * N;
            let best = 0;
            let bestScore = -Infinity;
            for (let c = 0; c < N; c++) {
              const no = cand[base + c]! * dim;
              let s = 0;
              for (let o = 0; o < dim; o++) {
                const z = bn[o]! + q[o]! + dot(Wn, o * dim, I, no, dim, d4);
                s += U[uo + o]! * I[no + o]! * (w - sigmoid(z));
              }
              if (s > bestScore) {
                bestScore = s;
                best = c;
              }
            }
            chosen[t * L + l] = base + best;
          }
        }
      }
      const items = new Int32Array(B * k * L);
      const weights = new Float32Array(B * k * L).fill(1);
      for (let t = 0; t < B * k * L; t++) items[t] = cand[chosen[t]!]!;
      const picked = new Int32Array(B * k);
      for (let t = 0; t < B * k; t++) picked[t] = pickedItem(t, L, cand, chosen, alphas, model.layerWeights);
      return { kind: 'mixed', k, nLayers: L, nSources: 1, items, weights, picked };
    },
  };
}
