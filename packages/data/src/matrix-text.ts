import { DtlError } from '@dtl/core';
import type { DenseMatrix } from '@dtl/core';
import { readTextFile, writeTextFile } from './internal/io.ts';
import { printable } from './printable.ts';

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses a dense matrix in plain text (embedding files): one row per line, values separated by
 * spaces or tabs, row i = internal index i. Trailing blank lines are ignored; a blank line before
 * the last row is an error (it would shift every later index). Errors are INVALID_DATA at
 * `file:line`: a token that is not a finite decimal float (`nan`, `inf`, `0x1f`, `1,5`), a row with
 * a different length than the first, an empty file. Values are stored as float32.
 */
export function parseMatrixText(text: string, file: string): DenseMatrix {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) {
    throw new DtlError('INVALID_DATA', 'empty file: no matrix rows', { location: { file, line: 1 } });
  }
  let dim = -1;
  let data = new Float32Array(0);
  for (let r = 0; r < lines.length; r++) {
    const line = r + 1;
    const tokens = lines[r]!.trim().split(/[ \t]+/);
    if (tokens.length === 1 && tokens[0] === '') {
      throw new DtlError('INVALID_DATA', `blank line at row ${r}: every line must hold one row`, { location: { file, line } });
    }
    if (dim < 0) {
      dim = tokens.length;
      data = new Float32Array(lines.length * dim);
    } else if (tokens.length !== dim) {
      throw new DtlError('INVALID_DATA', `ragged row: ${tokens.length} values, the first row has ${dim}`, {
        location: { file, line },
      });
    }
    const base = r * dim;
    for (let k = 0; k < dim; k++) {
      const token = tokens[k]!;
      if (!FLOAT.test(token)) {
        throw new DtlError('INVALID_DATA', `value ${k + 1} "${printable(token)}" is not a finite float`, { location: { file, line } });
      }
      const x = Number(token);
      if (!Number.isFinite(Math.fround(x))) {
        throw new DtlError('INVALID_DATA', `value ${k + 1} "${printable(token)}" overflows float32`, { location: { file, line } });
      }
      data[base + k] = x;
    }
  }
  return { rows: lines.length, dim, data };
}

/** Reads a plain-text matrix file (see {@link parseMatrixText}); a missing file is NOT_FOUND. */
export function readMatrixText(path: string): DenseMatrix {
  return parseMatrixText(readTextFile(path), path);
}

/**
 * Formats one float32 value with 9 significant digits (enough for `Math.fround(Number(s)) === x` for
 * every float32, IEEE 754 §5.12.2) and drops trailing zeros of the fraction.
 */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x)) throw new DtlError('INVALID_ARGUMENT', `formatFloat32: ${x} is not finite`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const s = x.toPrecision(9);
  const e = s.indexOf('e');
  const mantissa = e < 0 ? s : s.slice(0, e);
  const exponent = e < 0 ? '' : s.slice(e);
  if (!mantissa.includes('.')) return s;
  let end = mantissa.length;
  while (mantissa.charCodeAt(end - 1) === 48) end--;
  if (mantissa.charCodeAt(end - 1) === 46) end--;
  return mantissa.slice(0, end) + exponent;
}

/** The text {@link writeMatrixText} writes: one row per line, space-separated, float32-exact. */
export function formatMatrixText(m: DenseMatrix): string {
  if (m.data.length !== m.rows * m.dim) {
    throw new DtlError('INVALID_ARGUMENT', `formatMatrixText: ${m.rows}×${m.dim} needs ${m.rows * m.dim} values, got ${m.data.length}`);
  }
  const out: string[] = new Array<string>(m.rows);
  const row: string[] = new Array<string>(m.dim);
  for (let r = 0; r < m.rows; r++) {
    for (let k = 0; k < m.dim; k++) row[k] = formatFloat32(m.data[r * m.dim + k]!);
    out[r] = row.join(' ');
  }
  return out.join('\n') + (m.rows > 0 ? '\n' : '');
}

/** Writes a matrix as plain text (see {@link formatMatrixText}); reading it back gives the same float32 values. */
export function writeMatrixText(path: string, m: DenseMatrix): void {
  writeTextFile(path, formatMatrixText(m));
}
