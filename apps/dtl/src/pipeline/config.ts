import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';
import { DtlError } from '@dtl/core';
import { printable } from '@dtl/data';
import { SAMPLER_NAMES } from '../samplers.ts';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

const trainSection = (defaults: { model: 'mf' | 'lightgcn'; sampler: (typeof SAMPLER_NAMES)[number] }) =>
  z
    .object({
      model: z.enum(['mf', 'lightgcn']).default(defaults.model).describe('CF model'),
      sampler: z.enum(SAMPLER_NAMES).default(defaults.sampler).describe('negative sampler'),
      epochs: positiveInt.default(300).describe('maximum epochs'),
      evalEvery: positiveInt.default(5).describe('evaluate on valid every K epochs'),
      patience: positiveInt.default(10).describe('stop after P evaluations without a better valid Recall@20'),
      lr: z.number().positive().default(1e-3),
      dim: positiveInt.default(64),
      layers: z.number().int().min(0).default(3).describe('LightGCN propagation layers'),
      batchSize: positiveInt.default(2048),
      l2: nonNegative.default(1e-4),
      optimizer: z.enum(['adam', 'lazy-adam', 'sgd']).default('adam'),
      negatives: positiveInt.default(1),
      candidates: positiveInt.default(10).describe('candidates per negative (dns, mixgcf, ahns, dtl)'),
      alphaCo: nonNegative.default(0.1).describe('DTL weight of the co-tree view'),
      alphaSe: nonNegative.default(0.3).describe('DTL weight of the se-tree view'),
      mixing: z.boolean().default(true).describe('DTL: MixGCF-style mixed negatives'),
    })
    .strict();

/** The `dtl run` configuration (JSON or YAML). Every field has a default; `{}` runs the embedded demo. */
export const pipelineConfigSchema = z
  .object({
    data: z.string().optional().describe('dataset folder; absent = the embedded synthetic dataset'),
    synthetic: z
      .object({ preset: z.enum(['tiny', 'default']).default('default'), seed: z.number().int().default(7) })
      .strict()
      .default({ preset: 'default', seed: 7 }),
    carveValid: z.number().min(0).max(0.5).default(0.1).describe('carve this fraction of train into validation when the dataset has none'),
    seed: z.number().int().default(2022),
    protocol: z.enum(['clean', 'paper']).default('clean').describe('paper = the authors\' leaky filter and masking'),
    threads: positiveInt.default(2),
    pretrain: trainSection({ model: 'lightgcn', sampler: 'rns' }).default(trainSection({ model: 'lightgcn', sampler: 'rns' }).parse({})),
    trees: z
      .object({
        builder: z.enum(['spectral-kmeans', 'louvain']).default('spectral-kmeans'),
        k: positiveInt.default(4),
        leafSize: positiveInt.default(30),
        dim: positiveInt.default(32).describe('spectral embedding size'),
        codesCo: z.string().optional().describe('use these co codes instead of building (authors\' format)'),
        codesSe: z.string().optional(),
        codesOffset: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ builder: 'spectral-kmeans', k: 4, leafSize: 30, dim: 32, codesOffset: 0 }),
    judge: z
      .object({
        llm: z.string().default('rule').describe('rule | openai:<model>@<baseURL> | ollama:<model> | gguf:<path>'),
        per: z.enum(['user', 'pair']).default('user'),
        candidates: positiveInt.default(20),
        users: positiveInt.optional().describe('judge only users 0..n-1'),
        threshold: z.number().min(0).max(1).default(1).describe('rule judge threshold'),
        ruleMode: z.enum(['either', 'both', 'mean', 'co', 'se']).default('either'),
        concurrency: positiveInt.optional(),
        timeoutMs: positiveInt.default(120_000),
        retries: z.number().int().min(0).default(2),
        tokenBudget: positiveInt.optional(),
        threads: positiveInt.default(1),
        batch: z
          .object({
            out: z.string().min(1).optional().describe('batch request file to write (default stages/judge/batch-requests.jsonl)'),
            in: z.string().min(1).optional().describe('batch results file (vllm run-batch / Batch API output); the stage continues when it exists'),
            format: z.enum(['json_schema', 'json_object', 'none']).default('json_schema').describe('response_format of the request lines'),
          })
          .strict()
          .optional()
          .describe('offline judging through batch files: the run pauses at the judge stage until `in` exists'),
      })
      .strict()
      .refine((j) => j.batch === undefined || j.llm.startsWith('openai:'), { message: 'judge.batch needs judge.llm: openai:<model>[@<baseURL>] (the model the batch engine serves)', path: ['batch'] })
      .default({ llm: 'rule', per: 'user', candidates: 20, threshold: 1, ruleMode: 'either', timeoutMs: 120_000, retries: 2, threads: 1 }),
    fn: z
      .object({
        use: z.enum(['positive', 'exclude', 'weighted', 'none']).default('positive').describe('how judged false negatives enter training'),
        weight: z.number().positive().default(0.5),
      })
      .strict()
      .default({ use: 'positive', weight: 0.5 }),
    train: trainSection({ model: 'lightgcn', sampler: 'dtl' }).default(trainSection({ model: 'lightgcn', sampler: 'dtl' }).parse({})),
  })
  .strict();

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;
export type TrainSectionConfig = PipelineConfig['train'];

/** Validates a config object; errors list every bad field with its path. */
export function parsePipelineConfig(value: unknown, source = '<config>'): PipelineConfig {
  const result = pipelineConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.length ? printable(i.path.join('.')) : '(root)'}: ${printable(i.message, { max: 300 })}`);
    throw new DtlError('INVALID_ARGUMENT', `invalid config:\n${lines.join('\n')}`, { location: { file: source } });
  }
  return result.data;
}

/** Reads a JSON or YAML config file. */
export function readPipelineConfig(path: string): PipelineConfig {
  const value = readConfigFile(path, 'config');
  return parsePipelineConfig(value, path);
}

/**
 * The embedded demo (`dtl run` with no config): the synthetic dataset, and a learning rate and epoch
 * budget that finish the whole pipeline in under two minutes here. A config file starts from the
 * paper's settings instead (lr 1e-3, up to 300 epochs, patience 10).
 */
export const DEMO_CONFIG = {
  pretrain: { lr: 0.005, epochs: 30, patience: 4 },
  // Leaves of 10 items: the synthetic catalogue is small (1,500 items), so leaves of 30 make codes too coarse.
  trees: { leafSize: 10 },
  train: { lr: 0.005, epochs: 30, patience: 4 },
} as const;

