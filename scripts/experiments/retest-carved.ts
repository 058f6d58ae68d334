/**
 * Re-evaluates the test metrics of finished `dtl train` runs whose validation split was carved from
 * train, masking the carved items at test time (they are training interactions of the published split;
 * `testMaskFor` in apps/dtl/src/training.ts does this for new runs). Runs made before that fix left the
 * carved items rankable at test time. Uses the run's saved best-valid embeddings, rebuilds the carve
 * from the run's own seed, and rewrites `result.json`: `test` becomes the corrected metrics, the old
 * ones are kept as `test_carved_valid_rankable`. Validation selection is unchanged (it never involved
 * test). Clean-protocol runs only; paper-protocol runs are listed to be rerun. Idempotent.
 *
 *   node --conditions=@dtl/source --import tsx scripts/experiments/retest-carved.ts runs/exp-toys-lightgcn [more dirs…]
 */
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrUnion } from '@dtl/core';
import { loadDataset, readMatrixText } from '@dtl/data';
import { evaluateRanking } from '@dtl/eval';

interface RunJson {
  config: { data: string; carveValid?: number; seed: number };
  protocol?: string;
}

function runDirs(dir: string): string[] {
  if (existsSync(join(dir, 'run.json'))) return [dir];
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((p) => statSync(p).isDirectory())
    .flatMap(runDirs);
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: retest-carved.ts <run or experiment dir>…\n');
  process.exit(2);
}
for (const dir of dirs.flatMap(runDirs)) {
  const resultPath = join(dir, 'result.json');
  if (!existsSync(resultPath)) {
    process.stdout.write(`skip ${dir}: not finished\n`);
    continue;
  }
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunJson;
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown>;
  if (result.valid_carved !== undefined || result.test_carved_valid_rankable !== undefined) {
    process.stdout.write(`skip ${dir}: already masks carved validation at test time\n`);
    continue;
  }
  const carve = run.config.carveValid ?? 0;
  const { data, report } = loadDataset(run.config.data, carve > 0 ? { carveValid: { fraction: carve, seed: run.config.seed } } : {});
  if (report.validSource !== 'carved' || !data.valid || !data.test) {
    process.stdout.write(`skip ${dir}: validation not carved\n`);
    continue;
  }
  if (run.protocol === 'paper') {
    process.stdout.write(`RERUN ${dir}: paper protocol (its mask includes judged items; not rebuilt here)\n`);
    continue;
  }
  const users = readMatrixText(join(dir, 'embeddings', 'user.txt'));
  const items = readMatrixText(join(dir, 'embeddings', 'item.txt'));
  const { metrics } = await evaluateRanking({ users, items, mask: csrUnion(data.train, data.valid), relevant: data.test, workers: 1 });
  const old = result.test as Record<string, number>;
  const updated = { ...result, test: metrics, test_carved_valid_rankable: old, valid_carved: true };
  const tmp = `${resultPath}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(updated, null, 2) + '\n');
  renameSync(tmp, resultPath);
  process.stdout.write(`${dir}: test R@20 ${old['recall@20']!.toFixed(4)} → ${metrics['recall@20']!.toFixed(4)}, N@20 ${old['ndcg@20']!.toFixed(4)} → ${metrics['ndcg@20']!.toFixed(4)}\n`);
}
