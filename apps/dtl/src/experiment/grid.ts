import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';
import { DtlError } from '@dtl/core';

/**
 * An experiment grid: every cell is one `dtl train` configuration (its CLI arguments), run once per
 * seed. Cells marked `baseline` are compared with the others (relative gain over the strongest); a
 * cell's `pairedWith` names the cell its per-seed differences are taken from instead.
 */
export const gridSchema = z
  .object({
    name: z.string().default('experiment'),
    /** Concurrent training processes (each with `threads` threads). */
    parallel: z.number().int().positive().default(2),
    threads: z.number().int().positive().default(1),
    seeds: z.array(z.number().int()).min(1).default([2022, 2023, 2024]),
    /** Arguments given to every cell (e.g. ["--epochs", "1000"]). */
    common: z.array(z.string()).default([]),
    cells: z
      .array(
        z
          .object({
            name: z.string().min(1),
            /** Shown as a column; cells of one group form one table block. */
            group: z.string().default(''),
            args: z.array(z.string()),
            baseline: z.boolean().default(false),
            /** Seeds for this cell only (default: the grid's `seeds`). */
            seeds: z.array(z.number().int()).min(1).optional(),
            /** The cell this one is paired with, seed by seed, under the results table (default: the strongest clean baseline). */
            pairedWith: z.string().min(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type Grid = z.infer<typeof gridSchema>;
export type GridCell = Grid['cells'][number];

export function readGrid(path: string): Grid {
  const value = readConfigFile(path, 'experiment grid');
  const parsed = gridSchema.safeParse(value);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DtlError('INVALID_ARGUMENT', `invalid experiment grid:\n${lines.join('\n')}`, { location: { file: path } });
  }
  const names = new Set<string>();
  for (const c of parsed.data.cells) {
    if (names.has(c.name)) throw new DtlError('INVALID_ARGUMENT', `duplicate cell name "${c.name}"`, { location: { file: path } });
    names.add(c.name);
  }
  for (const c of parsed.data.cells) {
    if (c.pairedWith !== undefined && (!names.has(c.pairedWith) || c.pairedWith === c.name)) {
      throw new DtlError('INVALID_ARGUMENT', `cell "${c.name}": pairedWith "${c.pairedWith}" is not another cell of the grid`, { location: { file: path } });
    }
  }
  return parsed.data;
}

/** A file-system-safe folder name for a cell. */
export function cellSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._+-]+/g, '_');
}
