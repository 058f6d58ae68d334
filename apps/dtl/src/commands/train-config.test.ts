import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { isDtlError } from '@dtl/core';
import { buildProgram } from '../cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'train-config-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Parses `dtl train …` with the real options and returns the options the action would receive (training never starts). */
async function trainOptions(args: string[]): Promise<Record<string, unknown>> {
  const program = buildProgram();
  const train = program.commands.find((c: Command) => c.name() === 'train')!;
  let seen: Record<string, unknown> | undefined;
  train.action((opts: Record<string, unknown>) => {
    seen = opts;
  });
  await program.parseAsync(['node', 'dtl', 'train', ...args]);
  return seen!;
}

describe('dtl train --config', () => {
  const yaml = file('t.yaml', 'data: some/data\nmodel: lightgcn\nepochs: 7\nevalEvery: 2\nlr: 0.01\nalphaCo: 0.2\nmixing: false\n');

  it('takes values from the file, required --data included; the dtl train defaults fill the rest (not dtl run\'s)', async () => {
    const o = await trainOptions(['--config', yaml, '--out', 'r']);
    expect(o).toMatchObject({ data: 'some/data', model: 'lightgcn', epochs: 7, evalEvery: 2, lr: 0.01, alphaCo: 0.2, mixing: false });
    expect(o.sampler).toBe('rns');
    expect(o.patience).toBe(10);
  });

  it('flags given on the command line win, before or after --config', async () => {
    const after = await trainOptions(['--config', yaml, '--epochs', '3', '--data', 'cli/data', '--out', 'r']);
    const before = await trainOptions(['--epochs', '3', '--data', 'cli/data', '--config', yaml, '--out', 'r']);
    for (const o of [after, before]) expect(o).toMatchObject({ epochs: 3, data: 'cli/data', model: 'lightgcn', lr: 0.01 });
  });

  it('reads a whole dtl run config: its train section plus data and seed', async () => {
    const run = file('run.json', JSON.stringify({ data: 'run/data', seed: 9, pretrain: { epochs: 99 }, trees: { k: 3 }, train: { model: 'mf', sampler: 'dns', candidates: 4, epochs: 11 } }));
    const o = await trainOptions(['--config', run, '--out', 'r']);
    expect(o).toMatchObject({ data: 'run/data', seed: 9, model: 'mf', sampler: 'dns', candidates: 4, epochs: 11 });
  });

  it('rejects unknown keys and bad values with every path listed', async () => {
    const bad = file('bad.yaml', 'epochs: 0\nsampler: nope\nlearningRate: 1\n');
    const error = await trainOptions(['--config', bad, '--data', 'd', '--out', 'r']).catch((e: unknown) => e);
    expect(isDtlError(error, 'INVALID_ARGUMENT')).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('bad.yaml: invalid train config');
    for (const key of ['epochs:', 'sampler:', 'learningRate']) expect(message).toContain(key);
  });
});
