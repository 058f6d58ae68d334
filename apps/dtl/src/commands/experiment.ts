import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createOutput } from '../output.ts';
import { positiveInt } from './option-parsers.ts';
import { readGrid } from '../experiment/grid.ts';
import { runGrid } from '../experiment/run-grid.ts';

export function register(program: Command): void {
  program
    .command('experiment')
    .description('Run a grid of dtl train configurations × seeds (resumable) and write results.md / results.json with mean ± std')
    .requiredOption('--config <file>', 'grid (YAML or JSON): { name, parallel, threads, seeds, common: [args], cells: [{ name, group, args: [...], baseline }] }')
    .requiredOption('--out <dir>', 'experiment folder; rerun to resume')
    .option('--parallel <n>', "training processes at a time (overrides the grid's `parallel`; results do not depend on it)", positiveInt)
    .option('--report-only', 'only rewrite results.md / results.json from the finished runs (starts nothing; safe while the grid runs elsewhere)')
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: { config: string; out: string; parallel?: number; reportOnly?: boolean; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const read = readGrid(opts.config);
      const grid = opts.parallel === undefined ? read : { ...read, parallel: opts.parallel };
      const command = `pnpm dtl experiment --config ${opts.config} --out ${opts.out}`;
      const cells = await runGrid(grid, opts.out, command, (line) => out.info(line), { reportOnly: opts.reportOnly === true });
      out.result(
        { results: resolve(join(opts.out, 'results.md')), cells: cells.map((c) => ({ name: c.name, seeds: c.seeds, leaky: c.leaky, mean: c.mean, std: c.std })) },
        () => `wrote ${join(opts.out, 'results.md')}`,
      );
    });
}
