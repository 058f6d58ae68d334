import { DtlError } from '@dtl/core';
import type { IdRangeOptions, PairList } from './pair-list.ts';
import { IntBuffer } from './internal/int-buffer.ts';
import { readTextFile } from './internal/io.ts';
import { checkRange, emptyFileError } from './internal/range-check.ts';
import { scanIntLines } from './internal/scan-ints.ts';

/** Options of {@link parsePairs}. */
export interface PairsOptions extends IdRangeOptions {
  /** Subtracted from every user id as read. Default 0. */
  readonly userOffset?: number | undefined;
  /**
   * Subtracted from every item id as read. Default 0. The DTL-NS / AHNS / MixGCF raw files store
   * items as `item + n_users` (amazon-sports-dtlns: `itemOffset: 15138`).
   */
  readonly itemOffset?: number | undefined;
}

/**
 * Parses one `user item` pair per line (space- or tab-separated, exactly two fields), subtracting the
 * optional offsets. Blank lines are skipped. Errors are INVALID_DATA naming `file:line`: a
 * non-integer or negative id, an id below its offset, a line with other than two fields, an id
 * beyond a declared `nUsers`/`nItems` (checked after the offset), an empty file (unless `allowEmpty`).
 */
export function parsePairs(text: string, file: string, options: PairsOptions = {}): PairList {
  const userOffset = options.userOffset ?? 0;
  const itemOffset = options.itemOffset ?? 0;
  const users = new IntBuffer(text.length >>> 3);
  const items = new IntBuffer(text.length >>> 3);
  const lines = new IntBuffer(text.length >>> 3);
  let maxUser = -1;
  let maxItem = -1;
  const lineCount = scanIntLines(
    text,
    file,
    (k) => (k === 0 ? 'user id' : k === 1 ? 'item id' : `field ${k + 1}`),
    (line, values, count) => {
      if (count !== 2) {
        throw new DtlError('INVALID_DATA', `malformed line: expected "user item", got ${count} field(s)`, {
          location: { file, line },
        });
      }
      const u = values[0]! - userOffset;
      const i = values[1]! - itemOffset;
      if (u < 0) {
        throw new DtlError('INVALID_DATA', `user id ${values[0]} is below userOffset ${userOffset}`, {
          location: { file, line },
        });
      }
      if (i < 0) {
        throw new DtlError('INVALID_DATA', `item id ${values[1]} is below itemOffset ${itemOffset}`, {
          location: { file, line },
        });
      }
      checkRange(u, options.nUsers, 'user', file, line, options);
      checkRange(i, options.nItems, 'item', file, line, options);
      if (u > maxUser) maxUser = u;
      if (i > maxItem) maxItem = i;
      users.push(u);
      items.push(i);
      lines.push(line);
    },
  );
  if (lineCount === 0 && !options.allowEmpty) throw emptyFileError(file);
  return { file, users: users.toArray(), items: items.toArray(), lines: lines.toArray(), maxUser, maxItem, lineCount };
}

/** Reads a `user item` pairs file (see {@link parsePairs}); a missing file is NOT_FOUND. */
export function readPairsFile(path: string, options: PairsOptions = {}): PairList {
  return parsePairs(readTextFile(path), path, options);
}
