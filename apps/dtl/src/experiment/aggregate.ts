import type { GridCell } from './grid.ts';
import { meanStd } from './mean-std.ts';
import { pairedMarkdown } from './paired.ts';

export interface SeedResult {
  readonly seed: number;
  readonly test: Record<string, number> | undefined;
  readonly valid: Record<string, number> | undefined;
  readonly best_epoch: number;
  readonly epochs_run: number;
  readonly seconds_per_epoch: number;
  readonly sample_share: number;
  readonly leaky: boolean;
}

export interface CellSummary {
  readonly name: string;
  readonly group: string;
  readonly baseline: boolean;
  /** The cell to pair with in the paired table (default: the strongest clean baseline). */
  readonly pairedWith: string | undefined;
  readonly leaky: boolean;
  readonly seeds: number;
  readonly mean: Record<string, number>;
  readonly std: Record<string, number>;
  readonly bestEpoch: number;
  readonly secondsPerEpoch: number;
  readonly sampleShare: number;
  readonly runs: readonly SeedResult[];
}

const METRICS = ['recall@20', 'ndcg@20', 'precision@20', 'hit@20', 'recall@50', 'ndcg@50'];

export function summarizeCell(cell: GridCell, runs: readonly SeedResult[]): CellSummary {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const m of METRICS) {
    const r = meanStd(runs.map((x) => x.test?.[m]).filter((v): v is number => v !== undefined));
    mean[m] = r.mean;
    std[m] = r.std;
  }
  const avg = (f: (r: SeedResult) => number): number => meanStd(runs.map(f)).mean;
  return {
    name: cell.name,
    group: cell.group,
    baseline: cell.baseline,
    pairedWith: cell.pairedWith,
    leaky: runs.some((r) => r.leaky),
    seeds: runs.length,
    mean,
    std,
    bestEpoch: avg((r) => r.best_epoch),
    secondsPerEpoch: avg((r) => r.seconds_per_epoch),
    sampleShare: avg((r) => r.sample_share),
    runs,
  };
}

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '–');

/**
 * The markdown results table: mean ± std over seeds and the gain over the strongest clean baseline,
 * then the paired per-seed differences from that baseline (`paired.ts`).
 */
export function resultsMarkdown(title: string, command: string, cells: readonly CellSummary[]): string {
  const baselines = cells.filter((c) => c.baseline && !c.leaky && Number.isFinite(c.mean['recall@20']!));
  const best = (metric: string): CellSummary | undefined =>
    baselines.reduce<CellSummary | undefined>((b, c) => (b === undefined || c.mean[metric]! > b.mean[metric]! ? c : b), undefined);
  const bestR = best('recall@20');
  const bestN = best('ndcg@20');
  const gain = (c: CellSummary, metric: string, b: CellSummary | undefined): string => {
    if (!b || c.baseline || !Number.isFinite(c.mean[metric]!)) return '';
    const g = (100 * (c.mean[metric]! - b.mean[metric]!)) / b.mean[metric]!;
    return `${g >= 0 ? '+' : ''}${g.toFixed(1)}%`;
  };
  const lines = [
    `### ${title}`,
    '',
    `Command: \`${command}\``,
    '',
    'Test metrics at the best-validation epoch, mean ± sample std over seeds. Gains are relative to the strongest clean baseline' +
      (bestR ? ` (Recall@20: ${bestR.name}; NDCG@20: ${bestN?.name})` : '') +
      '. Rows marked LEAKY used held-out labels (paper protocol) and are not comparable with the others.',
    '',
    '| group | variant | seeds | Recall@20 | NDCG@20 | gain R@20 | gain N@20 | best epoch | s/epoch | sampling share |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    if (c.seeds === 0) {
      lines.push(`| ${c.group} | ${c.name} | 0 (not run yet) | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${c.group} | ${c.name}${c.leaky ? ' **LEAKY**' : ''}${c.baseline ? ' (baseline)' : ''} | ${c.seeds} | ${f4(c.mean['recall@20']!)} ± ${f4(c.std['recall@20']!)} | ${f4(c.mean['ndcg@20']!)} ± ${f4(c.std['ndcg@20']!)} | ${gain(c, 'recall@20', bestR)} | ${gain(c, 'ndcg@20', bestN)} | ${c.bestEpoch.toFixed(0)} | ${c.secondsPerEpoch.toFixed(2)} | ${(100 * c.sampleShare).toFixed(0)}% |`,
    );
  }
  const paired = bestR && bestN ? pairedMarkdown(cells, bestR, bestN) : '';
  return lines.join('\n') + '\n' + (paired ? `\n${paired}` : '');
}
