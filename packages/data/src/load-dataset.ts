import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DtlError, csrFromPairs, csrHas } from '@dtl/core';
import type { Csr, InteractionData, ProgressFn } from '@dtl/core';
import { carveValidation } from './carve-validation.ts';
import { checkIdDensity } from './id-density.ts';
import { readLightGcnFile } from './lightgcn-reader.ts';
import type { PairList } from './pair-list.ts';
import { coldCounts, filterCsr, intersectionCount, rowDegrees } from './internal/csr-ops.ts';
import type { ColdCounts } from './internal/csr-ops.ts';
import { readTextFile } from './internal/io.ts';
import { printable } from './printable.ts';

export type { ColdCounts } from './internal/csr-ops.ts';

/** What to do with (user, item) pairs that occur in more than one split. */
export type OverlapPolicy = 'error' | 'drop-from-eval' | 'keep';
/** What to do with valid/test interactions of users or items that have no train interaction. */
export type ColdPolicy = 'keep' | 'drop';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions {
  /** Dataset name. Default: `stats.json`'s `name`, else the folder's base name. */
  readonly name?: string | undefined;
  /**
   * Split overlap policy. Default `'drop-from-eval'`: train∩valid pairs leave valid, train∩test
   * pairs leave test, then valid∩test pairs leave valid (test is never shrunk for valid's sake).
   * `'error'` throws INVALID_DATA at the first overlapping pair's `file:line`; `'keep'` only counts.
   */
  readonly overlap?: OverlapPolicy | undefined;
  /**
   * Cold policy. Default `'keep'`; `'drop'` removes valid/test interactions whose user or item has
   * no train interaction. Cold users/items are counted either way.
   */
  readonly cold?: ColdPolicy | undefined;
  /**
   * Carve a validation split from train with {@link carveValidation} when the folder has no
   * `valid.txt` (or always, with `force: true`, replacing the file's valid split). Default: no carve.
   */
  readonly carveValid?:
    | { readonly fraction?: number; readonly seed: number; readonly minTrainPerUser?: number; readonly force?: boolean }
    | undefined;
  /** Read `n_users`/`n_items` from `stats.json` when present. Default true. */
  readonly useStatsJson?: boolean | undefined;
  /** Progress per file read (`stage: 'load'`). */
  readonly onProgress?: ProgressFn | undefined;
}

/** Per-split counts in a {@link LoadReport}. */
export interface SplitReport {
  /** The file read, or `'carved from train'`. */
  readonly source: string;
  /** Non-blank lines read (0 when carved). */
  readonly lines: number;
  /** Pairs read, duplicates included. */
  readonly pairsRead: number;
  /** Repeated (user, item) pairs within this split, dropped. */
  readonly duplicates: number;
  /** Unique pairs after the overlap and cold policies (what the returned CSR holds). */
  readonly interactions: number;
  /** Users with ≥1 interaction in the final split. */
  readonly users: number;
}

/** Everything {@link loadDataset} found and did. */
export interface LoadReport {
  readonly dir: string;
  readonly name: string;
  readonly nUsers: number;
  readonly nItems: number;
  /** Where the sizes came from: `stats.json`'s n_users/n_items, or the largest id + 1 over all splits. */
  readonly sizeSource: { readonly users: 'stats.json' | 'max-id'; readonly items: 'stats.json' | 'max-id' };
  readonly splits: { readonly train: SplitReport; readonly valid?: SplitReport; readonly test?: SplitReport };
  /** Where valid came from. */
  readonly validSource: 'file' | 'carved' | 'none';
  /** The carve parameters and result, when carved. */
  readonly carve?: { readonly fraction: number; readonly seed: number; readonly minTrainPerUser: number; readonly moved: number };
  /** Overlapping pairs as found (before the policy; valid is the carved one when carved). */
  readonly overlaps: { readonly trainValid: number; readonly trainTest: number; readonly validTest: number };
  readonly overlapPolicy: OverlapPolicy;
  /** Pairs the overlap policy removed from each eval split. */
  readonly overlapDropped: { readonly valid: number; readonly test: number };
  /** Cold users/items per eval split (after the overlap policy, before the cold policy). */
  readonly cold: { readonly valid?: ColdCounts; readonly test?: ColdCounts };
  readonly coldPolicy: ColdPolicy;
  /** Interactions the cold policy removed from each eval split. */
  readonly coldDropped: { readonly valid: number; readonly test: number };
  /** Human-readable notes (e.g. an empty eval file, a forced carve replacing valid.txt). */
  readonly warnings: readonly string[];
}

interface DeclaredSizes {
  name?: string;
  nUsers?: number;
  nItems?: number;
}

function readDeclaredSizes(path: string): DeclaredSizes {
  let parsed: unknown;
  try {
    // A byte-order mark is accepted here as in every other reader.
    parsed = JSON.parse(readTextFile(path).replace(/^\uFEFF/, ''));
  } catch (error) {
    if (error instanceof DtlError) throw error;
    throw new DtlError('INVALID_DATA', `not valid JSON (${printable((error as Error).message, { max: 200 })})`, { location: { file: path }, cause: error });
  }
  const out: DeclaredSizes = {};
  if (parsed === null || typeof parsed !== 'object') {
    throw new DtlError('INVALID_DATA', 'expected a JSON object', { location: { file: path } });
  }
  const declaredName = (parsed as Record<string, unknown>)['name'];
  if (typeof declaredName === 'string' && declaredName !== '') out.name = declaredName;
  for (const [key, field] of [['n_users', 'nUsers'], ['n_items', 'nItems']] as const) {
    const value = (parsed as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new DtlError('INVALID_DATA', `${key} must be a non-negative integer, got ${JSON.stringify(value)}`, {
        location: { file: path },
      });
    }
    out[field] = value;
  }
  return out;
}

/** First pair of `pairs` that is also in `other`, as a file:line error. */
function overlapError(pairs: PairList | undefined, other: Csr, otherName: string, fallbackFile: string): DtlError {
  if (pairs) {
    for (let k = 0; k < pairs.users.length; k++) {
      const u = pairs.users[k]!;
      const i = pairs.items[k]!;
      if (csrHas(other, u, i)) {
        return new DtlError('INVALID_DATA', `pair (user ${u}, item ${i}) is also in ${otherName} (overlap policy 'error')`, {
          location: { file: pairs.file, line: pairs.lines[k]! },
        });
      }
    }
  }
  return new DtlError('INVALID_DATA', `split overlaps ${otherName} (overlap policy 'error')`, { location: { file: fallbackFile } });
}

function usersWithItems(csr: Csr): number {
  let n = 0;
  const deg = rowDegrees(csr);
  for (let u = 0; u < deg.length; u++) if (deg[u]! > 0) n++;
  return n;
}

/**
 * Loads a LightGCN-layout folder: `train.txt`, optional `valid.txt` and `test.txt`, optional
 * `stats.json`. Sizes: `n_users`/`n_items` from `stats.json` when declared (then an id beyond is
 * INVALID_DATA at `file:line`), else the largest id + 1 over all splits. Each split becomes a
 * row-sorted duplicate-free CSR (`csrFromPairs`); duplicates are counted per split. Then, in order:
 * the optional validation carve, overlap detection + policy, cold detection + policy. Ids must be
 * dense: a range far wider than the distinct ids is INVALID_DATA before any allocation (the rule and
 * its defaults: `ID_DENSITY_DEFAULTS` in id-density.ts). A byte-order mark at the start of a file is accepted.
 * Everything is counted in the returned {@link LoadReport}. A missing `train.txt` is NOT_FOUND.
 *
 * @example
 * const { data, report } = loadDataset('/data/amazon-toys-dens', { carveValid: { seed: 2022 } });
 */
export function loadDataset(dir: string, options: LoadDatasetOptions = {}): { data: InteractionData; report: LoadReport } {
  const root = resolve(dir);
  const overlapPolicy = options.overlap ?? 'drop-from-eval';
  const coldPolicy = options.cold ?? 'keep';
  if (!['error', 'drop-from-eval', 'keep'].includes(overlapPolicy)) {
    throw new DtlError('INVALID_ARGUMENT', `loadDataset: unknown overlap policy "${overlapPolicy}"`);
  }
  if (!['keep', 'drop'].includes(coldPolicy)) {
    throw new DtlError('INVALID_ARGUMENT', `loadDataset: unknown cold policy "${coldPolicy}"`);
  }
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
    throw new DtlError('NOT_FOUND', 'not a dataset folder (expected a directory with train.txt)', { location: { file: root } });
  }
  const warnings: string[] = [];
  const statsPath = join(root, 'stats.json');
  const declared = (options.useStatsJson ?? true) && existsSync(statsPath) ? readDeclaredSizes(statsPath) : {};
  const name = options.name ?? declared.name ?? basename(root);
  const range = { nUsers: declared.nUsers, nItems: declared.nItems, rangeSource: statsPath };

  const trainPath = join(root, 'train.txt');
  const validPath = join(root, 'valid.txt');
  const testPath = join(root, 'test.txt');
  const hasValid = existsSync(validPath);
  const hasTest = existsSync(testPath);
  const total = 1 + (hasValid ? 1 : 0) + (hasTest ? 1 : 0);
  let done = 0;
  const read = (path: string, allowEmpty: boolean): PairList => {
    const pairs = readLightGcnFile(path, { ...range, allowEmpty });
    options.onProgress?.({ stage: 'load', done: ++done, total, detail: basename(path) });
    if (pairs.lineCount === 0) warnings.push(`${path} is empty`);
    return pairs;
  };
  const trainPairs = read(trainPath, false);
  const validPairs = hasValid ? read(validPath, true) : undefined;
  const testPairs = hasTest ? read(testPath, true) : undefined;

  const all = [trainPairs, validPairs, testPairs].filter((p): p is PairList => p !== undefined);
  const nUsers = declared.nUsers ?? Math.max(...all.map((p) => p.maxUser)) + 1;
  const nItems = declared.nItems ?? Math.max(...all.map((p) => p.maxItem)) + 1;
  // Before anything is sized by the id range (issue 16: one id near 2·10⁹ drove memory past 15 GB).
  checkIdDensity(all, 'user', nUsers, { declaredIn: declared.nUsers !== undefined ? statsPath : undefined });
  checkIdDensity(all, 'item', nItems, { declaredIn: declared.nItems !== undefined ? statsPath : undefined });

  const build = (p: PairList) => csrFromPairs(nUsers, nItems, p.users, p.items);
  const trainBuilt = build(trainPairs);
  let train = trainBuilt.csr;
  const validBuilt = validPairs ? build(validPairs) : undefined;
  const testBuilt = testPairs ? build(testPairs) : undefined;
  let valid = validBuilt?.csr;
  let test = testBuilt?.csr;

  // 1. Carve.
  let validSource: LoadReport['validSource'] = hasValid ? 'file' : 'none';
  let carve: LoadReport['carve'];
  const carveOpt = options.carveValid;
  if (carveOpt && (!hasValid || carveOpt.force)) {
    if (hasValid) warnings.push(`carveValid.force: ${validPath} ignored, valid carved from train`);
    const fraction = carveOpt.fraction ?? 0.1;
    const minTrainPerUser = carveOpt.minTrainPerUser ?? 1;
    const carved = carveValidation(train, { fraction, seed: carveOpt.seed, minTrainPerUser });
    train = carved.train;
    valid = carved.valid;
    validSource = 'carved';
    carve = { fraction, seed: carveOpt.seed, minTrainPerUser, moved: carved.moved };
  }
  const validFromFile = validSource === 'file' ? validPairs : undefined;

  // 2. Overlaps.
  const overlaps = {
    trainValid: valid ? intersectionCount(train, valid) : 0,
    trainTest: test ? intersectionCount(train, test) : 0,
    validTest: valid && test ? intersectionCount(valid, test) : 0,
  };
  const overlapDropped = { valid: 0, test: 0 };
  if (overlapPolicy === 'error') {
    if (overlaps.trainValid > 0) throw overlapError(validFromFile, train, 'train', validPath);
    if (overlaps.trainTest > 0) throw overlapError(testPairs, train, 'train', testPath);
    if (overlaps.validTest > 0) throw overlapError(testPairs, valid!, 'valid', testPath);
  } else if (overlapPolicy === 'drop-from-eval') {
    const trainCsr = train;
    if (test && overlaps.trainTest > 0) {
      const f = filterCsr(test, (u, i) => !csrHas(trainCsr, u, i));
      test = f.csr;
      overlapDropped.test += f.removed;
    }
    if (valid && (overlaps.trainValid > 0 || overlaps.validTest > 0)) {
      const testCsr = test;
      const f = filterCsr(valid, (u, i) => !csrHas(trainCsr, u, i) && !(testCsr && csrHas(testCsr, u, i)));
      valid = f.csr;
      overlapDropped.valid += f.removed;
    }
  }

  // 3. Cold users / items.
  const cold: { valid?: ColdCounts; test?: ColdCounts } = {};
  const coldDropped = { valid: 0, test: 0 };
  if (valid) cold.valid = coldCounts(train, valid);
  if (test) cold.test = coldCounts(train, test);
  if (coldPolicy === 'drop') {
    const userDeg = rowDegrees(train);
    const itemHas = new Uint8Array(nItems);
    for (const i of train.indices) itemHas[i] = 1;
    const warm = (u: number, i: number) => userDeg[u]! > 0 && itemHas[i] === 1;
    if (valid && cold.valid!.interactions > 0) {
      const f = filterCsr(valid, warm);
      valid = f.csr;
      coldDropped.valid = f.removed;
    }
    if (test && cold.test!.interactions > 0) {
      const f = filterCsr(test, warm);
      test = f.csr;
      coldDropped.test = f.removed;
    }
  }

  const splitReport = (source: string, p: PairList | undefined, duplicates: number, csr: Csr): SplitReport => ({
    source,
    lines: p?.lineCount ?? 0,
    pairsRead: p?.users.length ?? 0,
    duplicates,
    interactions: csr.indptr[csr.nRows]!,
    users: usersWithItems(csr),
  });
  const splits: { train: SplitReport; valid?: SplitReport; test?: SplitReport } = {
    train: splitReport(trainPath, trainPairs, trainBuilt.duplicates, train),
  };
  if (valid) {
    splits.valid =
      validSource === 'carved'
        ? splitReport('carved from train', undefined, 0, valid)
        : splitReport(validPath, validPairs, validBuilt!.duplicates, valid);
  }
  if (test) splits.test = splitReport(testPath, testPairs, testBuilt!.duplicates, test);

  const report: LoadReport = {
    dir: root,
    name,
    nUsers,
    nItems,
    sizeSource: {
      users: declared.nUsers !== undefined ? 'stats.json' : 'max-id',
      items: declared.nItems !== undefined ? 'stats.json' : 'max-id',
    },
    splits,
    validSource,
    ...(carve ? { carve } : {}),
    overlaps,
    overlapPolicy,
    overlapDropped,
    cold,
    coldPolicy,
    coldDropped,
    warnings,
  };
  return { data: { name, nUsers, nItems, train, valid, test }, report };
}
