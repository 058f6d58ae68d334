import { DtlError } from '@dtl/core';

/**
 * A bijection between external id strings (as found in a CSV: `"A2XYZ"`, `"u_17"`) and dense
 * 0-based indices, assigned in first-seen order. Serialize with `toJSON()` (the external ids in index
 * order) and restore with `createIdMap(saved)`.
 */
export interface IdMap {
  /** Number of ids mapped. */
  readonly size: number;
  /** The dense index of `external`, or undefined if it was never added. */
  get(external: string): number | undefined;
  /** The dense index of `external`, adding it as index `size` if new. */
  getOrAdd(external: string): number;
  /** The external id of a dense index; INVALID_ARGUMENT when out of range. */
  external(index: number): string;
  /** External ids in index order (a copy); what `JSON.stringify` writes. */
  toJSON(): string[];
}

/**
 * Creates an {@link IdMap}, optionally pre-filled with external ids in index order (e.g. a saved
 * `toJSON()` result). A duplicate in `initial` is INVALID_ARGUMENT.
 */
export function createIdMap(initial: Iterable<string> = []): IdMap {
  const toIndex = new Map<string, number>();
  const toExternal: string[] = [];
  for (const id of initial) {
    if (typeof id !== 'string') throw new DtlError('INVALID_ARGUMENT', `createIdMap: id ${String(id)} is not a string`);
    if (toIndex.has(id)) throw new DtlError('INVALID_ARGUMENT', `createIdMap: duplicate id "${id}"`);
    toIndex.set(id, toExternal.length);
    toExternal.push(id);
  }
  return {
    get size() {
      return toExternal.length;
    },
    get(external) {
      return toIndex.get(external);
    },
    getOrAdd(external) {
      let index = toIndex.get(external);
      if (index === undefined) {
        index = toExternal.length;
        toIndex.set(external, index);
        toExternal.push(external);
      }
      return index;
    },
    external(index) {
      const id = Number.isInteger(index) ? toExternal[index] : undefined;
      if (id === undefined) {
        throw new DtlError('INVALID_ARGUMENT', `IdMap.external: index ${index} outside 0..${toExternal.length - 1}`);
      }
      return id;
    },
    toJSON() {
      return toExternal.slice();
    },
  };
}
