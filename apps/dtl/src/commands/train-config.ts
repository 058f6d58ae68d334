import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';
import type { Command } from 'commander';
import { DtlError } from '@dtl/core';
import { pipelineConfigSchema } from '../pipeline/config.ts';
import { MODEL_NAMES } from '../models.ts';
import { SAMPLER_OPTIONS_SHAPE } from '../samplers.ts';

/**
 * The `dtl train --config FILE` vocabulary: the keys of `dtl run`'s `train:` section (one schema, read
 * from `pipelineConfigSchema`), with `model` widened to every trainable model, plus the run-level
 * keys `dtl train` also takes as flags (`data`, `seed`, `carveValid`, `threads`, `protocol`) and the
 * DTL code files (`codesCo`, `codesSe`, `codesOffset`). Keys
 * are the camelCase flag names (`evalEvery` = `--eval-every`).
 */
export const trainConfigFileSchema = pipelineConfigSchema.shape.train
  .unwrap()
  .extend({
    model: z.enum(MODEL_NAMES).describe('CF model'),
    data: z.string().min(1).describe('dataset folder'),
    seed: z.number().int(),
    carveValid: z.number().min(0).max(0.5).describe('carve this fraction of train into validation when the dataset has none'),
    threads: z.number().int().positive(),
    protocol: z.enum(['clean', 'paper']),
    // The DTL code files: `dtl run` sets them from its trees stage, `dtl train` takes them like the flags.
    codesCo: SAMPLER_OPTIONS_SHAPE.codesCo,
    codesSe: SAMPLER_OPTIONS_SHAPE.codesSe,
    codesOffset: SAMPLER_OPTIONS_SHAPE.codesOffset,
  })
  .partial()
  .strict();

export type TrainConfigFile = z.infer<typeof trainConfigFileSchema>;

const RUN_LEVEL = ['data', 'seed', 'carveValid', 'threads', 'protocol'] as const;

/**
 * Reads and validates a train config (YAML, or JSON by extension). Either a flat object of the keys
 * above, or a whole `dtl run` config: then its `train:` section plus its run-level keys are used and
 * the other sections are ignored. Only keys written in the file are returned (no defaults), so flags
 * and the command's own defaults fill the rest. Errors list every bad key with its path.
 */
export function readTrainConfigFile(path: string): TrainConfigFile {
  let value = readConfigFile(path, 'the --config file');
  value ??= {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new DtlError('INVALID_DATA', 'config must be a mapping of keys to values', { location: { file: path } });
  let flat = value as Record<string, unknown>;
  if (flat.train !== undefined && typeof flat.train === 'object' && flat.train !== null) {
    const top = flat;
    flat = { ...(flat.train as Record<string, unknown>) };
    for (const key of RUN_LEVEL) if (top[key] !== undefined) flat[key] = top[key];
  }
  const result = trainConfigFileSchema.safeParse(flat);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new DtlError('INVALID_ARGUMENT', `invalid train config:\n${lines.join('\n')}`, { location: { file: path } });
  }
  // The train section's defaults (zod applies them even under .partial()) are dtl run's, not dtl train's: keep only written keys.
  return Object.fromEntries(Object.entries(result.data).filter(([key]) => flat[key] !== undefined)) as TrainConfigFile;
}

/**
 * Adds `--config FILE` to `dtl train`. When commander meets the flag, every key of the file is set
 * as the value of its option with source `config`, except options already given on the command
 * line (`getOptionValueSource` = `cli`); flags after `--config` override it as they are parsed. So
 * flags explicitly given always win over the file, and the file wins over the defaults. Required
 * options (`--data`) may come from the file.
 */
export function addTrainConfigOption(cmd: Command): Command {
  cmd.option('--config <file>', "YAML/JSON train settings: dtl run's train-section keys (model, sampler, epochs, lr, …) plus data, seed, carveValid, threads, protocol; flags override it");
  cmd.on('option:config', (path: string) => {
    const file = readTrainConfigFile(path);
    for (const [key, value] of Object.entries(file)) {
      if (value === undefined || cmd.getOptionValueSource(key) === 'cli') continue;
      cmd.setOptionValueWithSource(key, value, 'config');
    }
  });
  return cmd;
}
