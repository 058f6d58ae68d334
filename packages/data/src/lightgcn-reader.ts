import type { IdRangeOptions, PairList } from './pair-list.ts';
import { IntBuffer } from './internal/int-buffer.ts';
import { readTextFile } from './internal/io.ts';
import { checkRange, emptyFileError } from './internal/range-check.ts';
import { scanIntLines } from './internal/scan-ints.ts';

/**
 * Parses the LightGCN layout (LightGCN / NGCF / AHNS / DENS / every `shared/data` folder): one line
 * per user, `user item item …`, separated by spaces or tabs, 0-based ids. A line holding only a user
 * id is allowed (a user with no items; it still counts toward the largest user id); blank lines are
 * skipped; a user may appear on several lines (the pairs are merged later). Errors are INVALID_DATA
 * naming `file:line`: a non-integer or negative id, an id beyond a declared `nUsers`/`nItems`,
 * an empty file (unless `allowEmpty`).
 *
 * @param text the file contents
 * @param file the name used in error messages and in the returned {@link PairList}
 */
export function parseLightGcn(text: string, file: string, options: IdRangeOptions = {}): PairList {
  const users = new IntBuffer(text.length >>> 3);
  const items = new IntBuffer(text.length >>> 3);
  const lines = new IntBuffer(text.length >>> 3);
  const soloUsers = new IntBuffer(16);
  const soloLines = new IntBuffer(16);
  let maxUser = -1;
  let maxItem = -1;
  const lineCount = scanIntLines(
    text,
    file,
    (k) => (k === 0 ? 'user id' : 'item id'),
    (line, values, count) => {
      const u = values[0]!;
      checkRange(u, options.nUsers, 'user', file, line, options);
      if (u > maxUser) maxUser = u;
      if (count === 1) {
        soloUsers.push(u);
        soloLines.push(line);
      }
      for (let k = 1; k < count; k++) {
        const i = values[k]!;
        checkRange(i, options.nItems, 'item', file, line, options);
        if (i > maxItem) maxItem = i;
        users.push(u);
        items.push(i);
        lines.push(line);
      }
    },
  );
  if (lineCount === 0 && !options.allowEmpty) throw emptyFileError(file);
  const usersWithoutItems = soloUsers.length > 0 ? { users: soloUsers.toArray(), lines: soloLines.toArray() } : undefined;
  return { file, users: users.toArray(), items: items.toArray(), lines: lines.toArray(), maxUser, maxItem, lineCount, usersWithoutItems };
}

/** Reads a LightGCN-layout file (see {@link parseLightGcn}); a missing file is NOT_FOUND. */
export function readLightGcnFile(path: string, options: IdRangeOptions = {}): PairList {
  return parseLightGcn(readTextFile(path), path, options);
}
