// Helpers shared by this package's *.test.ts files (never exported from the package).
import { createSamplerContractFixture } from '@dtl/core/testing';
import type { SamplerContractFixture } from '@dtl/core/testing';
import type { SampleRequest } from '@dtl/core';

/** Plain float64 dot product of rows a[i] and b[j] (a reference, deliberately not the kernel). */
export function rowDot(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let t = 0; t < dim; t++) s += a[i * dim + t]! * b[j * dim + t]!;
  return s;
}

/** A fixture plus a request holding every train pair `reps` times. */
export function setup(
  opts: { nUsers?: number; nItems?: number; dim?: number; nLayers?: number; seed?: number; reps?: number; k?: number; epoch?: number } = {},
): { f: SamplerContractFixture; req: SampleRequest } {
  const f = createSamplerContractFixture(opts);
  const users: number[] = [];
  const positives: number[] = [];
  for (let rep = 0; rep < (opts.reps ?? 3); rep++) {
    for (let u = 0; u < f.nUsers; u++) {
      for (let p = f.train.indptr[u]!; p < f.train.indptr[u + 1]!; p++) {
        users.push(u);
        positives.push(f.train.indices[p]!);
      }
    }
  }
  const req: SampleRequest = {
    users: Int32Array.from(users),
    positives: Int32Array.from(positives),
    k: opts.k ?? 2,
    exclude: f.exclude,
    model: f.model,
    epoch: opts.epoch ?? 0,
  };
  return { f, req };
}

/** Pearson chi-square statistic of observed counts against expected probabilities. */
export function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>, total: number): number {
  let x2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const e = probs[i]! * total;
    if (e === 0) {
      if (counts[i]! > 0) return Infinity;
      continue;
    }
    x2 += (counts[i]! - e) ** 2 / e;
  }
  return x2;
}

/** A generous acceptance bound for a chi-square with `df` degrees of freedom (≈ mean + 6 sd). */
export function chiSquareBound(df: number): number {
  return df + 6 * Math.sqrt(2 * df);
}
