/**
 * The accuracy-vs-wall-time curve of `dtl train` runs (issue 18 part 2): for every evaluated epoch, the
 * wall seconds so far (training plus evaluation, from the epoch records), valid and test Recall@20 /
 * NDCG@20. Reads `result.json`, or the checkpoint's history while a run is still going (or was stopped).
 * One markdown table per run directory.
 *
 *   node --conditions=@dtl/source --import tsx scripts/experiments/curve-table.ts RUN [RUN …] [--every N]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitCheckpointPath, loadFitCheckpoint } from '@dtl/models';
import type { EpochRecord } from '@dtl/models';

const args = process.argv.slice(2);
const everyAt = args.indexOf('--every');
const every = everyAt >= 0 ? Number(args[everyAt + 1]) : 1;
const dirs = args.filter((a, i) => !a.startsWith('--') && (everyAt < 0 || i !== everyAt + 1));
if (dirs.length === 0 || !(every >= 1)) {
  console.error('usage: curve-table.ts RUN [RUN …] [--every N]');
  process.exit(2);
}

function historyOf(dir: string): { history: readonly EpochRecord[]; finished: boolean } {
  const result = join(dir, 'result.json');
  if (existsSync(result)) return { history: (JSON.parse(readFileSync(result, 'utf8')) as { history: EpochRecord[] }).history, finished: true };
  const ckpt = loadFitCheckpoint<EpochRecord>(fitCheckpointPath(dir), undefined);
  if (!ckpt) throw new Error(`${dir}: neither result.json nor a checkpoint`);
  return { history: ckpt.meta.history, finished: false };
}

const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(4));
for (const dir of dirs) {
  const { history, finished } = historyOf(dir);
  console.log(`\n${dir}${finished ? '' : ' (running or stopped: from its last checkpoint)'}\n`);
  console.log('| epoch | wall s | valid R@20 | valid N@20 | test R@20 | test N@20 |');
  console.log('|---|---|---|---|---|---|');
  let wall = 0;
  let n = 0;
  for (const h of history) {
    wall += h.seconds + (h.evalSeconds ?? 0);
    if (!h.valid && !h.test) continue;
    if (n++ % every !== 0 && h !== history[history.length - 1]) continue;
    console.log(`| ${h.epoch} | ${wall.toFixed(0)} | ${f(h.valid?.['recall@20'])} | ${f(h.valid?.['ndcg@20'])} | ${f(h.test?.['recall@20'])} | ${f(h.test?.['ndcg@20'])} |`);
  }
}
