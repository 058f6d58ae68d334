import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSynthetic, writeLightGcnDataset } from '@dtl/data';
import { gridSchema } from './grid.ts';
import { runGrid } from './run-grid.ts';

const root = mkdtempSync(join(tmpdir(), 'dtl-grid-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = join(root, 'data');
writeLightGcnDataset(dataDir, generateSynthetic({ preset: 'tiny' }).data);

const common = ['--data', dataDir, '--model', 'mf', '--dim', '8', '--batch-size', '256', '--epochs', '2', '--eval-every', '1'];

describe('runGrid', () => {
  it('runs every cell × seed as a child process, logs each run, aggregates, and skips finished runs on rerun', async () => {
    const out = join(root, 'grid');
    const grid = gridSchema.parse({
      name: 'tiny grid',
      parallel: 2,
      seeds: [1, 2],
      common,
      cells: [
        { name: 'RNS', args: ['--sampler', 'rns'], baseline: true },
        { name: 'DNS x', args: ['--sampler', 'dns', '--candidates', '4'], seeds: [1] },
      ],
    });
    const info: string[] = [];
    const cells = await runGrid(grid, out, 'test', (line) => info.push(line));
    expect(info[0]).toBe('3 runs, 0 already finished, 3 to run (2 at a time)');
    expect(cells.map((c) => [c.name, c.seeds])).toEqual([
      ['RNS', 2],
      ['DNS x', 1],
    ]);
    for (const dir of ['RNS/1', 'RNS/2', 'DNS_x/1']) {
      const result = JSON.parse(readFileSync(join(out, dir, 'result.json'), 'utf8')) as { epochs_run: number };
      expect(result.epochs_run).toBe(2);
      const log = readFileSync(join(out, dir, 'train.log'), 'utf8');
      expect(log).toMatch(/^# .* dtl train --data /);
      expect(log).toMatch(/epoch 2 /);
    }
    const table = readFileSync(join(out, 'results.md'), 'utf8');
    expect(table).toContain('| RNS (baseline) | 2 |');
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).cells).toHaveLength(2);

    const again: string[] = [];
    await runGrid(grid, out, 'test', (line) => again.push(line));
    expect(again).toEqual(['3 runs, 3 already finished, 0 to run (2 at a time)']);
  });

  it('report only: tabulates the finished runs and starts nothing', async () => {
    const out = join(root, 'report-only');
    const grid = gridSchema.parse({ seeds: [1, 2], common, cells: [{ name: 'RNS', args: [], baseline: true }] });
    const info: string[] = [];
    const cells = await runGrid(grid, out, 'test', (line) => info.push(line), { reportOnly: true });
    expect(info).toEqual(['2 runs, 0 finished, 2 not (report only: nothing started)']);
    expect(cells[0]!.seeds).toBe(0);
    expect(existsSync(join(out, 'RNS'))).toBe(false);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('| RNS | 0 (not run yet) |');
  });

  it('reports a failing run with its log and keeps the others', async () => {
    const out = join(root, 'failing');
    const grid = gridSchema.parse({
      seeds: [1],
      common,
      cells: [
        { name: 'ok', args: [] },
        { name: 'bad', args: ['--sampler', 'no-such-sampler'] },
      ],
    });
    await expect(runGrid(grid, out, 'test', () => {})).rejects.toThrow(/1 runs failed:\n {2}bad seed 1 \(exit [1-9]\d*; see .*bad\/1\/train\.log\)/);
    expect(existsSync(join(out, 'ok', '1', 'result.json'))).toBe(true);
    expect(readFileSync(join(out, 'bad', '1', 'train.log'), 'utf8')).toMatch(/no-such-sampler/);
  });
});
