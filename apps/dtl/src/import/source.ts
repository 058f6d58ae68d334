import { closeSync, openSync, readSync, statSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { extname } from 'node:path';
import { DtlError } from '@dtl/core';

export const INPUT_FORMATS = ['auto', 'csv', 'tsv', 'parquet', 'jsonl'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
export type ResolvedFormat = Exclude<InputFormat, 'auto'>;

/** File extension → format of `--format auto`. RecBole `.inter` files are tab-separated. */
const EXTENSIONS: Record<string, ResolvedFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.inter': 'tsv',
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
};

/** `--format auto`: by extension; anything else (`u.data`, `ratings.dat`, `.txt`) is delimited text with a sniffed separator. */
export function resolveFormat(input: string, format: InputFormat): ResolvedFormat {
  if (format !== 'auto') return format;
  return EXTENSIONS[extname(input).toLowerCase()] ?? 'csv';
}

/** `--sep` as typed: `\t` or `tab` for a tab, `space`, `\\` escapes; anything else literally (`::`). */
export function parseSeparator(text: string): string {
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', space: ' ', comma: ',', semicolon: ';', pipe: '|' };
  const sep = named[text.toLowerCase()] ?? text.replace(/\\t/g, '\t');
  if (sep.length === 0) throw new DtlError('INVALID_ARGUMENT', '--sep must not be empty');
  if (/[\r\n"]/.test(sep)) throw new DtlError('INVALID_ARGUMENT', `--sep ${JSON.stringify(text)}: a separator cannot contain a newline or a double quote`);
  return sep;
}

/** The first non-blank line of a text file (reads at most 1 MiB), without its line ending. */
export function firstLine(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    const n = readSync(fd, buf, 0, buf.length, 0);
    let text = buf.subarray(0, n).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    for (const line of text.split('\n')) if (line.trim() !== '') return line.replace(/\r$/, '');
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * The separator of a delimited file when `--sep` is not given: the first of the candidates found in
 * its first line, the format's own separator first (`csv` → `,`, `tsv` → tab); `::` before `:`-free
 * ones so MovieLens `ratings.dat` is recognised.
 */
export function sniffSeparator(line: string, format: 'csv' | 'tsv'): string | undefined {
  const candidates = format === 'tsv' ? ['\t', '::', ',', ';', '|'] : [',', '\t', '::', ';', '|'];
  return candidates.find((c) => line.includes(c));
}

/** Throws INVALID_DATA when the input is missing or has no bytes. */
export function checkInputFile(path: string): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new DtlError('INVALID_ARGUMENT', 'input is not a file', { location: { file: path } });
    size = st.size;
  } catch (error) {
    if (error instanceof DtlError) throw error;
    throw new DtlError('NOT_FOUND', 'input file not found', { location: { file: path }, cause: error });
  }
  if (size === 0) throw new DtlError('INVALID_DATA', 'the file is empty: expected a header line and one interaction per line', { location: { file: path, line: 1 } });
}

/**
 * The 1-based physical line of the `dataRow`-th data row (1-based) of a line-oriented file (CSV,
 * TSV, JSONL): blank lines are skipped as the reader skips them, and `headerLines` lines come first.
 * Used only to point an error at its line. Quoted fields spanning lines are not followed.
 */
export async function physicalLine(path: string, dataRow: number, headerLines: number): Promise<number> {
  const target = dataRow + headerLines;
  let seen = 0;
  let line = 0;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  try {
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      if (++seen === target) return line;
    }
  } finally {
    rl.close();
  }
  return target;
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** RecBole atomic files type their header fields (`user_id:token`, `rating:float`): the name without the type. */
const RECBOLE_TYPE = /:(token|token_seq|float|float_seq)$/;

export function stripRecboleType(name: string): string {
  return name.replace(RECBOLE_TYPE, '');
}

/**
 * Resolves `--user`/`--item`/… COL: a column name (exact, then without a RecBole `:type` suffix,
 * then case-insensitively) or a 0-based index. INVALID_ARGUMENT naming the file and its header line
 * when no column matches.
 */
export function resolveColumn(spec: string, names: readonly string[], flag: string, file: string, header: boolean): number {
  const exact = names.indexOf(spec);
  if (exact >= 0) return exact;
  const stripped = names.map(stripRecboleType);
  const typed = stripped.indexOf(spec);
  if (typed >= 0) return typed;
  const lower = stripped.map((n) => n.toLowerCase());
  const folded = lower.indexOf(spec.toLowerCase());
  if (folded >= 0 && lower.lastIndexOf(spec.toLowerCase()) === folded) return folded;
  if (/^\d+$/.test(spec)) {
    const index = Number(spec);
    if (index < names.length) return index;
    throw new DtlError('INVALID_ARGUMENT', `${flag} ${spec}: the file has ${names.length} columns (0-based indices 0..${names.length - 1})`, {
      location: { file, line: 1 },
    });
  }
  const list = header ? `columns: ${stripped.map((n) => JSON.stringify(n)).join(', ')}` : `the file has no header (--no-header): give a 0-based index 0..${names.length - 1}`;
  throw new DtlError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(spec)}: no such column (${list})`, { location: { file, line: 1 } });
}
