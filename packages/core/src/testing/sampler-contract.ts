import { describe, expect, it } from 'vitest';
import { csrFromPairs, csrHas } from '../csr.ts';
import type { Csr } from '../csr.ts';
import { mixedBatchLength, mixedOffset } from '../negative-batch.ts';
import type { NegativeBatch } from '../model.ts';
import { createRng } from '../rng.ts';
import type { NegativeSampler, SampleRequest } from '../sampler.ts';
import { createFakeModelView } from './fake-model.ts';
import type { FakeModelView } from './fake-model.ts';

/**
 * What the contract hands to `makeSampler`: a synthetic model and interaction data, so samplers that
 * need side information (train degrees, codebooks sized `nItems`, gates sized `dim`) can build it.
 */
export interface SamplerContractFixture {
  readonly nUsers: number;
  readonly nItems: number;
  readonly dim: number;
  readonly nLayers: number;
  readonly model: FakeModelView;
  /** Observed positives. */
  readonly train: Csr;
  /** Train ∪ promoted pseudo-positives; user 1 excludes all items but two. */
  readonly exclude: Csr;
  /** Train degree of every item. */
  readonly itemDegrees: Int32Array;
}

/** Options of {@link describeNegativeSamplerContract}. */
export interface NegativeSamplerContractOptions {
  /** Default 40. */
  readonly nUsers?: number;
  /** Default 60. */
  readonly nItems?: number;
  /** Default 8. */
  readonly dim?: number;
  /** Model depths to test. Default `[1, 3]` (MF-like and LightGCN-like). */
  readonly layers?: readonly number[];
  /** Negatives per pair to test. Default `[1, 3]`. */
  readonly ks?: readonly number[];
  /** For `mixed` output: require non-negative weights summing to 1 per (pair, negative, layer). Default true. */
  readonly weightsSumToOne?: boolean;
  /** Seed of the fixture. Default 2022. */
  readonly seed?: number;
}

/** Builds the fixture the contract uses (exported so implementation tests can reuse it). */
export function createSamplerContractFixture(
  options: {
    nUsers?: number | undefined;
    nItems?: number | undefined;
    dim?: number | undefined;
    nLayers?: number | undefined;
    seed?: number | undefined;
  } = {},
): SamplerContractFixture {
  const nUsers = options.nUsers ?? 40;
  const nItems = options.nItems ?? 60;
  const dim = options.dim ?? 8;
  const nLayers = options.nLayers ?? 1;
  const rng = createRng(options.seed ?? 2022);
  const tr: number[][] = [[], []];
  const ex: number[][] = [[], []];
  for (let u = 0; u < nUsers; u++) {
    const nPos = 1 + rng.int(Math.min(8, nItems - 2));
    for (let t = 0; t < nPos; t++) {
      const i = rng.int(nItems);
      tr[0]!.push(u);
      tr[1]!.push(i);
    }
    const nExtra = rng.int(5);
    for (let t = 0; t < nExtra; t++) {
      ex[0]!.push(u);
      ex[1]!.push(rng.int(nItems));
    }
  }
  // User 1 excludes all items but two: samplers must still find them (complement fallback).
  if (nUsers > 1) {
    const keepA = rng.int(nItems);
    const keepB = (keepA + 1 + rng.int(nItems - 1)) % nItems;
    for (let i = 0; i < nItems; i++) {
      if (i === keepA || i === keepB) continue;
      ex[0]!.push(1);
      ex[1]!.push(i);
    }
  }
  const train = csrFromPairs(nUsers, nItems, tr[0]!, tr[1]!).csr;
  const exclude = csrFromPairs(nUsers, nItems, [...tr[0]!, ...ex[0]!], [...tr[1]!, ...ex[1]!]).csr;
  const itemDegrees = new Int32Array(nItems);
  for (let k = 0; k < train.indices.length; k++) itemDegrees[train.indices[k]!]!++;
  const model = createFakeModelView({ nUsers, nItems, dim, nLayers, rng: rng.fork('model') });
  return { nUsers, nItems, dim, nLayers, model, train, exclude, itemDegrees };
}

/** Every train pair twice (so dense users appear often), as a request. */
function requestOf(f: SamplerContractFixture, k: number, exclude: Csr = f.exclude): SampleRequest {
  const users: number[] = [];
  const positives: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    for (let u = 0; u < f.nUsers; u++) {
      for (let p = f.train.indptr[u]!; p < f.train.indptr[u + 1]!; p++) {
        users.push(u);
        positives.push(f.train.indices[p]!);
      }
    }
  }
  return {
    users: Int32Array.from(users),
    positives: Int32Array.from(positives),
    k,
    exclude,
    model: f.model,
    epoch: 3,
  };
}

function batchArrays(batch: NegativeBatch): Array<Int32Array | Float32Array> {
  return batch.kind === 'items' ? [batch.items] : [batch.items, batch.weights, batch.picked];
}

function expectThrowsCode(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a DtlError with code ${code}`).toBeInstanceOf(Error);
  expect((thrown as { code?: unknown }).code).toBe(code);
}

/**
 * The conformance suite every {@link NegativeSampler} runs, on synthetic data:
 * `describeNegativeSamplerContract('rns', () => createRnsSampler())`.
 * `makeSampler` is called once per test (sometimes twice), so return a fresh sampler each time.
 *
 * Checked: exactly `k` negatives per pair in a well-formed batch; no excluded item is ever returned
 * (for `mixed`: no source other than the pair's own positive is excluded, `picked` is a valid
 * negative, and each layer has a non-positive source with positive weight); same seed → identical
 * output (from fresh instances and from a reused one); `NO_VALID_NEGATIVE` when a user has no item
 * left; `INVALID_ARGUMENT` on malformed requests; the request and the model are not mutated; an
 * empty batch works.
 */
export function describeNegativeSamplerContract(
  name: string,
  makeSampler: (fixture: SamplerContractFixture) => NegativeSampler,
  options: NegativeSamplerContractOptions = {},
): void {
  const layers = options.layers ?? [1, 3];
  const ks = options.ks ?? [1, 3];
  const weightsSumToOne = options.weightsSumToOne ?? true;

  describe(`NegativeSampler contract: ${name}`, () => {
    for (const nLayers of layers) {
      const fixture = (): SamplerContractFixture =>
        createSamplerContractFixture({
          nUsers: options.nUsers,
          nItems: options.nItems,
          dim: options.dim,
          nLayers,
          seed: options.seed,
        });

      describe(`${nLayers} layer(s)`, () => {
        for (const k of ks) {
          it(`returns exactly k=${k} well-formed negatives per pair, none excluded`, () => {
            const f = fixture();
            const sampler = makeSampler(f);
            expect(typeof sampler.name).toBe('string');
            expect(sampler.name.length).toBeGreaterThan(0);
            const req = requestOf(f, k);
            const B = req.users.length;
            const batch = sampler.sample(req, createRng(11));
            expect(batch.kind).toBe(sampler.output);
            expect(batch.k).toBe(k);
            const isValidNegative = (b: number, item: number): boolean =>
              Number.isInteger(item) && item >= 0 && item < f.nItems && !csrHas(f.exclude, req.users[b]!, item);
            if (batch.kind === 'items') {
              expect(batch.items.length).toBe(B * k);
              for (let b = 0; b < B; b++) {
                for (let j = 0; j < k; j++) {
                  const item: number = batch.items[b * k + j]!;
                  if (!isValidNegative(b, item)) {
                    expect.fail(`pair ${b} (user ${req.users[b]}): negative ${item} is excluded or out of range`);
                  }
                }
              }
              return;
            }
            const S = batch.nSources;
            expect(batch.nLayers).toBe(f.nLayers);
            expect(Number.isInteger(S) && S >= 1).toBe(true);
            expect(batch.items.length).toBe(mixedBatchLength(B, k, f.nLayers, S));
            expect(batch.weights.length).toBe(batch.items.length);
            expect(batch.picked.length).toBe(B * k);
            for (let b = 0; b < B; b++) {
              const pos = req.positives[b]!;
              for (let j = 0; j < k; j++) {
                const picked: number = batch.picked[b * k + j]!;
                if (!isValidNegative(b, picked) || picked === pos) {
                  expect.fail(`pair ${b}: picked ${picked} is not a valid negative`);
                }
                for (let l = 0; l < f.nLayers; l++) {
                  const o = mixedOffset(b * k + j, l, f.nLayers, S);
                  let sum = 0;
                  let hasNegativeSource = false;
                  for (let s = 0; s < S; s++) {
                    const item: number = batch.items[o + s]!;
                    const w: number = batch.weights[o + s]!;
                    if (!Number.isFinite(w)) expect.fail(`pair ${b}, layer ${l}: weight ${w} is not finite`);
                    if (weightsSumToOne && w < 0) expect.fail(`pair ${b}, layer ${l}: negative weight ${w}`);
                    sum += w;
                    if (item === pos) continue;
                    if (!isValidNegative(b, item)) {
                      expect.fail(`pair ${b}, layer ${l}: source ${item} is excluded (and not the pair's positive)`);
                    }
                    if (w > 0) hasNegativeSource = true;
                  }
                  if (!hasNegativeSource) expect.fail(`pair ${b}, layer ${l}: no negative source with positive weight`);
                  if (weightsSumToOne && Math.abs(sum - 1) > 1e-5) {
                    expect.fail(`pair ${b}, layer ${l}: weights sum to ${sum}, not 1`);
                  }
                }
              }
            }
          });

          it(`same seed gives identical output (k=${k})`, () => {
            const f = fixture();
            const req = requestOf(f, k);
            const a = makeSampler(f).sample(req, createRng(5));
            const reused = makeSampler(f);
            reused.sample(requestOf(f, k), createRng(99));
            const b = reused.sample(req, createRng(5));
            const arraysA = batchArrays(a);
            const arraysB = batchArrays(b);
            expect(arraysB.length).toBe(arraysA.length);
            for (let t = 0; t < arraysA.length; t++) expect(Array.from(arraysB[t]!)).toEqual(Array.from(arraysA[t]!));
          });
        }

        it('throws NO_VALID_NEGATIVE when a user has every item excluded', () => {
          const f = fixture();
          const last = f.nUsers - 1;
          const rows: number[] = [];
          const cols: number[] = [];
          for (let u = 0; u < f.nUsers; u++) {
            for (let p = f.exclude.indptr[u]!; p < f.exclude.indptr[u + 1]!; p++) {
              if (u === last) continue;
              rows.push(u);
              cols.push(f.exclude.indices[p]!);
            }
          }
          for (let i = 0; i < f.nItems; i++) {
            rows.push(last);
            cols.push(i);
          }
          const full = csrFromPairs(f.nUsers, f.nItems, rows, cols).csr;
          const req: SampleRequest = {
            users: Int32Array.from([0, last]),
            positives: Int32Array.from([f.train.indices[f.train.indptr[0]!]!, 0]),
            k: 1,
            exclude: full,
            model: f.model,
            epoch: 0,
          };
          expectThrowsCode(() => makeSampler(f).sample(req, createRng(1)), 'NO_VALID_NEGATIVE');
        });

        it('rejects malformed requests with INVALID_ARGUMENT', () => {
          const f = fixture();
          const req = requestOf(f, 1);
          expectThrowsCode(
            () => makeSampler(f).sample({ ...req, positives: req.positives.subarray(1) }, createRng(1)),
            'INVALID_ARGUMENT',
          );
          expectThrowsCode(() => makeSampler(f).sample({ ...req, k: 0 }, createRng(1)), 'INVALID_ARGUMENT');
          const badUser = Int32Array.from(req.users);
          badUser[0] = f.nUsers;
          expectThrowsCode(() => makeSampler(f).sample({ ...req, users: badUser }, createRng(1)), 'INVALID_ARGUMENT');
        });

        it('does not mutate the request or the model', () => {
          const f = fixture();
          const req = requestOf(f, 2);
          const snapshot = (): number[][] => [
            Array.from(req.users),
            Array.from(req.positives),
            Array.from(f.exclude.indices),
            Array.from(f.exclude.indptr),
            ...f.model.users.map((a) => Array.from(a)),
            ...f.model.items.map((a) => Array.from(a)),
            Array.from(f.model.pooledUsers()),
            Array.from(f.model.pooledItems()),
          ];
          const before = snapshot();
          makeSampler(f).sample(req, createRng(3));
          expect(snapshot()).toEqual(before);
        });

        it('handles an empty batch', () => {
          const f = fixture();
          const req: SampleRequest = { ...requestOf(f, 2), users: new Int32Array(0), positives: new Int32Array(0) };
          const batch = makeSampler(f).sample(req, createRng(3));
          expect(batch.items.length).toBe(0);
          expect(batch.k).toBe(2);
        });
      });
    }
  });
}
