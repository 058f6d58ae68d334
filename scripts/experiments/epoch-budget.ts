/**
 * Re-reads a `dtl experiment` output directory and reports every cell as if its runs had been given a
 * smaller epoch budget: per run, the test metrics at the best validation Recall@20 among the
 * evaluations at epochs ≤ budget (what `--epochs <budget>` would have selected, since a run's first
 * `budget` epochs do not depend on its epoch limit). Selection reads validation only.
 *
 *   node --conditions=@dtl/source --import tsx scripts/experiments/epoch-budget.ts runs/exp-toys-lightgcn 80
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

const [dir, budgetArg] = process.argv.slice(2);
const budget = Number(budgetArg);
if (!dir || !existsSync(dir) || !(budget > 0)) {
  process.stderr.write('usage: epoch-budget.ts <experiment-out-dir> <epochs>\n');
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
      if (!best || h.valid['recall@20']! > best.valid!['recall@20']!) best = h;
    }
    if (best) picks.push({ epoch: best.epoch, recall: best.test!['recall@20']!, ndcg: best.test!['ndcg@20']! });
  }
  if (picks.length === 0) continue;
  rows.push(`| ${cell} | ${picks.length} | ${meanStd(picks.map((p) => p.recall))} | ${meanStd(picks.map((p) => p.ndcg))} | ${picks.map((p) => p.epoch).join(', ')} |`);
}
process.stdout.write(`Epoch budget ${budget} — ${dir}\n\n| cell | seeds | Recall@20 | NDCG@20 | best-valid epochs |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
