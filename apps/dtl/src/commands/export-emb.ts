import { join, resolve } from 'node:path';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import { writeMatrixText } from '@dtl/data';
import { readCheckpoint, restoreBest } from '@dtl/models';
import { createOutput } from '../output.ts';
import { buildModel, loadForTraining } from '../training.ts';
import type { TrainConfig } from '../training.ts';

export function register(program: Command): void {
  program
    .command('export-emb')
    .description("Write a train run's best-validation pooled embeddings as user.txt / item.txt (the format dtl eval reads)")
    .requiredOption('--run <rundir>', 'a dtl train run directory')
    .requiredOption('--out <dir>', 'output folder')
    .option('--json', 'print one JSON object as the last stdout line')
    .action(async (opts: { run: string; out: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const runJson = join(opts.run, 'run.json');
      const ckptPath = join(opts.run, 'checkpoint.bin');
      if (!existsSync(runJson)) throw new DtlError('NOT_FOUND', `${runJson} not found: is ${opts.run} a dtl train run?`);
      const { config } = JSON.parse(readFileSync(runJson, 'utf8')) as { config: TrainConfig };
      const ckpt = readCheckpoint(ckptPath);
      const best = ckpt.tensors['best.embeddings.0'];
      if (!best) throw new DtlError('INVALID_DATA', 'checkpoint has no best-epoch parameters', { location: { file: ckptPath } });
      const data = loadForTraining(config.data, config.carveValid, config.seed);
      const { model } = await buildModel(config, data, data.train, undefined);
      restoreBest(model, best);
      mkdirSync(opts.out, { recursive: true });
      const userPath = resolve(opts.out, 'user.txt');
      const itemPath = resolve(opts.out, 'item.txt');
      writeMatrixText(userPath, { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() });
      writeMatrixText(itemPath, { rows: model.nItems, dim: model.dim, data: model.pooledItems() });
      out.result({ user: userPath, item: itemPath, users: model.nUsers, items: model.nItems, dim: model.dim, epoch: (ckpt.meta as { bestEpoch?: number }).bestEpoch });
    });
}
