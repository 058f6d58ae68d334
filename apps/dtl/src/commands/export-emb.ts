import { join, resolve } from 'node:path';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { Option } from 'commander';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import type { DenseMatrix } from '@dtl/core';
import { formatFloat32, readIdMapFile, writeMatrixText } from '@dtl/data';
import { bestParametersOf, readCheckpoint, restoreBest } from '@dtl/models';
import { createOutput } from '../output.ts';
import { buildModel } from '../models.ts';
import { loadRunDataset, runPaths } from '../run-dir/index.ts';
import type { TrainConfig } from '../training.ts';

export const EXPORT_FORMATS = ['txt', 'npy', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * A matrix as a NumPy `.npy` file, format version 1.0: the magic `\x93NUMPY`, version 1.0, a
 * little-endian uint16 header length, the header dict (`'<f4'`, C order, shape) padded with spaces
 * and a newline so the data starts at a multiple of 64 bytes, then little-endian float32 data.
 * `numpy.load` reads it.
 */
export function formatNpy(m: DenseMatrix): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${m.rows}, ${m.dim}), }`;
  const unpadded = 10 + dict.length + 1;
  const headerLen = dict.length + 1 + ((64 - (unpadded % 64)) % 64);
  const head = Buffer.alloc(10 + headerLen, 0x20);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(headerLen, 8);
  head.write(dict, 10, 'latin1');
  head[10 + headerLen - 1] = 0x0a;
  let body: Buffer;
  if (endianness() === 'LE') {
    body = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  } else {
    body = Buffer.alloc(m.data.length * 4);
    for (let k = 0; k < m.data.length; k++) body.writeFloatLE(m.data[k]!, k * 4);
  }
  return Buffer.concat([head, body]);
}

/** A matrix as CSV: header `id,e0,…`, one row per index with its id (original when an id map is given). */
export function formatEmbeddingCsv(m: DenseMatrix, ids: readonly string[] | undefined): string {
  const field = (t: string) => (/[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
  const lines = [['id', ...Array.from({ length: m.dim }, (_, d) => `e${d}`)].join(',')];
  for (let r = 0; r < m.rows; r++) {
    const row = [field(ids ? ids[r]! : String(r))];
    for (let d = 0; d < m.dim; d++) row.push(formatFloat32(m.data[r * m.dim + d]!));
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}

function writeMatrix(path: string, m: DenseMatrix, format: ExportFormat, ids: readonly string[] | undefined): void {
  if (format === 'txt') writeMatrixText(path, m);
  else if (format === 'npy') writeFileSync(path, formatNpy(m));
  else writeFileSync(path, formatEmbeddingCsv(m, ids));
}

export function register(program: Command): void {
  program
    .command('export-emb')
    .description(
      "Write a train run's best-validation pooled embeddings as user.<fmt> / item.<fmt> (txt: the format dtl eval reads; npy: NumPy float32; " +
        'csv: id,e0,… with original ids), and copy the dataset\'s id maps (users.tsv, items.tsv) beside them',
    )
    .requiredOption('--run <rundir>', 'a dtl train run directory')
    .requiredOption('--out <dir>', 'output folder')
    .addOption(new Option('--format <f>', 'txt (whitespace floats), npy (numpy.load) or csv').choices([...EXPORT_FORMATS]).default('txt'))
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: { run: string; out: string; format: ExportFormat; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const ckptPath = runPaths(opts.run).checkpoint;
      // Exactly the data `dtl train` trained on (same folder, same carve), and its settings.
      const { data, spec, config: runConfig } = loadRunDataset(opts.run);
      const config = { ...runConfig, data: spec.dir } as TrainConfig;
      const ckpt = readCheckpoint(ckptPath);
      const best = bestParametersOf(ckpt.tensors);
      if (!best) throw new DtlError('INVALID_DATA', 'checkpoint has no best-epoch parameters', { location: { file: ckptPath } });
      const { model } = await buildModel(config, data, data.train, undefined);
      restoreBest(model, best);
      mkdirSync(opts.out, { recursive: true });
      // The id maps of an imported dataset travel with the embeddings: row r of user.* is users.tsv's index r.
      const maps: Record<string, string> = {};
      for (const name of ['users.tsv', 'items.tsv']) {
        const src = join(config.data, name);
        if (existsSync(src)) {
          copyFileSync(src, join(opts.out, name));
          maps[name.replace('.tsv', '')] = resolve(opts.out, name);
        }
      }
      const userIds = maps.users ? readIdMapFile(maps.users) : undefined;
      const itemIds = maps.items ? readIdMapFile(maps.items) : undefined;
      const userPath = resolve(opts.out, `user.${opts.format}`);
      const itemPath = resolve(opts.out, `item.${opts.format}`);
      writeMatrix(userPath, { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() }, opts.format, userIds);
      writeMatrix(itemPath, { rows: model.nItems, dim: model.dim, data: model.pooledItems() }, opts.format, itemIds);
      out.result({
        user: userPath,
        item: itemPath,
        format: opts.format,
        ...(Object.keys(maps).length ? { idMaps: maps } : {}),
        users: model.nUsers,
        items: model.nItems,
        dim: model.dim,
        epoch: (ckpt.meta as { bestEpoch?: number }).bestEpoch,
      });
    });
}
