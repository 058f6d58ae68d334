import { readFileSync } from 'node:fs';
import { DtlError } from '@dtl/core';
import type { Codebook } from '@dtl/core';
import { parseCodeText } from '@dtl/encoding';
import { printable } from '@dtl/data';

/** A code file when a path is given, else `undefined` (a DTL view without codes). */
export function readCodesOptional(path: string | undefined, offset: number, nItems: number): Codebook | undefined {
  return path ? readCodesFile(path, { offset, nItems }) : undefined;
}

/**
 * Reads a code file (the authors' format, `readCodeFile` of @dtl/encoding) the way every app command
 * does: a missing file is NOT_FOUND, and invisible characters quoted in an error are spelled out
 * (`\u{feff}`), so the message shows what is in the file. (The BOM and int32 guards live in
 * `parseCodeText` itself.)
 */
export function readCodesFile(path: string, options: { readonly offset?: number; readonly nItems?: number } = {}): Codebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DtlError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR', code === 'ENOENT' ? 'code file not found' : `cannot read code file (${code ?? String(cause)})`, { location: { file: path }, cause });
  }
  try {
    return parseCodeText(text, { ...options, file: path }).codebook;
  } catch (error) {
    if (!(error instanceof DtlError)) throw error;
    const where = error.location ? `${error.location.file}${error.location.line !== undefined ? `:${error.location.line}` : ''}: ` : '';
    const message = error.message.startsWith(where) ? error.message.slice(where.length) : error.message;
    throw new DtlError(error.code, printable(message, { max: 300 }), { ...(error.location ? { location: error.location } : {}), cause: error });
  }
}

/** `8,439 of 8,439 items have a code, depth 3–5 (mean 4.12)`: what a code file gave the sampler. */
export function describeCodebook(codebook: Codebook): string {
  let covered = 0;
  let min = Infinity;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < codebook.nItems; i++) {
    const depth = codebook.offsets[i + 1]! - codebook.offsets[i]!;
    if (depth === 0) continue;
    covered++;
    sum += depth;
    if (depth < min) min = depth;
    if (depth > max) max = depth;
  }
  const depth = covered ? `depth ${min === max ? min : `${min}–${max}`} (mean ${(sum / covered).toFixed(2)})` : 'no codes';
  return `${covered} of ${codebook.nItems} items have a code, ${depth}`;
}
