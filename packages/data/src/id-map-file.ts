import { DtlError } from '@dtl/core';
import { readTextFile, writeTextFile } from './internal/io.ts';

/**
 * The id-map file of an imported dataset (`users.tsv`, `items.tsv`): a header `index<TAB>id`, then one
 * line per dense index in order, `0<TAB>A2XYZ`. Ids may hold any character: a backslash, tab, CR or
 * newline inside an id is written as `\\`, `\t`, `\r`, `\n`, so every id stays on one line.
 */
export const ID_MAP_HEADER = 'index\tid';

function escapeId(id: string): string {
  return /[\\\t\r\n]/.test(id) ? id.replace(/[\\\t\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : '\\n')) : id;
}

function unescapeId(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'r' ? '\r' : c === 'n' ? '\n' : c)) : text;
}

/** The text of an id-map file for `ids` (external ids in dense-index order). */
export function formatIdMap(ids: readonly string[]): string {
  const lines = [ID_MAP_HEADER];
  for (let i = 0; i < ids.length; i++) lines.push(`${i}\t${escapeId(ids[i]!)}`);
  return lines.join('\n') + '\n';
}

/** Writes an id-map file (see {@link ID_MAP_HEADER}); IO_ERROR naming the file on failure. */
export function writeIdMapFile(path: string, ids: readonly string[]): void {
  writeTextFile(path, formatIdMap(ids));
}

/**
 * Parses an id-map file: the external ids in dense-index order. INVALID_DATA naming `file:line` when
 * the header is missing, an index is not the next integer, or an id repeats.
 */
export function parseIdMap(text: string, file = '<id map>'): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const strip = (l: string) => (l.endsWith('\r') ? l.slice(0, -1) : l);
  if (lines.length === 0 || strip(lines[0]!) !== ID_MAP_HEADER) {
    throw new DtlError('INVALID_DATA', `expected the header "index<TAB>id" on line 1`, { location: { file, line: 1 } });
  }
  const ids: string[] = [];
  const seen = new Set<string>();
  for (let n = 1; n < lines.length; n++) {
    const line = strip(lines[n]!);
    const tab = line.indexOf('\t');
    const index = tab < 0 ? '' : line.slice(0, tab);
    if (tab < 0 || index !== String(ids.length)) {
      throw new DtlError('INVALID_DATA', `expected "${ids.length}<TAB>id", got "${line.slice(0, 40)}"`, { location: { file, line: n + 1 } });
    }
    const id = unescapeId(line.slice(tab + 1));
    if (seen.has(id)) throw new DtlError('INVALID_DATA', `id "${id}" appears twice`, { location: { file, line: n + 1 } });
    seen.add(id);
    ids.push(id);
  }
  return ids;
}

/** Reads an id-map file written by {@link writeIdMapFile} (NOT_FOUND when absent). */
export function readIdMapFile(path: string): string[] {
  return parseIdMap(readTextFile(path), path);
}
