import type { CellSummary } from './aggregate.ts';
import { meanStd } from './mean-std.ts';

/**
 * Paired comparison of two cells over the seeds both ran: per seed, variant − reference of one test
 * metric. Seeds fix initialisation, shuffling and sampling streams alike in every cell, so the paired
 * differences remove the between-seed variation that the unpaired mean ± std of each row keeps —
 * a gain smaller than either row's std can still be consistent seed by seed, or not.
 */
export interface PairedDifference {
  readonly metric: string;
  /** Seeds both cells ran (with the metric present). */
  readonly seeds: number;
  /** Mean and sample std (n − 1; 0 for one seed) of the per-seed differences. */
  readonly mean: number;
  readonly std: number;
  /** Seeds on which the variant is strictly higher. */
  readonly higher: number;
}

export function pairedDifference(variant: CellSummary, reference: CellSummary, metric: string): PairedDifference | undefined {
  const byReferenceSeed = new Map(reference.runs.map((r) => [r.seed, r.test?.[metric]]));
  const diffs: number[] = [];
  for (const run of variant.runs) {
    const v = run.test?.[metric];
    const r = byReferenceSeed.get(run.seed);
    if (v !== undefined && r !== undefined) diffs.push(v - r);
  }
  if (diffs.length === 0) return undefined;
  const { mean, std } = meanStd(diffs);
  return { metric, seeds: diffs.length, mean, std, higher: diffs.filter((d) => d > 0).length };
}

const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}`;

function cellText(d: PairedDifference | undefined): string {
  return d ? `${signed(d.mean)} ± ${d.std.toFixed(4)} | ${d.higher}/${d.seeds}` : '– | –';
}

/**
 * The paired table: every clean cell against its `pairedWith` cell, else against the strongest clean
 * baseline of each metric, over their shared seeds. LEAKY rows are left out (a paired difference would
 * present the leak as a gain). Returns '' when no cell shares two or more seeds with its reference.
 */
export function pairedMarkdown(cells: readonly CellSummary[], referenceR: CellSummary, referenceN: CellSummary): string {
  const byName = new Map(cells.map((c) => [c.name, c]));
  const rows: string[] = [];
  for (const c of cells) {
    if (c.leaky || c.seeds === 0) continue;
    const own = c.pairedWith !== undefined ? byName.get(c.pairedWith) : undefined;
    const refR = own ?? referenceR;
    const refN = own ?? referenceN;
    const r = c === refR ? undefined : pairedDifference(c, refR, 'recall@20');
    const n = c === refN ? undefined : pairedDifference(c, refN, 'ndcg@20');
    if ((r?.seeds ?? 0) < 2 && (n?.seeds ?? 0) < 2) continue;
    const vs = refR === refN ? refR.name : `${refR.name} (R@20), ${refN.name} (N@20)`;
    rows.push(`| ${c.group} | ${c.name} | ${vs} | ${cellText(r)} | ${cellText(n)} |`);
  }
  if (rows.length === 0) return '';
  return [
    'Paired over seeds (same seed in both cells): per-seed difference of test Recall@20 and NDCG@20 from the cell in "vs" (the strongest clean baseline unless the grid pairs the cell with another), mean ± sample std, and on how many of the shared seeds the row is higher. Cells with fewer than two shared seeds are left out.',
    '',
    '| group | variant | vs | Δ Recall@20 | higher (R@20) | Δ NDCG@20 | higher (N@20) |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n';
}
