import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { mkdirSync, rmSync } from 'node:fs';
import type { DuckDBConnection, DuckDBResult } from '@duckdb/node-api';
import { DtlError, csrFromPairs } from '@dtl/core';
import { writeIdMapFile, writeLightGcnDataset } from '@dtl/data';
import { TEST, TRAIN, VALID, assignSplits, finalizeSplits } from './split.ts';
import type { ColdDrop, SplitKind } from './split.ts';
import {
  checkInputFile,
  firstLine,
  parseSeparator,
  physicalLine,
  resolveColumn,
  resolveFormat,
  sniffSeparator,
  sqlIdent,
  sqlString,
  stripRecboleType,
} from './source.ts';
import type { InputFormat, ResolvedFormat } from './source.ts';

/** Options of {@link runImport} (`dtl data import`). */
export interface ImportOptions {
  readonly input: string;
  /** Default `auto` (by extension; `.inter` is RecBole's tab-separated format). */
  readonly format?: InputFormat | undefined;
  /** Separator of delimited text, any length (`::` for MovieLens `ratings.dat`); default: sniffed from the first line. */
  readonly sep?: string | undefined;
  /** The first line names the columns; default true. */
  readonly header?: boolean | undefined;
  /** Column name or 0-based index. */
  readonly user: string;
  readonly item: string;
  readonly rating?: string | undefined;
  /** Keep interactions with rating ≥ this (implicit feedback); needs `rating`. */
  readonly minRating?: number | undefined;
  /** Unix seconds (any number) or a date/timestamp text. */
  readonly time?: string | undefined;
  /** Iterative k-core: drop users and items with fewer than k interactions until none is left; default 0 = off. */
  readonly kcore?: number | undefined;
  /** Default `random`. */
  readonly split?: SplitKind | undefined;
  /** Default 0.1 (0 = no valid.txt). */
  readonly valid?: number | undefined;
  /** Default 0.2. */
  readonly test?: number | undefined;
  /** Seed of the random split; default 2022. */
  readonly seed?: number | undefined;
  readonly out: string;
  /** DuckDB threads; default 2. */
  readonly threads?: number | undefined;
  /** DuckDB memory limit (spills to a temp folder beyond it); default `1GB`. */
  readonly memoryLimit?: string | undefined;
  readonly onInfo?: ((line: string) => void) | undefined;
}

export const IMPORT_DEFAULTS = { format: 'auto', header: true, kcore: 0, split: 'random', valid: 0.1, test: 0.2, seed: 2022, threads: 2, memoryLimit: '1GB' } as const;

/** What {@link runImport} did, also written into `stats.json` under `import`. */
export interface ImportSummary {
  readonly out: string;
  readonly input: string;
  readonly format: ResolvedFormat;
  readonly separator?: string | undefined;
  readonly header: boolean;
  readonly columns: Record<string, string>;
  readonly rows: number;
  readonly belowMinRating: number;
  readonly duplicates: number;
  readonly kcore?: { readonly k: number; readonly iterations: number; readonly removed: number } | undefined;
  readonly split: { readonly kind: SplitKind; readonly valid: number; readonly test: number; readonly seed?: number; readonly temporalCuts?: { valid?: number | undefined; test: number } | undefined };
  readonly coldPolicy: string;
  readonly cold: { readonly valid: ColdDrop; readonly test: ColdDrop };
  readonly droppedUsers: number;
  readonly droppedItems: number;
  readonly users: number;
  readonly items: number;
  readonly interactions: { readonly train: number; readonly valid: number; readonly test: number };
  readonly warnings: readonly string[];
  readonly seconds: number;
  /** Seconds per phase (read, validate+filter+index, dedup, kcore, fetch, split, write). */
  readonly timings?: Record<string, number> | undefined;
}

export const COLD_POLICY =
  'drop: valid/test interactions of users or items with no train interaction are removed (the model cannot rank them); users/items left with no interaction are not indexed';

const fraction = (name: string, x: number) => {
  if (!(x >= 0 && x < 1)) throw new DtlError('INVALID_ARGUMENT', `--${name} must be in [0, 1), got ${x}`);
  return x;
};

/** The fields of a header line (double-quoted fields may hold the separator; `""` is a quote). */
function splitFields(line: string, sep: string): string[] {
  if (!line.includes('"')) return line.split(sep).map((f) => f.trim());
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let k = 0; k < line.length; ) {
    if (quoted) {
      if (line[k] === '"' && line[k + 1] === '"') (field += '"', (k += 2));
      else if (line[k] === '"') (quoted = false, k++);
      else field += line[k++];
    } else if (line[k] === '"') (quoted = true, k++);
    else if (line.startsWith(sep, k)) (out.push(field.trim()), (field = ''), (k += sep.length));
    else field += line[k++];
  }
  out.push(field.trim());
  return out;
}

/** Header names made unique (`a`, `a_2`) and never empty (`column3`), as DuckDB needs distinct column names. */
function uniqueNames(fields: string[]): string[] {
  const seen = new Set<string>();
  return fields.map((f, c) => {
    let name = f === '' ? `column${c}` : f;
    for (let n = 2; seen.has(name); n++) name = `${f}_${n}`;
    seen.add(name);
    return name;
  });
}

/** Reads every value of column 0 of a result, chunk by chunk (no per-row objects). */
async function forEachChunk(result: DuckDBResult, onChunk: (get: (col: number, row: number) => unknown, rows: number) => void): Promise<void> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    const vectors = Array.from({ length: chunk.columnCount }, (_, c) => chunk.getColumnVector(c));
    onChunk((c, r) => vectors[c]!.getItem(r), chunk.rowCount);
  }
}

async function scalar(conn: DuckDBConnection, sql: string): Promise<number> {
  const reader = await conn.runAndReadAll(sql);
  const v = reader.getRows()[0]?.[0];
  return v === null || v === undefined ? 0 : Number(v);
}

/**
 * Imports an interaction log into a dataset folder every other command reads: `train.txt`,
 * `valid.txt`, `test.txt` (the LightGCN layout), `users.tsv` / `items.tsv` (dense index → original
 * id), and `stats.json` (sizes, plus this summary under `import`). DuckDB parses, filters,
 * deduplicates (first occurrence kept, earliest time), k-cores and indexes the log out of core; the
 * seeded split runs on typed arrays (see `split.ts`). Users and items get dense indices in the order
 * of their ids (numerically when ids are integers, then as text). Bad input is a DtlError naming the
 * file, line (row for Parquet) and column.
 */
export async function runImport(options: ImportOptions): Promise<ImportSummary> {
  const t0 = performance.now();
  const input = options.input;
  const info = options.onInfo ?? (() => {});
  const warnings: string[] = [];
  const timings: Record<string, number> = {};
  let tPhase = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round(now - tPhase) / 1000;
    tPhase = now;
  };
  const warn = (w: string) => {
    warnings.push(w);
    info(`warning: ${w}`);
  };
  const header = options.header ?? IMPORT_DEFAULTS.header;
  const kcore = options.kcore ?? IMPORT_DEFAULTS.kcore;
  const splitKind = options.split ?? IMPORT_DEFAULTS.split;
  const validFrac = fraction('valid', options.valid ?? IMPORT_DEFAULTS.valid);
  const testFrac = fraction('test', options.test ?? IMPORT_DEFAULTS.test);
  const seed = options.seed ?? IMPORT_DEFAULTS.seed;
  if (!(testFrac > 0)) throw new DtlError('INVALID_ARGUMENT', '--test must be > 0: the test split is what dtl eval and train report');
  if (validFrac + testFrac >= 1) throw new DtlError('INVALID_ARGUMENT', `--valid ${validFrac} + --test ${testFrac} must leave a train fraction > 0`);
  if (!Number.isInteger(kcore) || kcore < 0) throw new DtlError('INVALID_ARGUMENT', `--kcore must be a non-negative integer, got ${kcore}`);
  if (options.minRating !== undefined && options.rating === undefined) throw new DtlError('INVALID_ARGUMENT', '--min-rating needs --rating COL');
  if (splitKind !== 'random' && options.time === undefined) throw new DtlError('INVALID_ARGUMENT', `--split ${splitKind} needs --time COL`);
  checkInputFile(input);
  const format = resolveFormat(input, options.format ?? IMPORT_DEFAULTS.format);

  // The source relation, every column as text.
  let separator: string | undefined;
  let source: string;
  let names: string[];
  let longSeparator = false;
  if (format === 'csv' || format === 'tsv') {
    const line = firstLine(input);
    if (line === undefined) throw new DtlError('INVALID_DATA', 'the file has only blank lines', { location: { file: input, line: 1 } });
    separator = options.sep !== undefined ? parseSeparator(options.sep) : sniffSeparator(line, format);
    if (separator === undefined) {
      throw new DtlError('INVALID_ARGUMENT', `cannot tell the separator from line 1 (${JSON.stringify(line.slice(0, 60))}): pass --sep`, { location: { file: input, line: 1 } });
    }
    longSeparator = Buffer.byteLength(separator) > 4;
    if (longSeparator) {
      // DuckDB's CSV reader takes separators of up to 4 bytes; longer ones are split here, line by line.
      const fields = line.split(separator);
      names = header ? fields.map((f) => f.trim()) : fields.map((_, c) => `column${c}`);
      const lines = `read_csv(${sqlString(input)}, columns={'__line': 'VARCHAR'}, header=false, delim=${sqlString('\u0001')}, quote='', escape='', auto_detect=false${header ? ', skip=1' : ''})`;
      source = `(SELECT ${names.map((n, c) => `string_split(__line, ${sqlString(separator!)})[${c + 1}] AS ${sqlIdent(n)}`).join(', ')} FROM ${lines})`;
    } else {
      // The columns are given (names from line 1), not sniffed: a malformed line then fails with its
      // line number instead of making the dialect sniffer give up on the whole file.
      const fields = splitFields(line, separator);
      names = header ? uniqueNames(fields) : fields.map((_, c) => `column${c}`);
      const columns = `{${names.map((n) => `${sqlString(n)}: 'VARCHAR'`).join(', ')}}`;
      source = `read_csv(${sqlString(input)}, delim=${sqlString(separator)}, header=${header}, auto_detect=false, quote='"', escape='"', columns=${columns})`;
    }
    const fields = line.split(separator);
    if (header && fields.length > 0 && fields.every((f) => /^\s*-?\d+(\.\d+)?\s*$/.test(f))) {
      warn(`line 1 (${JSON.stringify(line.slice(0, 60))}) looks like data, not a header: if the file has no header, pass --no-header`);
    }
  } else if (format === 'parquet') {
    source = `read_parquet(${sqlString(input)})`;
    names = [];
  } else {
    source = `read_json(${sqlString(input)}, format='newline_delimited')`;
    names = [];
  }

  const { DuckDBInstance } = await import('@duckdb/node-api');
  const temp = join(tmpdir(), `dtl-import-${process.pid}`);
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? IMPORT_DEFAULTS.threads),
    memory_limit: options.memoryLimit ?? IMPORT_DEFAULTS.memoryLimit,
    temp_directory: temp,
    preserve_insertion_order: 'true',
  });
  const conn = await instance.connect();
  try {
    await conn.run("SET TimeZone = 'UTC'");
  } catch {
    // Without the ICU extension DuckDB already reads times without an offset as UTC.
  }
  const duck = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof DtlError) throw error;
      const text = (error as Error).message;
      const csvLine = /CSV Error on Line: (\d+)/.exec(text);
      if (csvLine) {
        // DuckDB's CSV errors: "CSV Error on Line: N", "Original Line: …", then the reason.
        const lines = text.split('\n').map((l) => l.trim());
        const original = lines.find((l) => l.startsWith('Original Line:'))?.slice('Original Line:'.length).trim() ?? '';
        // The reason is the last non-empty line before "Possible fixes:" (the original line may span lines).
        const fixes = lines.findIndex((l) => l.startsWith('Possible fixes'));
        const reason = lines.slice(0, fixes < 0 ? lines.length : fixes).filter((l) => l !== '').pop() ?? '';
        throw new DtlError('INVALID_DATA', `cannot parse the line (${reason.replace(/\.$/, '')}; separator ${JSON.stringify(separator)}): ${JSON.stringify(original.slice(0, 120))}`, {
          location: { file: input, line: Number(csvLine[1]) },
          cause: error,
        });
      }
      const message = text.split('\n').filter((l) => l.trim() !== '').slice(0, 6).join(' | ');
      throw new DtlError('INVALID_DATA', `cannot ${what}: ${message}`, { location: { file: input }, cause: error });
    }
  };
  try {
    if (format === 'parquet' || format === 'jsonl') {
      const described = await duck('read the file', () => conn.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`));
      names = described.getRows().map((r) => String(r[0]));
    }
    const flagCols: Array<[string, string, string | undefined]> = [
      ['user', '--user', options.user],
      ['item', '--item', options.item],
      ['rating', '--rating', options.rating],
      ['time', '--time', options.time],
    ];
    const cols: Record<string, number> = {};
    for (const [key, flag, spec] of flagCols) if (spec !== undefined) cols[key] = resolveColumn(spec, names, flag, input, header || format === 'parquet' || format === 'jsonl');
    const colName = (key: string) => stripRecboleType(names[cols[key]!]!);
    const described = (key: string) => `column ${JSON.stringify(colName(key))} (index ${cols[key]})`;
    const pick = (key: string) => `CAST(${sqlIdent(names[cols[key]!]!)} AS VARCHAR)`;

    // rowid of a table created in insertion order = 0-based data row.
    const selects = [`trim(${pick('user')}) AS u`, `trim(${pick('item')}) AS i`];
    if (cols.rating !== undefined) selects.push(`trim(${pick('rating')}) AS r_raw`);
    if (cols.time !== undefined) selects.push(`trim(${pick('time')}) AS t_raw`);
    await duck('read the file', () => conn.run(`CREATE TABLE raw AS SELECT ${selects.join(', ')} FROM ${source}`));
    const rows = await scalar(conn, 'SELECT count(*) FROM raw');
    phase('read');
    if (rows === 0) {
      throw new DtlError('INVALID_DATA', header && format !== 'parquet' ? 'no data rows after the header line' : 'no data rows', { location: { file: input, line: header ? 2 : 1 } });
    }
    // TIMESTAMPTZ honours an offset (`…+02:00`, `…Z`); times without one are read as UTC (TimeZone set below).
    const timeExpr = `coalesce(try_cast(t_raw AS DOUBLE), epoch(try_cast(t_raw AS TIMESTAMPTZ)))`;
    const problems: Array<[string, string, string]> = [
      ['user', `u IS NULL OR u = ''`, 'empty user id'],
      ['item', `i IS NULL OR i = ''`, 'empty item id'],
    ];
    if (cols.rating !== undefined) problems.push(['rating', `r_raw IS NULL OR r_raw = '' OR try_cast(r_raw AS DOUBLE) IS NULL OR NOT isfinite(try_cast(r_raw AS DOUBLE))`, 'is not a number']);
    if (cols.time !== undefined) problems.push(['time', `t_raw IS NULL OR t_raw = '' OR ${timeExpr} IS NULL OR NOT isfinite(${timeExpr})`, 'is neither a number nor a date/timestamp']);
    const firstBad = await conn.runAndReadAll(
      `SELECT rowid, ${problems.map(([, cond], k) => `CASE WHEN ${cond} THEN ${k} END`).join(', ')}, ` +
        `${cols.rating !== undefined ? 'r_raw' : 'NULL'}, ${cols.time !== undefined ? 't_raw' : 'NULL'} ` +
        `FROM raw WHERE ${problems.map(([, cond]) => `(${cond})`).join(' OR ')} ORDER BY rowid LIMIT 1`,
    );
    const bad = firstBad.getRows()[0];
    if (bad) {
      const row = Number(bad[0]) + 1;
      const k = bad.slice(1, 1 + problems.length).find((v) => v !== null) as number;
      const [key, , what] = problems[Number(k)]!;
      const value = key === 'rating' ? bad[1 + problems.length] : key === 'time' ? bad[2 + problems.length] : undefined;
      const line = format === 'parquet' ? undefined : await physicalLine(input, row, header && format !== 'jsonl' ? 1 : 0);
      const shown = value === null || value === undefined || value === '' ? 'an empty value' : JSON.stringify(value);
      const text = key === 'user' || key === 'item' ? what : `${shown} ${what}`;
      throw new DtlError('INVALID_DATA', `row ${row}, ${described(key)}: ${text}`, { location: line !== undefined ? { file: input, line } : { file: input } });
    }

    // Filter on rating, dedup (first row wins, earliest time), k-core.
    const rCol = cols.rating !== undefined ? ', try_cast(r_raw AS DOUBLE) AS r' : '';
    const tCol = cols.time !== undefined ? `, ${timeExpr} AS t` : '';
    const where = options.minRating !== undefined ? `WHERE try_cast(r_raw AS DOUBLE) >= ${Number(options.minRating)}` : '';
    // Provisional dense ids in id order (integers numerically, then the rest as text), given before
    // dedup and k-core so those run on integers; the final ids are re-indexed over what is left.
    const order = (c: string) => `try_cast(${c} AS HUGEINT) NULLS LAST, ${c}`;
    await conn.run(`CREATE TABLE um AS SELECT u, (row_number() OVER (ORDER BY ${order('u')}) - 1)::INTEGER AS ui FROM (SELECT DISTINCT u FROM raw ${where})`);
    await conn.run(`CREATE TABLE im AS SELECT i, (row_number() OVER (ORDER BY ${order('i')}) - 1)::INTEGER AS ii FROM (SELECT DISTINCT i FROM raw ${where})`);
    await conn.run(
      `CREATE TABLE kept AS SELECT k.row, um.ui, im.ii${tCol ? ', k.t' : ''} FROM (SELECT rowid::INTEGER AS row, u, i${tCol} FROM raw ${where}) k ` +
        'JOIN um USING (u) JOIN im USING (i)',
    );
    const keptRows = await scalar(conn, 'SELECT count(*) FROM kept');
    if (keptRows === 0) {
      const range = await conn.runAndReadAll('SELECT min(try_cast(r_raw AS DOUBLE)), max(try_cast(r_raw AS DOUBLE)) FROM raw');
      const [lo, hi] = range.getRows()[0]!;
      throw new DtlError('INVALID_DATA', `no interactions left after --min-rating ${options.minRating}: ${described('rating')} ranges from ${lo} to ${hi} over ${rows} rows`, {
        location: { file: input },
      });
    }
    await conn.run('DROP TABLE raw');
    phase('validate+filter+index');
    // Dedup: the first row of a pair is kept, with the pair's earliest time.
    await conn.run(`CREATE TABLE inter AS SELECT ui, ii, min(row) AS row${cols.time !== undefined ? ', min(t) AS t' : ''} FROM kept GROUP BY ui, ii`);
    await conn.run('DROP TABLE kept');
    let count = await scalar(conn, 'SELECT count(*) FROM inter');
    phase('dedup');
    const duplicates = keptRows - count;
    let kcoreInfo: ImportSummary['kcore'];
    if (kcore > 1) {
      const before = count;
      let iterations = 0;
      for (;;) {
        iterations++;
        const removed = await conn.run(
          `DELETE FROM inter WHERE ui IN (SELECT ui FROM inter GROUP BY ui HAVING count(*) < ${kcore}) OR ii IN (SELECT ii FROM inter GROUP BY ii HAVING count(*) < ${kcore})`,
        );
        if (removed.rowsChanged === 0) break;
        count -= removed.rowsChanged;
      }
      kcoreInfo = { k: kcore, iterations, removed: before - count };
      if (count === 0) {
        throw new DtlError('INVALID_DATA', `no interactions left after the ${kcore}-core filter (${before} before it): lower --kcore`, { location: { file: input } });
      }
      phase('kcore');
    }

    const readIds = async (sql: string) => {
      const ids: string[] = [];
      await forEachChunk(await conn.run(sql), (get, n) => {
        for (let r = 0; r < n; r++) ids.push(String(get(0, r)));
      });
      return ids;
    };
    const userIds = await readIds('SELECT u FROM um ORDER BY ui');
    const itemIds = await readIds('SELECT i FROM im ORDER BY ii');
    const users = new Int32Array(count);
    const items = new Int32Array(count);
    const times = cols.time !== undefined ? new Float64Array(count) : undefined;
    let fill = 0;
    // Grouped by user; within a user by (time, file row) — the order leave-last reads and the random split shuffles from.
    const result = await conn.run(`SELECT ui, ii${times ? ', t' : ''} FROM inter ORDER BY ui${times ? ', t' : ''}, row`);
    await forEachChunk(result, (get, n) => {
      for (let r = 0; r < n; r++, fill++) {
        users[fill] = get(0, r) as number;
        items[fill] = get(1, r) as number;
        if (times) times[fill] = get(2, r) as number;
      }
    });
    conn.closeSync();
    instance.closeSync();

    phase('fetch');
    const data = { nUsers: userIds.length, nItems: itemIds.length, users, items, times };
    const { labels, temporalCuts } = assignSplits(data, { kind: splitKind, valid: validFrac, test: testFrac, seed });
    const final = finalizeSplits(data, labels);
    phase('split');
    const counts = { train: final.pairs.train.users.length, valid: final.pairs.valid.users.length, test: final.pairs.test.users.length };
    const splitText = `--split ${splitKind}${splitKind === 'leave-last' ? '' : ` --valid ${validFrac} --test ${testFrac}`}`;
    if (!labels.includes(TRAIN)) {
      const why = splitKind === 'temporal' ? `every interaction is at or after the cut time ${temporalCuts?.valid ?? temporalCuts?.test} (many equal timestamps?)` : 'no interaction was left for training';
      throw new DtlError('INVALID_DATA', `the train split is empty after ${splitText}: ${why}`, { location: { file: input } });
    }
    for (const [name, label] of [['test', TEST], ['valid', VALID]] as const) {
      if (name === 'valid' && validFrac === 0) continue;
      if (counts[name] > 0) continue;
      const assigned = labels.reduce((s, l) => s + (l === label ? 1 : 0), 0);
      const why =
        assigned === 0
          ? splitKind === 'leave-last'
            ? `no user has ${name === 'valid' ? 3 : 2} or more interactions`
            : splitKind === 'temporal'
              ? 'the time cut put nothing there (many equal timestamps?)'
              : `every user has too few interactions for a ${name} fraction of ${name === 'valid' ? validFrac : testFrac}`
          : `all ${assigned} of its interactions were cold (user or item absent from train) and dropped`;
      throw new DtlError('INVALID_DATA', `the ${name} split is empty after ${splitText}: ${why}; use a larger --${name === 'valid' ? 'valid' : 'test'}, another --split${name === 'valid' ? ' or --valid 0' : ''}`, {
        location: { file: input },
      });
    }

    const out = resolve(options.out);
    mkdirSync(out, { recursive: true });
    const csr = (p: { users: Int32Array; items: Int32Array }) => csrFromPairs(final.nUsers, final.nItems, p.users, p.items).csr;
    const summary: ImportSummary = {
      out,
      input: resolve(input),
      format,
      ...(separator !== undefined ? { separator } : {}),
      header,
      columns: Object.fromEntries(Object.keys(cols).map((k) => [k, colName(k)])),
      rows,
      belowMinRating: rows - keptRows,
      duplicates,
      ...(kcoreInfo ? { kcore: kcoreInfo } : {}),
      split: {
        kind: splitKind,
        valid: validFrac,
        test: testFrac,
        ...(splitKind === 'random' ? { seed } : {}),
        ...(temporalCuts ? { temporalCuts } : {}),
      },
      coldPolicy: COLD_POLICY,
      cold: final.cold,
      droppedUsers: final.droppedUsers,
      droppedItems: final.droppedItems,
      users: final.nUsers,
      items: final.nItems,
      interactions: counts,
      warnings,
      seconds: 0,
    };
    // A valid.txt left by an earlier import into this folder would be read as this dataset's validation split.
    if (validFrac === 0) rmSync(join(out, 'valid.txt'), { force: true });
    writeLightGcnDataset(
      out,
      {
        name: basename(out),
        nUsers: final.nUsers,
        nItems: final.nItems,
        train: csr(final.pairs.train),
        valid: validFrac > 0 ? csr(final.pairs.valid) : undefined,
        test: csr(final.pairs.test),
      },
      { id_maps: { users: 'users.tsv', items: 'items.tsv' }, import: { ...summary, seconds: undefined } },
    );
    writeIdMapFile(join(out, 'users.tsv'), Array.from(final.userOrigin, (p) => userIds[p]!));
    writeIdMapFile(join(out, 'items.tsv'), Array.from(final.itemOrigin, (p) => itemIds[p]!));
    phase('write');
    if (longSeparator) info(`separator ${JSON.stringify(separator)} is longer than DuckDB's 4-byte limit: lines were split by the import`);
    return { ...summary, seconds: (performance.now() - t0) / 1000, timings };
  } finally {
    try {
      conn.closeSync();
      instance.closeSync();
    } catch {
      // already closed
    }
    rmSync(temp, { recursive: true, force: true });
  }
}
