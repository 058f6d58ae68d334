import { DtlError } from '@dtl/core';
import { createIdMap } from './id-map.ts';
import type { IdMap } from './id-map.ts';
import type { PairList } from './pair-list.ts';
import { IntBuffer } from './internal/int-buffer.ts';
import { readTextFile } from './internal/io.ts';

/** Which header columns hold what. Names must match the header exactly (after trimming). */
export interface CsvColumns {
  readonly user: string;
  readonly item: string;
  /** Needed for `ratingThreshold`; when set, every row must hold a number there. */
  readonly rating?: string | undefined;
  /** Optional numeric timestamp column (kept as read, e.g. Unix seconds). */
  readonly timestamp?: string | undefined;
}

/** Options of {@link parseCsvInteractions}. */
export interface CsvOptions {
  readonly columns: CsvColumns;
  /**
   * Field separator. Default: tab for `*.tsv` / `*.tab` files, else tab when the header has a tab
   * and no comma, else comma.
   */
  readonly delimiter?: string | undefined;
  /** Implicit feedback: keep only rows with rating ≥ this (requires `columns.rating`). Default: keep all. */
  readonly ratingThreshold?: number | undefined;
  /** Map of external user ids to extend (share one across train/valid/test files). Default: a new map. */
  readonly userIds?: IdMap | undefined;
  /** Map of external item ids to extend. Default: a new map. */
  readonly itemIds?: IdMap | undefined;
  /**
   * What an id absent from the given map does: `'add'` (default) assigns the next index; `'error'`
   * is INVALID_DATA (use for eval files that must only mention train users/items).
   */
  readonly unknownIds?: 'add' | 'error' | undefined;
  /** Accept a file with a header and no data rows. Default false. */
  readonly allowEmpty?: boolean | undefined;
}

/** CSV/TSV interactions: dense pairs plus the id maps that translate them back. */
export interface CsvInteractions extends PairList {
  /** Rating of each kept pair (when `columns.rating` is set). */
  readonly ratings: Float32Array | undefined;
  /** Timestamp of each kept pair (when `columns.timestamp` is set). */
  readonly timestamps: Float64Array | undefined;
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  /** Data rows read (excluding the header and blank lines). */
  readonly rows: number;
  /** Rows dropped by `ratingThreshold`. */
  readonly belowThreshold: number;
}

/**
 * Splits one line into fields (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`; quoted fields cannot span
 * lines). Unquoted fields are trimmed.
 */
function splitFields(text: string, delimiter: string, file: string, line: number): string[] {
  const fields: string[] = [];
  let pos = 0;
  const n = text.length;
  for (;;) {
    while (pos < n && (text[pos] === ' ' || (text[pos] === '\t' && delimiter !== '\t'))) pos++;
    if (text[pos] === '"') {
      let value = '';
      pos++;
      for (;;) {
        const q = text.indexOf('"', pos);
        if (q < 0) {
          throw new DtlError('INVALID_DATA', 'malformed line: unterminated quoted field', { location: { file, line } });
        }
        value += text.slice(pos, q);
        if (text[q + 1] === '"') {
          value += '"';
          pos = q + 2;
        } else {
          pos = q + 1;
          break;
        }
      }
      fields.push(value);
      while (pos < n && text[pos] !== delimiter && /\s/.test(text[pos]!)) pos++;
      if (pos < n && !text.startsWith(delimiter, pos)) {
        throw new DtlError('INVALID_DATA', 'malformed line: text after a closing quote', { location: { file, line } });
      }
    } else {
      const end = text.indexOf(delimiter, pos);
      fields.push((end < 0 ? text.slice(pos) : text.slice(pos, end)).trim());
      pos = end < 0 ? n : end;
    }
    if (pos >= n) break;
    pos += delimiter.length;
    if (pos === n) {
      fields.push('');
      break;
    }
  }
  return fields;
}

function guessDelimiter(file: string, header: string): string {
  if (/\.(tsv|tab)$/i.test(file)) return '\t';
  return header.includes('\t') && !header.includes(',') ? '\t' : ',';
}

/**
 * Parses a CSV/TSV file with a header row into dense interaction pairs: external user/item ids
 * (any strings) are mapped to indices through {@link IdMap}s, in first-seen order; with
 * `ratingThreshold`, rows rated below it are dropped (explicit → implicit feedback) before their ids
 * are mapped. Errors are INVALID_DATA naming `file:line`: a header missing a mapped column, a row
 * with a different field count than the header, an empty id, a non-numeric rating or timestamp, an
 * unknown id under `unknownIds: 'error'`, no data rows (unless `allowEmpty`).
 */
export function parseCsvInteractions(text: string, file: string, options: CsvOptions): CsvInteractions {
  const { columns } = options;
  if (options.ratingThreshold !== undefined && columns.rating === undefined) {
    throw new DtlError('INVALID_ARGUMENT', 'parseCsvInteractions: ratingThreshold needs columns.rating');
  }
  const userIds = options.userIds ?? createIdMap();
  const itemIds = options.itemIds ?? createIdMap();
  const addUnknown = (options.unknownIds ?? 'add') === 'add';
  const rawLines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split('\n');

  let lineNo = 0;
  let header: string[] | undefined;
  let delimiter = options.delimiter;
  let headerLine = 0;
  const col = { user: -1, item: -1, rating: -1, timestamp: -1 };
  const users = new IntBuffer();
  const items = new IntBuffer();
  const lines = new IntBuffer();
  const ratings: number[] = [];
  const timestamps: number[] = [];
  let rows = 0;
  let belowThreshold = 0;
  let maxUser = -1;
  let maxItem = -1;

  const mapId = (map: IdMap, value: string, what: string, line: number): number => {
    if (value === '') throw new DtlError('INVALID_DATA', `empty ${what} id`, { location: { file, line } });
    if (addUnknown) return map.getOrAdd(value);
    const index = map.get(value);
    if (index === undefined) {
      throw new DtlError('INVALID_DATA', `${what} id "${value}" is not in the given id map`, { location: { file, line } });
    }
    return index;
  };
  const parseNumber = (value: string, what: string, line: number): number => {
    const x = value === '' ? Number.NaN : Number(value);
    if (!Number.isFinite(x)) {
      throw new DtlError('INVALID_DATA', `${what} "${value}" is not a number`, { location: { file, line } });
    }
    return x;
  };

  for (const raw of rawLines) {
    lineNo++;
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineText.trim() === '') continue;
    if (header === undefined) {
      delimiter ??= guessDelimiter(file, lineText);
      header = splitFields(lineText, delimiter, file, lineNo);
      headerLine = lineNo;
      for (const key of ['user', 'item', 'rating', 'timestamp'] as const) {
        const name = columns[key];
        if (name === undefined) continue;
        const at = header.indexOf(name);
        if (at < 0) {
          throw new DtlError(
            'INVALID_DATA',
            `header has no ${key} column "${name}" (columns: ${header.map((h) => JSON.stringify(h)).join(', ')})`,
            { location: { file, line: lineNo } },
          );
        }
        col[key] = at;
      }
      continue;
    }
    const fields = splitFields(lineText, delimiter!, file, lineNo);
    if (fields.length !== header.length) {
      throw new DtlError(
        'INVALID_DATA',
        `malformed line: ${fields.length} field(s), the header on line ${headerLine} has ${header.length}`,
        { location: { file, line: lineNo } },
      );
    }
    rows++;
    let rating = Number.NaN;
    if (col.rating >= 0) {
      rating = parseNumber(fields[col.rating]!, 'rating', lineNo);
      if (options.ratingThreshold !== undefined && rating < options.ratingThreshold) {
        belowThreshold++;
        continue;
      }
    }
    const u = mapId(userIds, fields[col.user]!, 'user', lineNo);
    const i = mapId(itemIds, fields[col.item]!, 'item', lineNo);
    if (col.timestamp >= 0) timestamps.push(parseNumber(fields[col.timestamp]!, 'timestamp', lineNo));
    if (col.rating >= 0) ratings.push(rating);
    if (u > maxUser) maxUser = u;
    if (i > maxItem) maxItem = i;
    users.push(u);
    items.push(i);
    lines.push(lineNo);
  }
  if (header === undefined) {
    throw new DtlError('INVALID_DATA', 'empty file: no header', { location: { file, line: 1 } });
  }
  if (rows === 0 && !options.allowEmpty) {
    throw new DtlError('INVALID_DATA', 'empty file: a header but no data rows', { location: { file, line: headerLine } });
  }
  return {
    file,
    users: users.toArray(),
    items: items.toArray(),
    lines: lines.toArray(),
    maxUser,
    maxItem,
    lineCount: rows + 1,
    ratings: col.rating >= 0 ? Float32Array.from(ratings) : undefined,
    timestamps: col.timestamp >= 0 ? Float64Array.from(timestamps) : undefined,
    userIds,
    itemIds,
    rows,
    belowThreshold,
  };
}

/** Reads a CSV/TSV interactions file (see {@link parseCsvInteractions}); a missing file is NOT_FOUND. */
export function readCsvInteractions(path: string, options: CsvOptions): CsvInteractions {
  return parseCsvInteractions(readTextFile(path), path, options);
}
