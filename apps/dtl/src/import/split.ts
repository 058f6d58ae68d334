import { DtlError, createRng } from '@dtl/core';

/** How `dtl data import` divides interactions into train / valid / test. */
export const SPLIT_KINDS = ['random', 'temporal', 'leave-last'] as const;
export type SplitKind = (typeof SPLIT_KINDS)[number];

/** Deduplicated interactions with provisional dense ids, grouped by user (ascending), each user's rows by (time, file row). */
export interface Interactions {
  readonly nUsers: number;
  readonly nItems: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Seconds (or any increasing number); required by `temporal` and `leave-last`. */
  readonly times?: Float64Array | undefined;
}

export interface SplitOptions {
  readonly kind: SplitKind;
  /** Fraction for validation (`random`, `temporal`); 0 = no valid split. `leave-last`: > 0 means one valid item per user. */
  readonly valid: number;
  /** Fraction for test (`random`, `temporal`). */
  readonly test: number;
  readonly seed: number;
}

export const TRAIN = 0;
export const VALID = 1;
export const TEST = 2;

/** One split label per interaction ({@link TRAIN}, {@link VALID}, {@link TEST}) plus the cut times of `temporal`. */
export interface SplitAssignment {
  readonly labels: Uint8Array;
  readonly temporalCuts?: { readonly valid: number | undefined; readonly test: number } | undefined;
}

/**
 * Labels every interaction. `random`: per user, a seeded shuffle (one xoshiro stream from `seed`,
 * users in ascending order) puts round(n·test) items in test and round(n·valid) in valid, always
 * leaving ≥ 1 in train (valid shrinks first). `temporal`: a global time cut — interactions at or after
 * the time at quantile 1 − test are test, those at or after quantile 1 − test − valid (and before the
 * test cut) valid; equal times never straddle a cut. `leave-last`: each user's last interaction (by
 * time, then file order) is test and the one before it valid; users with fewer than 3 (2 without
 * valid) interactions stay wholly in train.
 */
export function assignSplits(data: Interactions, options: SplitOptions): SplitAssignment {
  const n = data.users.length;
  const labels = new Uint8Array(n);
  const { valid, test } = options;
  if (options.kind === 'random') {
    const rng = createRng(options.seed);
    const order: number[] = [];
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && data.users[end] === data.users[start]) end++;
      const m = end - start;
      let nTest = Math.round(m * test);
      let nValid = Math.round(m * valid);
      while (nTest + nValid > m - 1 && nValid > 0) nValid--;
      while (nTest + nValid > m - 1 && nTest > 0) nTest--;
      if (nTest + nValid > 0) {
        order.length = 0;
        for (let k = start; k < end; k++) order.push(k);
        // Partial Fisher–Yates: the first nTest + nValid positions are a uniform sample.
        for (let k = 0; k < nTest + nValid; k++) {
          const j = k + rng.int(m - k);
          const tmp = order[k]!;
          order[k] = order[j]!;
          order[j] = tmp;
        }
        for (let k = 0; k < nTest; k++) labels[order[k]!] = TEST;
        for (let k = nTest; k < nTest + nValid; k++) labels[order[k]!] = VALID;
      }
      start = end;
    }
    return { labels };
  }
  const times = data.times;
  if (!times) throw new DtlError('INVALID_ARGUMENT', `--split ${options.kind} needs --time COL`);
  if (options.kind === 'temporal') {
    const sorted = Float64Array.from(times).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.floor(n * q)))]!;
    const testCut = at(1 - test);
    const validCut = valid > 0 ? at(1 - test - valid) : undefined;
    for (let k = 0; k < n; k++) {
      const t = times[k]!;
      labels[k] = t >= testCut ? TEST : validCut !== undefined && t >= validCut ? VALID : TRAIN;
    }
    return { labels, temporalCuts: { valid: validCut, test: testCut } };
  }
  // leave-last: rows arrive grouped by user and sorted by (time, file row).
  const needed = valid > 0 ? 3 : 2;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && data.users[end] === data.users[start]) end++;
    if (end - start >= needed) {
      labels[end - 1] = TEST;
      if (valid > 0) labels[end - 2] = VALID;
    }
    start = end;
  }
  return { labels };
}

/** Cold interactions removed from one held-out split. */
export interface ColdDrop {
  /** Distinct users / items of the split with no train interaction. */
  readonly users: number;
  readonly items: number;
  /** Interactions removed. */
  readonly interactions: number;
}

/** The final dataset: dense ids over users and items that have train interactions. */
export interface FinalSplits {
  readonly nUsers: number;
  readonly nItems: number;
  /** Provisional id of each final user / item (ascending, so the original order is kept). */
  readonly userOrigin: Int32Array;
  readonly itemOrigin: Int32Array;
  readonly pairs: Record<'train' | 'valid' | 'test', { users: Int32Array; items: Int32Array }>;
  readonly cold: { readonly valid: ColdDrop; readonly test: ColdDrop };
  /** Users / items that lost every interaction (all of them were cold in valid/test). */
  readonly droppedUsers: number;
  readonly droppedItems: number;
}

/**
 * Drops valid/test interactions whose user or item has no train interaction (policy `drop`: they
 * could never be ranked from what the model learns), then re-indexes users and items densely over
 * those left, keeping their order.
 */
export function finalizeSplits(data: Interactions, labels: Uint8Array): FinalSplits {
  const n = labels.length;
  const userInTrain = new Uint8Array(data.nUsers);
  const itemInTrain = new Uint8Array(data.nItems);
  for (let k = 0; k < n; k++) {
    if (labels[k] === TRAIN) {
      userInTrain[data.users[k]!] = 1;
      itemInTrain[data.items[k]!] = 1;
    }
  }
  const coldOf = (label: number): ColdDrop => {
    const users = new Set<number>();
    const items = new Set<number>();
    let interactions = 0;
    for (let k = 0; k < n; k++) {
      if (labels[k] !== label) continue;
      const u = data.users[k]!;
      const i = data.items[k]!;
      const coldUser = !userInTrain[u];
      const coldItem = !itemInTrain[i];
      if (coldUser) users.add(u);
      if (coldItem) items.add(i);
      if (coldUser || coldItem) interactions++;
    }
    return { users: users.size, items: items.size, interactions };
  };
  const cold = { valid: coldOf(VALID), test: coldOf(TEST) };
  const remap = (inTrain: Uint8Array) => {
    const map = new Int32Array(inTrain.length).fill(-1);
    const origin: number[] = [];
    for (let x = 0; x < inTrain.length; x++) if (inTrain[x]) map[x] = origin.push(x) - 1;
    return { map, origin: Int32Array.from(origin) };
  };
  const um = remap(userInTrain);
  const im = remap(itemInTrain);
  const counts = [0, 0, 0];
  for (let k = 0; k < n; k++) if (um.map[data.users[k]!]! >= 0 && im.map[data.items[k]!]! >= 0) counts[labels[k]!]!++;
  const make = (c: number) => ({ users: new Int32Array(c), items: new Int32Array(c) });
  const out = [make(counts[0]!), make(counts[1]!), make(counts[2]!)];
  const fill = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const u = um.map[data.users[k]!]!;
    const i = im.map[data.items[k]!]!;
    if (u < 0 || i < 0) continue;
    const s = labels[k]!;
    out[s]!.users[fill[s]!] = u;
    out[s]!.items[fill[s]!++] = i;
  }
  return {
    nUsers: um.origin.length,
    nItems: im.origin.length,
    userOrigin: um.origin,
    itemOrigin: im.origin,
    pairs: { train: out[0]!, valid: out[1]!, test: out[2]! },
    cold,
    droppedUsers: data.nUsers - um.origin.length,
    droppedItems: data.nItems - im.origin.length,
  };
}
