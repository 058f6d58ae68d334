import { DtlError } from '@dtl/core';
import type { PairList } from './pair-list.ts';

/**
 * The rule dense-id readers apply before allocating anything by id range: an id range of `n` ids is
 * accepted when `n ≤ factor · distinct + slack`, where `distinct` counts the ids that occur in the
 * data (train, valid and test together; users listed with no items included). Every per-user and
 * per-item array (CSR row pointers, degrees, embeddings) is sized by the range, so the rule bounds
 * memory by the data: one stray id near 2·10⁹ would otherwise ask for gigabytes, and a user id of
 * 5·10⁷ among 300 users would silently train a 50M-user model.
 *
 * Defaults: `factor` 4 (up to three in four ids may be unused — items that only exist in a catalogue,
 * users filtered away by a k-core), `slack` 1024 (tiny datasets and fixtures never trip it).
 */
export const ID_DENSITY_DEFAULTS = { factor: 4, slack: 1024 } as const;

/** Options of {@link checkIdDensity}. */
export interface IdDensityOptions {
  /** Allowed ratio of the id range to the distinct ids, default 4. */
  readonly factor?: number | undefined;
  /** Ids allowed beyond `factor · distinct`, default 1024. */
  readonly slack?: number | undefined;
  /**
   * Where `size` came from, when it was declared rather than derived from the largest id (e.g. the
   * `stats.json` path); the error then names that file instead of the line of the largest id.
   */
  readonly declaredIn?: string | undefined;
}

/**
 * Throws INVALID_DATA when `size` user (or item) ids are far more than the `lists` use (see
 * {@link ID_DENSITY_DEFAULTS}). The check's own memory is bounded by the data too: when the range
 * exceeds `factor · (ids read) + slack` no counting is needed; otherwise a bitset of `size` bits
 * (at most ~(factor · ids read + slack) / 8 bytes) counts the distinct ids.
 *
 * The error names the file and line of the largest id (or the declaring file) and says to remap the
 * ids with `dtl data import` (or to read the raw file with the CSV reader, which maps ids densely).
 */
export function checkIdDensity(lists: readonly PairList[], kind: 'user' | 'item', size: number, options: IdDensityOptions = {}): void {
  const factor = options.factor ?? ID_DENSITY_DEFAULTS.factor;
  const slack = options.slack ?? ID_DENSITY_DEFAULTS.slack;
  if (size <= slack) return;
  const arrays: Int32Array[] = [];
  for (const p of lists) {
    arrays.push(kind === 'user' ? p.users : p.items);
    if (kind === 'user' && p.usersWithoutItems) arrays.push(p.usersWithoutItems.users);
  }
  const read = arrays.reduce((s, a) => s + a.length, 0);
  let distinct = read; // an upper bound: enough to reject a range wider than the rule allows for it
  let exact = false;
  if (size <= factor * read + slack) {
    exact = true;
    const bits = new Uint32Array(Math.ceil(size / 32));
    distinct = 0;
    for (const a of arrays) {
      for (let k = 0; k < a.length; k++) {
        const id = a[k]!;
        if (id >= size) continue; // range errors are reported by the readers
        const word = id >>> 5;
        const mask = 1 << (id & 31);
        if ((bits[word]! & mask) === 0) {
          bits[word] = bits[word]! | mask;
          distinct++;
        }
      }
    }
  }
  if (size <= factor * distinct + slack) return;
  if (!exact) distinct = countDistinctSorted(arrays, read); // the error path only: memory ∝ the data
  const files = lists.map((p) => p.file).join(', ');
  const why =
    `${distinct} distinct ${kind} ids occur in ${files}, far fewer than the range needs ` +
    `(dense ids need range ≤ ${factor}·distinct + ${slack}); per-${kind} arrays would be sized by the range. ` +
    `Remap the ids to 0..n−1 with \`dtl data import\` (or read the raw file with the CSV reader, which maps ids densely)`;
  if (options.declaredIn !== undefined) {
    const key = kind === 'user' ? 'n_users' : 'n_items';
    throw new DtlError('INVALID_DATA', `${key} = ${size} is declared, but ${why}`, { location: { file: options.declaredIn } });
  }
  const at = locateLargest(lists, kind, size - 1);
  throw new DtlError('INVALID_DATA', `${kind} id ${size - 1} makes the ${kind} range ${size} ids wide, but ${why}`, at ? { location: at } : {});
}

function locateLargest(lists: readonly PairList[], kind: 'user' | 'item', id: number): { file: string; line: number } | undefined {
  for (const p of lists) {
    const ids = kind === 'user' ? p.users : p.items;
    for (let k = 0; k < ids.length; k++) if (ids[k] === id) return { file: p.file, line: p.lines[k]! };
    const solo = kind === 'user' ? p.usersWithoutItems : undefined;
    if (solo) for (let k = 0; k < solo.users.length; k++) if (solo.users[k] === id) return { file: p.file, line: solo.lines[k]! };
  }
  return undefined;
}

function countDistinctSorted(arrays: readonly Int32Array[], total: number): number {
  const all = new Int32Array(total);
  let o = 0;
  for (const a of arrays) {
    all.set(a, o);
    o += a.length;
  }
  all.sort();
  let distinct = 0;
  for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) distinct++;
  return distinct;
}
