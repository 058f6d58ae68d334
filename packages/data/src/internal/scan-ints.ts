import { DtlError } from '@dtl/core';
import { printable } from '../printable.ts';

const MAX_ID = 0x7fffffff;

/**
 * Calls `onLine(line, values, count)` for every non-blank line of `text` whose whitespace-separated
 * (space, tab; CR ignored; a leading byte-order mark skipped) tokens are all non-negative decimal integers ≤ 2^31−1. `values` is a
 * reused buffer: copy what you keep. Any other token throws INVALID_DATA at `file:line`, naming the
 * token with `label(k)` (k = 0-based field position). Returns the number of non-blank lines.
 *
 * Hand-rolled over char codes (no split/parseInt): gowalla's 4.6 MB train.txt parses in tens of ms.
 */
export function scanIntLines(
  text: string,
  file: string,
  label: (field: number) => string,
  onLine: (line: number, values: Int32Array, count: number) => void,
): number {
  let values = new Int32Array(256);
  const n = text.length;
  // A UTF-8 byte-order mark (U+FEFF once decoded) at the very start is an encoding marker, not data:
  // editors on Windows write it, and every reader of the LightGCN layout and pair files accepts it.
  let pos = n > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  let nonBlank = 0;
  while (pos < n) {
    line++;
    let count = 0;
    // Parse one line.
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 10) {
        pos++;
        break;
      }
      if (c === 32 || c === 9 || c === 13) {
        pos++;
        continue;
      }
      // A token starts here.
      const start = pos;
      let value = 0;
      let ok = true;
      while (pos < n) {
        const d = text.charCodeAt(pos);
        if (d === 32 || d === 9 || d === 13 || d === 10) break;
        if (d >= 48 && d <= 57) {
          value = value * 10 + (d - 48);
        } else {
          ok = false;
        }
        pos++;
      }
      const what = label(count);
      if (!ok) {
        const token = printable(text.slice(start, pos));
        const reason = /^-\d+$/.test(token) ? 'is negative' : 'is not a non-negative integer';
        throw new DtlError('INVALID_DATA', `${what} "${token}" ${reason}`, { location: { file, line } });
      }
      if (value > MAX_ID) {
        throw new DtlError('INVALID_DATA', `${what} "${printable(text.slice(start, pos))}" is too large (max ${MAX_ID})`, {
          location: { file, line },
        });
      }
      if (count === values.length) {
        const grown = new Int32Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[count++] = value;
    }
    if (count > 0) {
      nonBlank++;
      onLine(line, values, count);
    }
  }
  return nonBlank;
}

