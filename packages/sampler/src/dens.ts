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
 * The gates are trained by the model, not here: `@dtl/models` models built with the `dens` option own
 * them, add the reference code's gating loss (γ = 0.3 there) to BPR and expose them as `densGates`,
 * which is what this sampler reads — see the package README ("DENS needs a model-side gate").
 */
import { DtlError, allocateMixedBatch, sigmoidDirect } from '@dtl/core';
import type { DensGates, DensLinear, NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { growFloat64, growInt32 } from './internal/buffers.ts';
import { checkCandidateSource, fillCandidates } from './internal/candidates.ts';
import { pickedItem } from './internal/mix.ts';
import { createDenseMatmul, densGatedScores } from '@dtl/kernels';
import type { DenseMatmul } from '@dtl/kernels';
import { checkFinite, checkInteger, validateRequest } from './internal/validate.ts';

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

/** Defaults of {@link createDensSampler} (the reference code's `n_negs` 6, warmup 100). */
export const DENS_SAMPLER_DEFAULTS = { candidates: 6, warmup: 100 } as const;

/**
 * DENS's sampler half. Cost per candidate and layer is one dim×dim mat-vec (the negative gate), so it
 * is the slowest sampler here (see the benchmark); `request.epoch` (0-based) drives the warmup.
 */
export function createDensSampler(options: DensSamplerOptions): NegativeSampler {
  const name = 'dens';
  if (options.gates === undefined) throw new DtlError('INVALID_ARGUMENT', `${name}: gates are required (see createDensGates)`);
  const getGates = typeof options.gates === 'function' ? options.gates : ((g: DensGates) => () => g)(options.gates);
  const N = checkInteger(name, 'candidates', options.candidates ?? DENS_SAMPLER_DEFAULTS.candidates, 1);
  const warmup = checkFinite(name, 'warmup', options.warmup ?? DENS_SAMPLER_DEFAULTS.warmup);
  const source = options.candidateSampler;
  checkCandidateSource(name, source);
  let cand: Int32Array = new Int32Array(0);
  let chosen: Int32Array = new Int32Array(0);
  let alphas: Float64Array = new Float64Array(0);
  let scores: Float64Array = new Float64Array(0);
  // Dense gate products on the WebAssembly SIMD matmul of @dtl/kernels; buffers grown on demand.
  let mm: DenseMatmul | undefined;
  let cap = 0;
  let eu: Float32Array = new Float32Array(0);
  let ep: Float32Array = new Float32Array(0);
  let gp: Float32Array = new Float32Array(0);
  let q: Float32Array = new Float32Array(0);
  let ec: Float32Array = new Float32Array(0);
  let zc: Float32Array = new Float32Array(0);

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
      fillCandidates(name, request, k * N, rng, cand, source);
      const w = warmup > 0 ? 1 - Math.min(1, epoch / warmup) : 0;
      mm ??= createDenseMatmul();
      const nP = B * L;
      const nC = B * k * N * L;
      if (nC * dim > cap) {
        cap = nC * dim;
        eu = mm.buffer(nP * dim);
        ep = mm.buffer(nP * dim);
        gp = mm.buffer(nP * dim);
        q = mm.buffer(nP * dim);
        ec = mm.buffer(nC * dim);
        zc = mm.buffer(nC * dim);
      }
      // Gather layer embeddings: users/positives at (b, l), candidates at ((b·k + j)·N + c, l).
      for (let l = 0; l < L; l++) {
        const U = model.userLayer(l);
        const I = model.itemLayer(l);
        // Plain index loops: a subarray per row costs more than copying its 64 floats.
        for (let b = 0; b < B; b++) {
          const uo = users[b]! * dim;
          const po = positives[b]! * dim;
          const o = (b * L + l) * dim;
          for (let d = 0; d < dim; d++) {
            eu[o + d] = U[uo + d]!;
            ep[o + d] = I[po + d]!;
          }
        }
        for (let t = 0; t < B * k * N; t++) {
          const no = cand[t]! * dim;
          const o = (t * L + l) * dim;
          for (let d = 0; d < dim; d++) ec[o + d] = I[no + d]!;
        }
      }
      // r⁺ = e_{i⁺} ⊙ σ(W_item e_{i⁺} + b_item + W_user e_u + b_user); q = W_pos r⁺ + b_pos.
      mm.linear(ep, gates.item.weight, gates.item.bias, gp, nP, dim, dim);
      mm.linear(eu, gates.user.weight, gates.user.bias, gp, nP, dim, dim, true);
      for (let t = 0; t < nP * dim; t++) gp[t] = ep[t]! * sigmoidDirect(gp[t]!);
      mm.linear(gp, gates.pos.weight, gates.pos.bias, q, nP, dim, dim);
      // Candidates: W_neg e_j + b_neg (+ q below).
      mm.linear(ec, gates.neg.weight, gates.neg.bias, zc, nC, dim, dim);
      // Gated scores of every (slot, layer, candidate): WebAssembly SIMD with an expf approximation
      // when the buffers are in the matmul's arena (picks can differ from the float64 JS loop where
      // two scores are within ~1e-6), else the float64 JS loop.
      scores = growFloat64(scores, B * k * L * N);
      densGatedScores(eu, ec, zc, q, B * k, k, N, L, dim, w, scores);
      for (let t = 0; t < B * k; t++) {
        for (let l = 0; l < L; l++) {
          const so = (t * L + l) * N;
          let best = 0;
          let bestScore = -Infinity;
          for (let c = 0; c < N; c++) {
            const s = scores[so + c]!;
            if (s > bestScore) {
              bestScore = s;
              best = c;
            }
          }
          chosen[t * L + l] = t * N + best;
        }
      }
      // One source per (slot, layer): mixedOffset(t, l, L, 1) = t*L + l, the index of `chosen`.
      const batch = allocateMixedBatch(B, k, L, 1);
      const { items, weights, picked } = batch;
      weights.fill(1);
      for (let t = 0; t < B * k * L; t++) items[t] = cand[chosen[t]!]!;
      for (let t = 0; t < B * k; t++) picked[t] = pickedItem(t, L, cand, chosen, alphas, model.layerWeights);
      return batch;
    },
  };
}
