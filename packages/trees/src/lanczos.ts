import { DtlError } from '@dtl/core';
import type { ProgressFn, Rng } from '@dtl/core';
import { jacobiEigen } from './internal/jacobi-eigen.ts';

/** A symmetric linear operator y = A·x on vectors of length n (y is overwritten). */
export type SymmetricOperator = (x: Float64Array, y: Float64Array) => void;

/** Options of {@link topEigenpairs}. */
export interface TopEigenOptions {
  /** Number of largest (algebraic) eigenpairs wanted. */
  readonly k: number;
  /** Lanczos basis size before a restart. Default `max(2k + 16, 40)`, capped at n. */
  readonly basis?: number;
  /** Convergence: every wanted Ritz pair has ‖Av − θv‖ ≤ tol (A of norm ≤ 1 assumed). Default 1e-7. */
  readonly tol?: number;
  /** Maximum restarts. Default 500. */
  readonly maxRestarts?: number;
  /**
   * Orthonormal vectors already known to be eigenvectors of A (e.g. the trivial vector of each
   * connected component): the iteration runs in their orthogonal complement.
   */
  readonly deflate?: readonly Float64Array[];
  /** Coordinates where the start vector is zero (e.g. isolated nodes whose rows of A are empty). */
  readonly zeroMask?: Uint8Array;
}

/** Result of {@link topEigenpairs}: eigenvalues descending, unit eigenvectors, true residuals ‖Av − θv‖. */
export interface TopEigenResult {
  readonly values: Float64Array;
  readonly vectors: Float64Array[];
  readonly residuals: Float64Array;
  readonly matvecs: number;
  readonly restarts: number;
  readonly converged: boolean;
}

/**
 * The k largest eigenpairs of a symmetric operator by thick-restart Lanczos with full
 * reorthogonalization (Wu & Simon, "Thick-restart Lanczos method for large symmetric eigenvalue
 * problems", SIAM J. Matrix Anal. Appl. 22(2), 2000; Stewart's Krylov–Schur restart is the same
* thing for symmetric A). Why this solver: the wanted eigenvalues of a recommendation co-occurrence
 * graph are clustered near 1, where plain subspace/power iteration converges at the ratio of
 * neighbouring eigenvalues; Lanczos converges at a rate governed by the gap relative to the whole
 * spectrum, and thick restarts keep memory at `basis` vectors. Full reorthogonalization (classical
 * Gram–Schmidt after the three-term recurrence, repeated when the DGKS test asks; "twice is enough",
 * Giraud et al. 2005) costs O(n·basis) per step,
 * which is cheap next to a 2M-nonzero matvec, and removes the ghost eigenvalues of plain Lanczos.
 *
 * Limitation: a single-vector Krylov method sees one copy of a repeated eigenvalue in exact
 * arithmetic; known multiplicities (components of a graph) must be passed in `deflate`.
 */
export function topEigenpairs(
  apply: SymmetricOperator,
  n: number,
  options: TopEigenOptions,
  rng: Rng,
  onProgress?: ProgressFn,
): TopEigenResult {
  const deflate = options.deflate ?? [];
  const space = n - deflate.length;
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k > space) {
    throw new DtlError('INVALID_ARGUMENT', `topEigenpairs: k = ${k} must be in 1..${space}`);
  }
  const m = Math.min(options.basis ?? Math.max(2 * k + 16, 40), space);
  if (m < Math.min(k + 2, space)) {
    throw new DtlError('INVALID_ARGUMENT', `topEigenpairs: basis ${m} must be at least k + 2 = ${k + 2}`);
  }
  const tol = options.tol ?? 1e-7;
  const maxRestarts = options.maxRestarts ?? 500;
  const V = new Float64Array((m + 1) * n);
  const H = new Float64Array(m * m);
  const w = new Float64Array(n);
  const coef = new Float64Array(m + 1);
  let matvecs = 0;

  const row = (j: number) => V.subarray(j * n, (j + 1) * n);
  /** One classical Gram–Schmidt pass against the deflation vectors and V[0..upto); adds coefficients to `coef`. */
  const gramSchmidt = (x: Float64Array, upto: number): void => {
    for (const d of deflate) {
      let s = 0;
      for (let t = 0; t < n; t++) s += d[t]! * x[t]!;
      for (let t = 0; t < n; t++) x[t]! -= s * d[t]!;
    }
    for (let i = 0; i < upto; i++) {
      const vi = i * n;
      let s = 0;
      for (let t = 0; t < n; t++) s += V[vi + t]! * x[t]!;
      coef[i]! += s;
      for (let t = 0; t < n; t++) x[t]! -= s * V[vi + t]!;
    }
  };
  const axpy = (a: number, j: number, x: Float64Array): void => {
    const vj = j * n;
    for (let t = 0; t < n; t++) x[t]! += a * V[vj + t]!;
  };
  const projectOut = (x: Float64Array, upto: number): void => {
    gramSchmidt(x, upto);
    gramSchmidt(x, upto);
  };
  const norm = (x: Float64Array): number => {
    let s = 0;
    for (let t = 0; t < n; t++) s += x[t]! * x[t]!;
    return Math.sqrt(s);
  };
  /** Fills V[j] with a random unit vector orthogonal to V[0..j) and the deflation vectors. */
  const randomStart = (j: number): void => {
    const x = row(j);
    for (let attempt = 0; attempt < 10; attempt++) {
      for (let t = 0; t < n; t++) x[t] = options.zeroMask?.[t] ? 0 : rng.normal();
      coef.fill(0);
      projectOut(x, j);
      const nx = norm(x);
      if (nx > 1e-8) {
        for (let t = 0; t < n; t++) x[t]! /= nx;
        return;
      }
    }
    throw new DtlError('INVALID_ARGUMENT', 'topEigenpairs: could not find a start vector outside the deflated space');
  };

  randomStart(0);
  let start = 0;
  let restarts = 0;
  let lastBeta = 0;
  let values: Float64Array = new Float64Array(0);
  let S: Float64Array = new Float64Array(0);
  let converged = false;
  for (;;) {
    for (let j = start; j < m; j++) {
      const vj = row(j);
      apply(vj, w);
      matvecs++;
      coef.fill(0);
      // The Lanczos recurrence first (α v_j, β v_{j−1}, or the arrow couplings right after a
      // restart), then one full Gram–Schmidt pass, and a second one only when the first removed
      // much (the DGKS criterion, Daniel et al. 1976): half the cost of always reorthogonalizing twice.
      let alpha = 0;
      for (let t = 0; t < n; t++) alpha += vj[t]! * w[t]!;
      axpy(-alpha, j, w);
      coef[j]! += alpha;
      if (j > start) {
        const b = H[(j - 1) * m + j]!;
        axpy(-b, j - 1, w);
        coef[j - 1]! += b;
      } else if (start > 0) {
        for (let i = 0; i < start; i++) {
          const b = H[i * m + start]!;
          axpy(-b, i, w);
          coef[i]! += b;
        }
      }
      const before = norm(w);
      gramSchmidt(w, j + 1);
      if (norm(w) < 0.7 * before) gramSchmidt(w, j + 1);
      for (let i = 0; i <= j; i++) {
        H[i * m + j] = coef[i]!;
        H[j * m + i] = coef[i]!;
      }
      let beta = norm(w);
      const next = row(j + 1);
      if (beta < 1e-10) {
        // Invariant subspace found: continue with a fresh direction (zero coupling).
        beta = 0;
        if (j + 1 < space) randomStart(j + 1);
        else next.fill(0);
      } else {
        for (let t = 0; t < n; t++) next[t] = w[t]! / beta;
      }
      if (j + 1 < m) {
        H[(j + 1) * m + j] = beta;
        H[j * m + j + 1] = beta;
      }
      lastBeta = beta;
    }
    const decomposition = jacobiEigen(H.slice(), m);
    values = decomposition.values;
    S = decomposition.vectors;
    let worst = 0;
    for (let i = 0; i < k; i++) worst = Math.max(worst, Math.abs(lastBeta * S[(m - 1) * m + i]!));
    onProgress?.({ stage: 'lanczos', done: restarts, total: maxRestarts, detail: `residual ${worst.toExponential(2)}` });
    if (worst <= tol || m >= space) {
      converged = worst <= tol;
      break;
    }
    if (restarts >= maxRestarts) break;
    restarts++;
    // Thick restart: keep the `keep` largest Ritz vectors and the residual direction.
    const keep = Math.min(m - 1, k + Math.floor((m - k) / 2));
    const kept = new Float64Array(keep * n);
    for (let i = 0; i < keep; i++) {
      const out = kept.subarray(i * n, (i + 1) * n);
      for (let j = 0; j < m; j++) {
        const s = S[j * m + i]!;
        if (s === 0) continue;
        const vj = j * n;
        for (let t = 0; t < n; t++) out[t]! += s * V[vj + t]!;
      }
    }
    V.copyWithin(keep * n, m * n, (m + 1) * n);
    V.set(kept, 0);
    H.fill(0);
    for (let i = 0; i < keep; i++) {
      H[i * m + i] = values[i]!;
      const b = lastBeta * S[(m - 1) * m + i]!;
      H[i * m + keep] = b;
      H[keep * m + i] = b;
    }
    start = keep;
  }

  // Ritz vectors and their true residuals.
  const vectors: Float64Array[] = [];
  const residuals = new Float64Array(k);
  const outValues = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const x = new Float64Array(n);
    for (let j = 0; j < m; j++) {
      const s = S[j * m + i]!;
      if (s === 0) continue;
      const vj = j * n;
      for (let t = 0; t < n; t++) x[t]! += s * V[vj + t]!;
    }
    const nx = norm(x);
    for (let t = 0; t < n; t++) x[t]! /= nx;
    // Deterministic sign: the entry of largest magnitude is positive.
    let big = 0;
    for (let t = 0; t < n; t++) if (Math.abs(x[t]!) > Math.abs(x[big]!)) big = t;
    if (x[big]! < 0) for (let t = 0; t < n; t++) x[t] = 0 - x[t]!; // 0 − x, not −x: no −0 entries
    apply(x, w);
    matvecs++;
    let theta = 0;
    for (let t = 0; t < n; t++) theta += x[t]! * w[t]!;
    let r = 0;
    for (let t = 0; t < n; t++) {
      const d = w[t]! - theta * x[t]!;
      r += d * d;
    }
    outValues[i] = theta;
    residuals[i] = Math.sqrt(r);
    vectors.push(x);
  }
  return { values: outValues, vectors, residuals, matvecs, restarts, converged };
}
