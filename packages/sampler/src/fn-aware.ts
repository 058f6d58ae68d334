/**
 * False-negative-aware terms of the DTL sampler's candidate score (issue 19). A hard sampler's hardest
 * candidates are its likeliest false negatives; the item trees say which candidates are "too close" to
 * what the user already chose. Two penalties, both on the *agreement* of the trees — the similarity of
 * two items in the tree where they are least alike, min_v sim_v(a, b) over the views with a codebook
 * (so a pair counts as close only when both trees put it close):
 * - **band**: a candidate whose agreement with the pair's positive is ≥ `band` loses `bandPenalty` (the
 *   top band of tree similarity: the likeliest false negatives); below the band the DTL views' α_co /
 *   α_se reward stays, so medium similarity is rewarded and the top band penalised;
 * - **history**: a candidate loses `historyPenalty` × max over the user's observed items h (the rows of
 *   the request's `exclude`, which hold the positive) of agreement(h, j).
 * The terms are added to the DTL bonus, i.e. to the min–max normalized preference score (in [0, 1]) plus
 * the α views (in [min(α, 0), max(α, 0)] each), so the default band penalty, 1 + |α_co| + |α_se|, puts a
 * top-band candidate below every candidate outside the band (with the history term off).
 */
import { DtlError } from '@dtl/core';
import type { Codebook, Csr } from '@dtl/core';
import { similarityFn } from './internal/packed-codes.ts';
import { checkFinite } from './internal/validate.ts';

/** Defaults of the false-negative-aware terms: off (no band unless `fnBand` is set, history weight 0). */
export const FN_AWARE_DEFAULTS = { historyPenalty: 0 } as const;

/** False-negative-aware options of the DTL sampler (all off by default). */
export interface FnAwareOptions {
  /**
   * Tree-agreement threshold in (0, 1] of the top band: candidates at least this similar to the positive
   * in every tree with codes are penalised by `bandPenalty`. Default: off.
   */
  readonly fnBand?: number | undefined;
  /**
   * Penalty of a candidate in the top band. Default: the range of the rest of the score, 1 + |α_co| +
   * |α_se| in the DTL sampler, so a top-band candidate is chosen only when every candidate is in the band.
   */
  readonly fnBandPenalty?: number | undefined;
  /** Weight β ≥ 0 of the penalty β · max_h agreement(h, j) over the user's observed items h. Default 0 (off). */
  readonly historyPenalty?: number | undefined;
}

/** The validated, compiled terms; `undefined` from {@link compileFnAware} when every term is off. */
export interface FnAwareTerms {
  /** Adds the penalties of the candidates `cand` (k·N per pair) to `bonus` in place. */
  apply(users: Int32Array, positives: Int32Array, perPair: number, cand: Int32Array, exclude: Csr, bonus: Float64Array): void;
}

/**
 * Validates the options and compiles the agreement function over the given codebooks. Throws
 * INVALID_ARGUMENT naming the option when a value is out of range or a term is on without codes.
 */
export function compileFnAware(
  name: string,
  options: FnAwareOptions,
  codebooks: readonly (Codebook | undefined)[],
  defaultBandPenalty = 1,
): FnAwareTerms | undefined {
  const band = options.fnBand;
  if (band !== undefined && !(Number.isFinite(band) && band > 0 && band <= 1)) {
    throw new DtlError('INVALID_ARGUMENT', `${name}: fnBand must be in (0, 1], got ${band}`);
  }
  const bandPenalty = checkFinite(name, 'fnBandPenalty', options.fnBandPenalty ?? defaultBandPenalty);
  if (bandPenalty < 0) throw new DtlError('INVALID_ARGUMENT', `${name}: fnBandPenalty must be ≥ 0, got ${bandPenalty}`);
  const beta = checkFinite(name, 'historyPenalty', options.historyPenalty ?? FN_AWARE_DEFAULTS.historyPenalty);
  if (beta < 0) throw new DtlError('INVALID_ARGUMENT', `${name}: historyPenalty must be ≥ 0, got ${beta}`);
  const useBand = band !== undefined && bandPenalty > 0;
  const useHistory = beta > 0;
  if (!useBand && !useHistory) return undefined;
  const sims = codebooks.filter((cb): cb is Codebook => cb !== undefined).map(similarityFn);
  if (sims.length === 0) {
    throw new DtlError('INVALID_ARGUMENT', `${name}: ${useBand ? 'fnBand' : 'historyPenalty'} needs item codes (a co or se codebook)`);
  }
  const s0 = sims[0]!;
  const s1 = sims[1];
  const agreement = s1 === undefined ? s0 : (a: number, b: number): number => Math.min(s0(a, b), s1(a, b));
  return {
    apply(users, positives, perPair, cand, exclude, bonus) {
      const B = users.length;
      for (let b = 0; b < B; b++) {
        const pos = positives[b]!;
        const u = users[b]!;
        const h0 = exclude.indptr[u]!;
        const h1 = exclude.indptr[u + 1]!;
        for (let c = b * perPair; c < (b + 1) * perPair; c++) {
          const j = cand[c]!;
          let s = bonus[c]!;
          if (useBand && agreement(pos, j) >= band!) s -= bandPenalty;
          if (useHistory) {
            let m = 0;
            for (let h = h0; h < h1 && m < 1; h++) {
              const a = agreement(exclude.indices[h]!, j);
              if (a > m) m = a;
            }
            s -= beta * m;
          }
          bonus[c] = s;
        }
      }
    },
  };
}
