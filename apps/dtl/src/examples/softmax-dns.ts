/**
 * Softmax DNS — dynamic negative sampling with a temperature: of M uniform candidates per negative,
 * candidate j is drawn with probability ∝ exp(⟨u, j⟩ / τ). τ → 0 is DNS (W. Zhang, T. Chen, J. Wang,
 * Y. Yu, "Optimizing Top-N Collaborative Filtering via Dynamic Negative Item Sampling", SIGIR 2013);
 * τ → ∞ is RNS. The worked example of docs/ADDING_A_SAMPLER.md, written with the public API only.
 */
import { DtlError } from '@dtl/core';
import type { NegativeBatch, NegativeSampler, Rng, SampleRequest } from '@dtl/core';
import { createRnsSampler } from '@dtl/sampler';

/** Defaults of {@link createSoftmaxDnsSampler}. */
export const SOFTMAX_DNS_SAMPLER_DEFAULTS = { candidates: 10, temperature: 0.1 } as const;

export interface SoftmaxDnsSamplerOptions {
  /** Candidates M per negative. Default 10. */
  readonly candidates?: number | undefined;
  /** Temperature τ > 0 of the softmax over the candidates' scores. Default 0.1. */
  readonly temperature?: number | undefined;
}

export function createSoftmaxDnsSampler(options: SoftmaxDnsSamplerOptions = {}): NegativeSampler {
  const name = 'softmax-dns';
  const M = options.candidates ?? SOFTMAX_DNS_SAMPLER_DEFAULTS.candidates;
  const tau = options.temperature ?? SOFTMAX_DNS_SAMPLER_DEFAULTS.temperature;
  if (!Number.isInteger(M) || M < 1) throw new DtlError('INVALID_ARGUMENT', `${name}: candidates must be an integer ≥ 1, got ${M}`);
  if (!(Number.isFinite(tau) && tau > 0)) throw new DtlError('INVALID_ARGUMENT', `${name}: temperature must be > 0, got ${tau}`);
  // The uniform sampler draws the candidates: it validates the request and never returns an excluded item.
  const uniform = createRnsSampler();
  return {
    name,
    output: 'items',
    sample(request: SampleRequest, rng: Rng): NegativeBatch {
      const { users, k, model } = request;
      if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `${name}: k must be a positive integer, got ${k}`);
      const drawn = uniform.sample({ ...request, k: k * M }, rng);
      if (drawn.kind !== 'items') throw new DtlError('STATE_MISMATCH', `${name}: the candidate sampler returned ${drawn.kind} negatives`);
      const cand = drawn.items;
      const U = model.pooledUsers();
      const V = model.pooledItems();
      const d = model.dim;
      const items = new Int32Array(users.length * k);
      const w = new Float64Array(M);
      for (let t = 0; t < users.length * k; t++) {
        const u = users[Math.floor(t / k)]!;
        let max = -Infinity;
        for (let c = 0; c < M; c++) {
          const j = cand[t * M + c]!;
          let s = 0;
          for (let x = 0; x < d; x++) s += U[u * d + x]! * V[j * d + x]!;
          w[c] = s / tau;
          if (w[c]! > max) max = w[c]!;
        }
        let total = 0;
        for (let c = 0; c < M; c++) total += w[c] = Math.exp(w[c]! - max);
        let r = rng.next() * total;
        let pick = M - 1;
        for (let c = 0; c < M; c++) {
          r -= w[c]!;
          if (r < 0) {
            pick = c;
            break;
          }
        }
        items[t] = cand[t * M + pick]!;
      }
      return { kind: 'items', k, items };
    },
  };
}
