import { join } from 'node:path';
import type { Csr, InteractionData } from '@dtl/core';
import { datasetStats } from './dataset-stats.ts';
import { writeTextFile } from './internal/io.ts';

/**
 * The LightGCN-layout text of a CSR: one line per row with ≥1 entry, `row col col …`, rows ascending,
 * columns in stored (ascending) order. Rows with no entries are omitted (as in every `shared/data`
 * folder), so the number of rows is not recoverable from this text alone: keep a `stats.json`.
 */
export function formatLightGcn(csr: Csr): string {
  const out: string[] = [];
  for (let r = 0; r < csr.nRows; r++) {
    const start = csr.indptr[r]!;
    const end = csr.indptr[r + 1]!;
    if (start === end) continue;
    out.push(`${r} ${csr.indices.subarray(start, end).join(' ')}`);
  }
  return out.length > 0 ? out.join('\n') + '\n' : '';
}

/** Writes a CSR in the LightGCN layout (see {@link formatLightGcn}); IO_ERROR on failure. */
export function writeLightGcnFile(path: string, csr: Csr): void {
  writeTextFile(path, formatLightGcn(csr));
}

/**
 * Writes a dataset folder that {@link loadDataset} reads back to the same {@link InteractionData}
 * (sizes included): `train.txt`, `valid.txt` / `test.txt` when the split exists, and `stats.json`
 * with `name`, `n_users`, `n_items`, interactions per split and density, spelled like the
 * `shared/data` files. Creates `dir` if needed. Extra top-level `stats.json` fields may be passed
 * in `extraStats` (e.g. provenance of a synthetic dataset).
 */
export function writeLightGcnDataset(dir: string, data: InteractionData, extraStats: Record<string, unknown> = {}): void {
  writeLightGcnFile(join(dir, 'train.txt'), data.train);
  if (data.valid) writeLightGcnFile(join(dir, 'valid.txt'), data.valid);
  if (data.test) writeLightGcnFile(join(dir, 'test.txt'), data.test);
  const s = datasetStats(data);
  const split = (name: 'train' | 'valid' | 'test', users: number) => ({
    interactions: s.interactions[name],
    users_with_interactions: users,
    file: `${name}.txt`,
  });
  const stats = {
    name: data.name,
    n_users: data.nUsers,
    n_items: data.nItems,
    total_interactions: s.interactions.total,
    density: s.density,
    splits: {
      train: split('train', s.usersWithTrain),
      ...(data.valid ? { valid: split('valid', s.usersWithValid) } : {}),
      ...(data.test ? { test: split('test', s.usersWithTest) } : {}),
    },
    ...extraStats,
  };
  writeTextFile(join(dir, 'stats.json'), JSON.stringify(stats, null, 1) + '\n');
}
