import { readFileSync, writeFileSync } from 'node:fs';
import { DtlError, codebookFromPaths, codeOf } from '@dtl/core';
import type { Codebook } from '@dtl/core';

/** Compact form of one code, `0-2-1-3` (the empty code is the empty string). */
export function formatCode(path: ArrayLike<number>): string {
  return Array.from(path).join('-');
}

/** Item i's code in compact form — what prompts show (`"0-2-1-3"`). */
export function codeString(codebook: Codebook, item: number): string {
  return formatCode(codeOf(codebook, item));
}

/** The largest code part a codebook stores (int32). */
const MAX_CODE_PART = 0x7fffffff;

/** Parses `0-2-1-3` (whitespace around parts allowed); throws INVALID_DATA naming `where`. */
export function parseCode(text: string, where?: { file: string; line: number }): number[] {
  const t = text.trim();
  if (t === '') return [];
  return t.split('-').map((part) => {
    const s = part.trim();
    if (!/^\d+$/.test(s)) {
      throw new DtlError('INVALID_DATA', `code "${t}": part "${s}" is not a non-negative integer`, where ? { location: where } : {});
    }
    // Codebooks hold int32 parts: a larger part would be stored wrapped, silently another code.
    if (s.length > 10 || Number(s) > MAX_CODE_PART) {
      throw new DtlError('INVALID_DATA', `code "${t.slice(0, 60)}": part "${s.slice(0, 30)}" is too large (max ${MAX_CODE_PART})`, where ? { location: where } : {});
    }
    return Number(s);
  });
}

/** Options of the authors' code text format. */
export interface CodeTextOptions {
  /** Added to item ids when writing, subtracted when reading (the authors' files use n_users = 15138). Default 0. */
  readonly offset?: number;
}

/** Options of {@link parseCodeText}. */
export interface ParseCodeTextOptions extends CodeTextOptions {
  /** Number of items; ids must be in 0..nItems-1 after removing the offset. Default: 1 + the largest id read. */
  readonly nItems?: number;
  /** File name used in error messages. Default `"<codes>"`. */
  readonly file?: string;
  /** When false (default), items without a line are an error; when true they get the empty code and are listed in `missing`. */
  readonly allowMissing?: boolean;
}

/** A parsed code file: the codebook and the items that had no line (only with `allowMissing`). */
export interface ParsedCodes {
  readonly codebook: Codebook;
  readonly missing: readonly number[];
}

/** Writes the authors' text format: one `item: 0-2-1-3` line per item, ids + offset, ascending. */
export function formatCodeText(codebook: Codebook, options: CodeTextOptions = {}): string {
  const offset = options.offset ?? 0;
  const lines: string[] = [];
  for (let i = 0; i < codebook.nItems; i++) lines.push(`${i + offset}: ${codeString(codebook, i)}`);
  return lines.join('\n') + '\n';
}

/**
 * Reads the authors' text format (`item: c1-c2-…`, any line order, blank lines ignored). Errors
 * (`INVALID_DATA`, with file:line) for a malformed line, an id below the offset or ≥ nItems, or a
 * duplicate item; missing items are an error listing them unless `allowMissing`.
 */
export function parseCodeText(text: string, options: ParseCodeTextOptions = {}): ParsedCodes {
  const offset = options.offset ?? 0;
  const file = options.file ?? '<codes>';
  const byItem = new Map<number, number[]>();
  // A leading byte-order mark (files saved by Windows editors) is not part of the first line.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let maxId = -1;
  for (let l = 0; l < lines.length; l++) {
    const raw = lines[l]!.trim();
    if (raw === '') continue;
    const where = { file, line: l + 1 };
    const m = /^(-?\d+)\s*:\s*(.*)$/.exec(raw);
    if (!m) throw new DtlError('INVALID_DATA', `expected "item: c1-c2-...", got "${raw.slice(0, 60)}"`, { location: where });
    const item = Number(m[1]) - offset;
    if (item < 0) throw new DtlError('INVALID_DATA', `item id ${m[1]} is below the offset ${offset}`, { location: where });
    if (options.nItems !== undefined && item >= options.nItems) {
      throw new DtlError('INVALID_DATA', `item id ${m[1]} (item ${item}) is outside 0..${options.nItems - 1}`, { location: where });
    }
    if (byItem.has(item)) throw new DtlError('INVALID_DATA', `item ${m[1]} appears twice`, { location: where });
    byItem.set(item, parseCode(m[2]!, where));
    if (item > maxId) maxId = item;
  }
  const nItems = options.nItems ?? maxId + 1;
  const missing: number[] = [];
  const paths: number[][] = [];
  for (let i = 0; i < nItems; i++) {
    const p = byItem.get(i);
    if (p === undefined) missing.push(i);
    paths.push(p ?? []);
  }
  if (missing.length > 0 && !options.allowMissing) {
    throw new DtlError(
      'INVALID_DATA',
      `${missing.length} of ${nItems} items have no code, e.g. ${missing.slice(0, 5).map((i) => i + offset).join(', ')}`,
      { location: { file } },
    );
  }
  return { codebook: codebookFromPaths(paths), missing };
}

/** Reads a code file in the authors' format (see {@link parseCodeText}); IO_ERROR when unreadable. */
export function readCodeFile(path: string, options: Omit<ParseCodeTextOptions, 'file'> = {}): ParsedCodes {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DtlError('IO_ERROR', `cannot read code file`, { location: { file: path }, cause });
  }
  return parseCodeText(text, { ...options, file: path });
}

/** Writes a code file in the authors' format (see {@link formatCodeText}). */
export function writeCodeFile(path: string, codebook: Codebook, options: CodeTextOptions = {}): void {
  try {
    writeFileSync(path, formatCodeText(codebook, options));
  } catch (cause) {
    throw new DtlError('IO_ERROR', `cannot write code file`, { location: { file: path }, cause });
  }
}
