/**
 * Re-reads a `dtl experiment` output directory and reports every cell as if its runs had been given a
 * smaller epoch budget: per run, the test metrics at the best validation Recall@20 among the
 * evaluations at epochs ≤ budget (what `--epochs <budget>` would have selected, since a run's first
 * `budget` epochs do not depend on its epoch limit). Selection reads validation only. With `--last`, the
 * test metrics of the last evaluation at an epoch ≤ budget instead (a fixed number of epochs, no
 * selection at all — for splits where a validation carved from train is a poor proxy of test, e.g. a
 * temporal test split).
 *
 *   node --conditions=@dtl/source --import tsx scripts/experiments/epoch-budget.ts runs/exp-toys-lightgcn 80 [--last]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Eval {
  epoch: number;
  valid?: Record<string, number>;
  test?: Record<string, number>;
}

function meanStd(xs: number[]): string {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(4)} ± ${sd.toFixed(4)}`;
}

const [dir, budgetArg, mode] = process.argv.slice(2);
const budget = Number(budgetArg);
const last = mode === '--last';
if (!dir || !existsSync(dir) || !(budget > 0) || (mode !== undefined && !last)) {
  process.stderr.write('usage: epoch-budget.ts <experiment-out-dir> <epochs> [--last]\n');
  process.exit(2);
}
const rows: string[] = [];
for (const cell of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
  const picks: Array<{ epoch: number; recall: number; ndcg: number }> = [];
  for (const seed of readdirSync(join(dir, cell)).sort()) {
    const file = join(dir, cell, seed, 'result.json');
    if (!existsSync(file)) continue;
    const history = (JSON.parse(readFileSync(file, 'utf8')) as { history: Eval[] }).history;
    let best: Eval | undefined;
    for (const h of history) {
      if (h.epoch > budget || !h.valid || !h.test) continue;
      if (!best || (last ? h.epoch > best.epoch : h.valid['recall@20']! > best.valid!['recall@20']!)) best = h;
    }
    if (best) picks.push({ epoch: best.epoch, recall: best.test!['recall@20']!, ndcg: best.test!['ndcg@20']! });
  }
  if (picks.length === 0) continue;
  rows.push(`| ${cell} | ${picks.length} | ${meanStd(picks.map((p) => p.recall))} | ${meanStd(picks.map((p) => p.ndcg))} | ${picks.map((p) => p.epoch).join(', ')} |`);
}
const what = last ? 'last evaluation ≤ budget' : 'best validation ≤ budget';
process.stdout.write(`Epoch budget ${budget}, test at the ${what} — ${dir}\n\n| cell | seeds | Recall@20 | NDCG@20 | ${last ? 'epochs' : 'best-valid epochs'} |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
