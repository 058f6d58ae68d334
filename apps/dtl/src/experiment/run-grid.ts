import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DtlError } from '@dtl/core';
import type { Grid } from './grid.ts';
import { cellSlug } from './grid.ts';
import { resultsMarkdown, summarizeCell } from './aggregate.ts';
import type { CellSummary, SeedResult } from './aggregate.ts';
import { readResultJson, writeFileAtomic, writeJsonAtomic } from '../run-dir/index.ts';

interface Job {
  readonly cell: Grid['cells'][number];
  readonly seed: number;
  readonly dir: string;
}

function readResult(dir: string, seed: number): SeedResult | undefined {
  const r = readResultJson(dir);
  if (!r) return undefined;
  return { seed, test: r.test as SeedResult['test'], valid: r.valid, best_epoch: r.best_epoch, epochs_run: r.epochs_run, seconds_per_epoch: r.seconds_per_epoch, sample_share: r.sample_share, leaky: r.leaky };
}

/**
 * Runs every (cell × seed) as a `dtl train` child process, `parallel` at a time, into
 * `out/<cell>/<seed>/`. A finished run (result.json) is never rerun and an interrupted one resumes
 * from its checkpoint, so the whole grid can be killed and restarted. Writes `results.md` and
 * `results.json` after every finished run (and only them with `reportOnly`, e.g. while another process
 * runs the grid, or to tabulate a stopped one).
 */
export interface RunGridOptions {
  /** Only rewrite results.md / results.json from the runs already finished; start nothing. */
  readonly reportOnly?: boolean;
}

export async function runGrid(grid: Grid, outDir: string, command: string, onInfo: (line: string) => void, options: RunGridOptions = {}): Promise<CellSummary[]> {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  const jobs: Job[] = [];
  for (const cell of grid.cells) for (const seed of cell.seeds ?? grid.seeds) jobs.push({ cell, seed, dir: join(out, cellSlug(cell.name), String(seed)) });
  const bin = fileURLToPath(new URL('../bin.ts', import.meta.url));
  const binJs = fileURLToPath(new URL('../bin.js', import.meta.url));
  const entry = existsSync(bin) ? bin : binJs;
  // From source the children need the TypeScript loader even when this process was started without it
  // (e.g. inside a test runner).
  const hasTsx = process.execArgv.some((a) => a === 'tsx' || /^--(import|loader)=tsx$/.test(a));
  const nodeArgs = entry === bin && !hasTsx ? ['--conditions=@dtl/source', '--import', 'tsx'] : process.execArgv;
  const failures: string[] = [];
  const write = (): CellSummary[] => {
    const cells = grid.cells.map((cell) =>
      summarizeCell(cell, (cell.seeds ?? grid.seeds).map((seed) => readResult(join(out, cellSlug(cell.name), String(seed)), seed)).filter((r): r is SeedResult => r !== undefined)),
    );
    writeJsonAtomic(join(out, 'results.json'), { name: grid.name, command, seeds: grid.seeds, cells });
    writeFileAtomic(join(out, 'results.md'), resultsMarkdown(grid.name, command, cells));
    return cells;
  };
  const pending = jobs.filter((j) => !readResult(j.dir, j.seed));
  if (options.reportOnly) {
    onInfo(`${jobs.length} runs, ${jobs.length - pending.length} finished, ${pending.length} not (report only: nothing started)`);
    return write();
  }
  onInfo(`${jobs.length} runs, ${jobs.length - pending.length} already finished, ${pending.length} to run (${grid.parallel} at a time)`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const job = pending[next++]!;
      const args = [...nodeArgs, entry, 'train', ...grid.common, ...job.cell.args, '--seed', String(job.seed), '--threads', String(grid.threads), '--out', job.dir, '--json'];
      const t0 = performance.now();
      onInfo(`start ${job.cell.name} seed ${job.seed}`);
      mkdirSync(job.dir, { recursive: true });
      // The child's progress goes to train.log as it comes (appended: a resumed run keeps its history).
      const log = createWriteStream(join(job.dir, 'train.log'), { flags: 'a' });
      log.write(`# ${new Date().toISOString()} dtl train ${args.slice(nodeArgs.length + 2).join(' ')}\n`);
      const code = await new Promise<number>((resolveExit) => {
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        child.stderr.pipe(log, { end: false });
        child.on('error', (error) => log.write(`spawn failed: ${error.message}\n`));
        child.on('close', (c) => resolveExit(c ?? 1));
      });
      await new Promise<void>((done) => log.end(done));
      const r = readResult(job.dir, job.seed);
      if (code !== 0 || !r) failures.push(`${job.cell.name} seed ${job.seed} (exit ${code}; see ${join(job.dir, 'train.log')})`);
      else onInfo(`done  ${job.cell.name} seed ${job.seed}: test R@20 ${r.test?.['recall@20']?.toFixed(4)} N@20 ${r.test?.['ndcg@20']?.toFixed(4)} (best epoch ${r.best_epoch}, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      write();
    }
  };
  await Promise.all(Array.from({ length: Math.min(grid.parallel, Math.max(1, pending.length)) }, worker));
  const cells = write();
  if (failures.length) throw new DtlError('PROVIDER_FAILURE', `${failures.length} runs failed:\n  ${failures.join('\n  ')}`);
  return cells;
}
