import { z } from 'zod';
import { readConfigFile } from '../config-file.ts';
import { DtlError } from '@dtl/core';
import { printable } from '@dtl/data';
import { DTL_SAMPLER_DEFAULTS } from '@dtl/sampler';
import { APP_CANDIDATES_DEFAULT, SAMPLER_NAMES, SAMPLER_OPTIONS_SHAPE } from '../samplers.ts';
import type { SamplerName } from '../samplers.ts';
import { DEFAULT_THREADS, DEFAULT_TRAIN_CONFIG, RUN_SECTION_DEFAULTS } from '../train-defaults.ts';
import { TRAIN_OPTIONS_SHAPE } from '../train-vocabulary.ts';
import { JUDGE_DEFAULTS, TREES_DEFAULTS } from '../stage-defaults.ts';

const positiveInt = z.number().int().positive();

const d = DEFAULT_TRAIN_CONFIG;
const t = TRAIN_OPTIONS_SHAPE;
const T = TREES_DEFAULTS;
const J = JUDGE_DEFAULTS;
// The sampler keys of the train vocabulary (samplers.ts, help text and ranges from the registry). The
// pipeline sets the code files itself (trees stage), and keeps defaults on the four keys it always
// had so their stage keys stay; the other sampler keys are absent unless written (= the sampler's default).
const { codesCo: _codesCo, codesSe: _codesSe, codesOffset: _codesOffset, candidates, alphaCo, alphaSe, mixing, ...optionalSamplerKeys } = SAMPLER_OPTIONS_SHAPE;
const optionalSamplerShape = Object.fromEntries(Object.entries(optionalSamplerKeys).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof optionalSamplerKeys]: z.ZodOptional<(typeof optionalSamplerKeys)[K]>;
};

/** A `dtl run` train section (pretrain, train; the baseline's overrides are these keys too). */
const trainSection = (defaults: { model: 'mf' | 'lightgcn'; sampler: SamplerName; epochs: number }) =>
  z
    .object({
      model: z.enum(['mf', 'lightgcn']).default(defaults.model).describe('CF model'),
      sampler: z.enum(SAMPLER_NAMES).default(defaults.sampler).describe('negative sampler'),
      epochs: t.epochs.default(defaults.epochs),
      evalEvery: t.evalEvery.default(d.evalEvery),
      patience: t.patience.default(d.patience),
      lr: t.lr.default(d.lr),
      dim: t.dim.default(d.dim),
      layers: t.layers.default(d.layers),
      batchSize: t.batchSize.default(d.batchSize),
      l2: t.l2.default(d.l2),
      optimizer: t.optimizer.default(d.optimizer),
      negatives: t.negatives.default(d.negatives),
      lrSchedule: t.lrSchedule.optional(),
      lrFinal: t.lrFinal.optional(),
      candidates: candidates.default(APP_CANDIDATES_DEFAULT),
      alphaCo: alphaCo.default(DTL_SAMPLER_DEFAULTS.alphaCo),
      alphaSe: alphaSe.default(DTL_SAMPLER_DEFAULTS.alphaSe),
      mixing: mixing.default(DTL_SAMPLER_DEFAULTS.mixing),
      // The other sampler options, among them the DTL sampler's false-negative-aware ones (issue 19;
      // packages/sampler/src/fn-aware.ts, tree-pool.ts): no defaults here, absent = off, exactly as an
      // absent flag, so a config without them keeps its stage keys. Ranges beyond the type are checked by
      // the sampler's own factory (validate-config.ts builds it before any work), as for the flags.
      ...optionalSamplerShape,
    })
    .strict();

/** Every train-section key, each optional and without its default: the overrides a `baseline:` section may write. */
function overridesOf<S extends z.ZodRawShape>(section: z.ZodObject<S>) {
  const shape = Object.fromEntries(
    Object.entries(section.shape).map(([key, field]) => {
      const f = field as z.ZodType;
      return [key, (f instanceof z.ZodDefault ? (f.unwrap() as z.ZodType) : f).optional()];
    }),
  ) as unknown as { [K in keyof S]: z.ZodOptional<S[K] extends z.ZodDefault<infer T> ? T : S[K]> };
  return z.object(shape).strict();
}

/** The sampler of the baseline stage by default: MixGCF, the strongest clean baseline of the sports tables (docs/results.md §9, §13, §20). */
export const BASELINE_SAMPLER = 'mixgcf';

const baselineSection = overridesOf(trainSection(RUN_SECTION_DEFAULTS.train));

/** The `dtl run` configuration (JSON or YAML). Every field has a default; `{}` runs the embedded demo. */
export const pipelineConfigSchema = z
  .object({
    data: z.string().optional().describe('dataset folder; absent = the embedded synthetic dataset'),
    synthetic: z
      .object({ preset: z.enum(['tiny', 'default']).default('default'), seed: z.number().int().default(7) })
      .strict()
      .default({ preset: 'default', seed: 7 }),
    carveValid: z.number().min(0).max(0.5).default(d.carveValid).describe('carve this fraction of train into validation when the dataset has none'),
    seed: z.number().int().default(d.seed).describe('seed of everything'),
    protocol: z.enum(['clean', 'paper']).default('clean').describe('paper = the authors\' leaky filter and masking'),
    threads: positiveInt.default(DEFAULT_THREADS).describe('compute threads (results do not depend on it)'),
    pretrain: trainSection(RUN_SECTION_DEFAULTS.pretrain).default(trainSection(RUN_SECTION_DEFAULTS.pretrain).parse({})),
    trees: z
      .object({
        builder: z.enum(['spectral-kmeans', 'louvain']).default(T.builder),
        k: positiveInt.default(T.k),
        leafSize: positiveInt.default(T.leafSize),
        dim: positiveInt.default(T.dim).describe('spectral embedding size'),
        codesCo: z.string().optional().describe('use these co codes instead of building (authors\' format)'),
        codesSe: z.string().optional(),
        codesOffset: z.number().int().min(0).default(T.codesOffset),
      })
      .strict()
      .default({ ...T }),
    judge: z
      .object({
        llm: z.string().default(J.llm).describe('rule | openai:<model>@<baseURL> | ollama:<model> | gguf:<path>'),
        per: z.enum(['user', 'pair']).default(J.per),
        candidates: positiveInt.default(J.candidates),
        users: positiveInt.optional().describe('judge only users 0..n-1'),
        threshold: z.number().min(0).max(1).default(J.threshold).describe('rule judge threshold'),
        ruleMode: z.enum(['either', 'both', 'mean', 'co', 'se']).default(J.ruleMode),
        concurrency: positiveInt.optional(),
        timeoutMs: positiveInt.default(J.timeoutMs),
        retries: z.number().int().min(0).default(J.retries),
        tokenBudget: positiveInt.optional(),
        threads: positiveInt.default(J.threads),
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
      .default({ ...J }),
    fn: z
      .object({
        use: z.enum(['positive', 'exclude', 'weighted', 'none']).default('positive').describe('how judged false negatives enter training'),
        weight: z.number().positive().default(0.5),
      })
      .strict()
      .default({ use: 'positive', weight: 0.5 }),
    train: trainSection(RUN_SECTION_DEFAULTS.train).default(trainSection(RUN_SECTION_DEFAULTS.train).parse({})),
    baseline: z
      .union([z.literal(false), baselineSection])
      .default({})
      .describe(`a plain-sampler model trained beside DTL-NS on the same data, model and budget (the train section's keys; sampler ${BASELINE_SAMPLER}); false = off`),
  })
  .strict();

export type PipelineConfig = z.infer<typeof pipelineConfigSchema>;
export type TrainSectionConfig = PipelineConfig['train'];

/**
 * The baseline stage's settings: the `train` section (same model, budget and seed), sampler
 * {@link BASELINE_SAMPLER}, then the keys written under `baseline:`. `undefined` for `baseline: false`.
 */
export function baselineSectionOf(config: PipelineConfig): TrainSectionConfig | undefined {
  if (config.baseline === false) return undefined;
  const overrides = Object.fromEntries(Object.entries(config.baseline).filter(([, v]) => v !== undefined));
  return { ...config.train, sampler: BASELINE_SAMPLER, ...overrides };
}

/** Validates a config object; errors list every bad field with its path. */
export function parsePipelineConfig(value: unknown, source = '<config>'): PipelineConfig {
  const result = pipelineConfigSchema.safeParse(value ?? {});
  if (!result.success) {
    const lines = result.error.issues.flatMap(issueLines).map((i) => `  ${i.path.length ? printable(i.path.join('.')) : '(root)'}: ${printable(i.message, { max: 300 })}`);
    throw new DtlError('INVALID_ARGUMENT', `invalid config:\n${lines.join('\n')}`, { location: { file: source } });
  }
  return result.data;
}

interface IssueLine {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * A union's issue (`baseline: false | { … }`) says only "Invalid input"; this reports the issues of
 * the branch the value was meant for — the one that failed on a nested key rather than on the value's
 * type — with their full paths (`baseline.sampler: …`).
 */
function issueLines(issue: z.core.$ZodIssue): IssueLine[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const branch = issue.errors.find((errs) => errs.some((e) => e.path.length > 0 || e.code === 'unrecognized_keys'));
  if (!branch) return [{ path: issue.path, message: `${issue.message}: expected ${issue.path.at(-1) === 'baseline' ? 'false or a mapping of train-section keys' : 'another value'}` }];
  return branch.flatMap((e) => issueLines({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue));
}

/** Reads a JSON or YAML config file. */
export function readPipelineConfig(path: string): PipelineConfig {
  const value = readConfigFile(path, 'config');
  return parsePipelineConfig(value, path);
}

/**
 * The embedded demo (`dtl run` with no config): the synthetic dataset, and a learning rate and epoch
 * budget that finish the whole pipeline in about a minute here. A config file starts from the
 * paper's settings instead (lr 1e-3, up to 300 epochs, patience 10).
 *
 * The DTL-NS settings are those of `experiments/best.yaml`, the best honest configuration measured
 * (docs/results.md §23), not the paper's: the strict rule judge (both trees agree), judged items
 * only excluded from sampling (added as positives, the paper's use, they lowered both metrics under
 * the clean protocol, §9 and §13), and negated tree weights over 20 candidates; the MixGCF baseline
 * keeps the authors' 10 candidates.
 */
export const DEMO_CONFIG = {
  pretrain: { lr: 0.005, epochs: 30, patience: 4 },
  // Leaves of 10 items: the synthetic catalogue is small (1,500 items), so leaves of 30 make codes too coarse.
  trees: { leafSize: 10 },
  judge: { ruleMode: 'both' },
  fn: { use: 'exclude' },
  train: { lr: 0.005, epochs: 30, patience: 4, candidates: 20, alphaNegate: true },
  baseline: { candidates: 10 },
} as const;

