import { availableParallelism } from 'node:os';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import type { Csr } from '@dtl/core';
import { formatFloat32, readIdMapFile, readMatrixText } from '@dtl/data';
import { RECOMMEND_DEFAULTS, recommendPopular, recommendTopK } from '@dtl/eval';
import { createOutput } from '../output.ts';
import { testMaskFor } from '../protocol.ts';
import { loadRunDataset, readRunJson, runPaths } from '../run-dir/index.ts';
import type { TrainConfig } from '../training.ts';
import { positiveInt } from './option-parsers.ts';

interface RecommendOptions {
  run: string;
  k: number;
  users?: string;
  excludeTrain: 'true' | 'false';
  format: 'csv' | 'jsonl';
  out: string;
  json?: boolean;
}

/** A CSV field (RFC 4180 quoting when needed). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The id maps of a dataset folder (`users.tsv`, `items.tsv` written by `dtl data import`), when both exist. */
export function readDatasetIdMaps(dataDir: string, nUsers: number, nItems: number): { users: string[]; items: string[] } | undefined {
  const up = join(dataDir, 'users.tsv');
  const ip = join(dataDir, 'items.tsv');
  if (!existsSync(up) || !existsSync(ip)) return undefined;
  const users = readIdMapFile(up);
  const items = readIdMapFile(ip);
  if (users.length !== nUsers || items.length !== nItems) {
    throw new DtlError('INVALID_DATA', `id maps list ${users.length} users × ${items.length} items but the dataset has ${nUsers} × ${nItems}`, { location: { file: up } });
  }
  return { users, items };
}

/** Reads a train run's config (run.json, through `run-dir/`). */
export function readRunConfig(runDir: string): Partial<TrainConfig> {
  return readRunJson(runDir).config;
}

/** Rows of the `--users` file: one id a line (original ids when the dataset has id maps, else indices); blank lines skipped. */
function readUserList(path: string): Array<{ id: string; line: number }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DtlError('NOT_FOUND', 'cannot read the --users file', { location: { file: path }, cause });
  }
  const out: Array<{ id: string; line: number }> = [];
  text.split('\n').forEach((raw, n) => {
    const id = raw.replace(/\r$/, '').trim();
    if (id !== '') out.push({ id, line: n + 1 });
  });
  if (out.length === 0) throw new DtlError('INVALID_DATA', 'the --users file lists no user', { location: { file: path, line: 1 } });
  return out;
}

const rowsOf = (csr: Csr, u: number) => csr.indptr[u + 1]! - csr.indptr[u]!;

export function register(program: Command): void {
  program
    .command('recommend')
    .description(
      "Top-K recommendations per user from a dtl train run's best-validation embeddings: rows user,item,rank,score,source with the " +
        'original ids when the dataset has users.tsv/items.tsv (indices otherwise); training items masked as dtl eval masks them',
    )
    .requiredOption('--run <rundir>', 'a finished dtl train run directory (run.json, embeddings/)')
    .option('--k <n>', 'recommendations per user', positiveInt, RECOMMEND_DEFAULTS.k)
    .option('--users <file>', 'only these users: one id a line (original ids when the dataset has id maps); default every user')
    .addOption(new Option('--exclude-train <bool>', "never recommend a user's training items").choices(['true', 'false']).default('true'))
    .addOption(new Option('--format <f>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .requiredOption('--out <file>', 'output file')
    .option('--json', 'print one JSON summary object as the last stdout line')
    .addHelpText(
      'after',
      '\nUsers with no training interaction (and --users ids the dataset does not know) get the most popular training items,\n' +
        'labelled source=popularity with the training count as score; every other row is source=model.',
    )
    .action(async (opts: RecommendOptions) => {
      const out = createOutput(Boolean(opts.json));
      const t0 = performance.now();
      // Exactly the data `dtl train` trained on: same folder, same carve of validation.
      const { data, validCarved, spec } = loadRunDataset(opts.run);
      const { embeddings: embDir, userEmbeddings: userPath, itemEmbeddings: itemPath } = runPaths(opts.run);
      if (!existsSync(userPath) || !existsSync(itemPath)) {
        throw new DtlError('NOT_FOUND', `${embDir}/user.txt and item.txt not found: the run has not finished (rerun dtl train with the same --out to resume)`);
      }
      const users = readMatrixText(userPath);
      const items = readMatrixText(itemPath);
      if (users.rows !== data.nUsers || items.rows !== data.nItems) {
        throw new DtlError('INVALID_DATA', `embeddings are ${users.rows} users × ${items.rows} items but ${spec.dir} has ${data.nUsers} × ${data.nItems}`, {
          location: { file: users.rows !== data.nUsers ? userPath : itemPath },
        });
      }
      const maps = readDatasetIdMaps(spec.dir, data.nUsers, data.nItems);
      const userName = maps ? (u: number) => maps.users[u]! : (u: number) => String(u);
      const itemName = maps ? (i: number) => maps.items[i]! : (i: number) => String(i);

      // Who: every user, or the listed ones (unknown ids fall back to popularity, reported).
      type Target = { name: string; index: number | undefined };
      let targets: Target[];
      const unknown: string[] = [];
      if (opts.users) {
        const lookup = new Map<string, number>();
        if (maps) maps.users.forEach((id, u) => lookup.set(id, u));
        targets = readUserList(opts.users).map(({ id }) => {
          const index = maps ? lookup.get(id) : /^\d+$/.test(id) && Number(id) < data.nUsers ? Number(id) : undefined;
          if (index === undefined) unknown.push(id);
          return { name: id, index };
        });
      } else {
        targets = Array.from({ length: data.nUsers }, (_, u) => ({ name: userName(u), index: u }));
      }
      const modelUsers = targets.filter((t) => t.index !== undefined && rowsOf(data.train, t.index) > 0).map((t) => t.index!);
      const coldKnown = targets.filter((t) => t.index !== undefined && rowsOf(data.train, t.index) === 0).length;

      const mask = opts.excludeTrain === 'true' ? testMaskFor(data.train, data, validCarved) : undefined;
      const workers = modelUsers.length * data.nItems >= 3e8 ? Math.min(2, availableParallelism()) : 1;
      const t1 = performance.now();
      const rec = await recommendTopK({ users, items, mask, userIds: Int32Array.from(modelUsers), k: opts.k, workers });
      const t2 = performance.now();
      const rowOf = new Map<number, number>();
      modelUsers.forEach((u, j) => rowOf.set(u, j));
      const popular = recommendPopular(data.train, opts.k);

      mkdirSync(dirname(resolve(opts.out)), { recursive: true });
      const fd = openSync(opts.out, 'w');
      let rows = 0;
      let popularityUsers = 0;
      try {
        const parts: string[] = [];
        const flush = (force: boolean) => {
          if (parts.length >= 4096 || (force && parts.length > 0)) {
            writeSync(fd, parts.join(''));
            parts.length = 0;
          }
        };
        const csv = opts.format === 'csv';
        if (csv) parts.push('user,item,rank,score,source\n');
        const emit = (user: string, item: string, rank: number, score: string, source: 'model' | 'popularity') => {
          parts.push(
            csv
              ? `${csvField(user)},${csvField(item)},${rank},${score},${source}\n`
              : `${JSON.stringify({ user, item, rank, score: Number(score), source })}\n`,
          );
          rows++;
          flush(false);
        };
        for (const t of targets) {
          const j = t.index !== undefined ? rowOf.get(t.index) : undefined;
          if (j !== undefined) {
            for (let r = 0; r < rec.k; r++) {
              const item = rec.items[j * rec.k + r]!;
              if (item < 0) break;
              emit(t.name, itemName(item), r + 1, formatFloat32(rec.scores[j * rec.k + r]!), 'model');
            }
          } else {
            popularityUsers++;
            for (let r = 0; r < popular.items.length; r++) emit(t.name, itemName(popular.items[r]!), r + 1, String(popular.counts[r]!), 'popularity');
          }
        }
        flush(true);
      } finally {
        closeSync(fd);
      }
      const t3 = performance.now();
      if (coldKnown > 0) out.info(`${coldKnown} user(s) have no training interaction: recommended the ${opts.k} most popular training items (source=popularity, score = training count)`);
      if (unknown.length > 0) {
        out.info(
          `${unknown.length} --users id(s) are not in the dataset${maps ? '' : ' (no id maps: ids are user indices)'}, e.g. ${unknown.slice(0, 3).map((u) => JSON.stringify(u)).join(', ')}: ` +
            'recommended the most popular training items (source=popularity)',
        );
      }
      const summary = {
        out: resolve(opts.out),
        format: opts.format,
        k: opts.k,
        users: targets.length,
        modelUsers: modelUsers.length,
        popularityUsers,
        unknownUsers: unknown.length,
        rows,
        excludeTrain: opts.excludeTrain === 'true',
        idMaps: Boolean(maps),
        seconds: { load: (t1 - t0) / 1000, rank: (t2 - t1) / 1000, write: (t3 - t2) / 1000 },
      };
      out.result(summary, () =>
        `wrote ${rows.toLocaleString('en-US')} recommendations (top ${opts.k} for ${targets.length.toLocaleString('en-US')} users, ${popularityUsers} by popularity${maps ? ', original ids' : ', indices: the dataset has no id maps'}) to ${summary.out}; ` +
        `load ${summary.seconds.load.toFixed(2)} s, rank ${summary.seconds.rank.toFixed(2)} s, write ${summary.seconds.write.toFixed(2)} s`,
      );
    });
}
