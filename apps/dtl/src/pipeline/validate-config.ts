import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DtlError, codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import type { DensGates, InteractionData } from '@dtl/core';
import { createDensGates } from '@dtl/sampler';
import { createKmeansTreeBuilder, createLouvainBuilder, createSpectralKmeansBuilder } from '@dtl/trees';
import { parseLlmSpec } from '../providers.ts';
import { buildSampler, samplerEntry } from '../samplers.ts';
import { baselineSectionOf } from './config.ts';
import type { PipelineConfig, TrainSectionConfig } from './config.ts';
import { samplerConfigOf } from './section-config.ts';
import { lrScheduleOfConfig } from '../train-schedule.ts';

/**
 * Checks every stage's settings of a `dtl run` before any work starts, so that a bad `judge.llm` or
 * `trees.k: 1` fails in milliseconds instead of after pretraining. Each setting is checked by the code
 * that will use it — the app's `parseLlmSpec`, the tree builders' and samplers' own factories (built
 * here on a two-item stand-in and discarded) — so this list cannot drift from what the stages accept.
 * All problems are reported at once, one line per setting path. Throws INVALID_ARGUMENT.
 */
export function validatePipelineSettings(config: PipelineConfig, source = 'config'): void {
  const problems: string[] = [];
  const check = (path: string, f: () => void): void => {
    try {
      f();
    } catch (error) {
      problems.push(`  ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const judged = config.fn.use !== 'none';

  check('judge.llm', () => {
    const spec = parseLlmSpec(config.judge.llm);
    if (judged && spec.kind === 'gguf' && !statSync(resolve(spec.path), { throwIfNoEntry: false })?.isFile()) {
      throw new Error(`GGUF model file not found: ${resolve(spec.path)}`);
    }
  });

  const t = config.trees;
  check('trees', () => {
    if (Boolean(t.codesCo) !== Boolean(t.codesSe)) {
      throw new Error(`give both codesCo and codesSe (or neither, to build the trees); only ${t.codesCo ? 'codesCo' : 'codesSe'} is set`);
    }
  });
  if (t.codesCo && t.codesSe) {
    for (const [key, file] of [['trees.codesCo', t.codesCo], ['trees.codesSe', t.codesSe]] as const) {
      check(key, () => {
        if (!existsSync(resolve(file))) throw new Error(`code file not found: ${resolve(file)}`);
      });
    }
  } else {
    check('trees (co tree)', () => {
      if (t.builder === 'louvain') createLouvainBuilder({ leafSize: t.leafSize });
      else createSpectralKmeansBuilder({ dim: t.dim, k: t.k, leafSize: t.leafSize });
      createKmeansTreeBuilder({ k: t.k, leafSize: t.leafSize }); // the se tree, for either builder
    });
  }

  check('pretrain.sampler', () => {
    if (samplerEntry(config.pretrain.sampler).needs.codebooks) throw new Error('the pretrain stage has no item codes yet (the trees are built from the pretrained model); choose another sampler');
  });
  const baseline = baselineSectionOf(config);
  check('baseline.sampler', () => {
    if (baseline && samplerEntry(baseline.sampler).needs.codebooks) throw new Error('the baseline is a plain sampler run that never sees the trees or judged false negatives; choose another sampler (default mixgcf)');
  });
  for (const [name, section] of trainedSections(config)) {
    check(`${name} (sampler ${section.sampler})`, () => dryBuildSampler(section));
    check(`${name}.lrFinal`, () => lrScheduleOfConfig(section));
  }

  if (problems.length > 0) {
    throw new DtlError('INVALID_ARGUMENT', `invalid settings, nothing was run:\n${problems.join('\n')}`, { location: { file: source } });
  }
}

/**
 * The checks that need the dataset's size, run after the data stage and before pretraining:
 * judge.users and judge.candidates within the catalogue, the spectral dimension below the item count.
 */
export function validateSettingsAgainstData(config: PipelineConfig, data: Pick<InteractionData, 'nUsers' | 'nItems'>, source = 'config'): void {
  const problems: string[] = [];
  if (config.fn.use !== 'none') {
    if (config.judge.users !== undefined && config.judge.users > data.nUsers) problems.push(`  judge.users: ${config.judge.users} exceeds the dataset's ${data.nUsers} users`);
    if (config.judge.candidates >= data.nItems) problems.push(`  judge.candidates: ${config.judge.candidates} must be below the dataset's ${data.nItems} items`);
  }
  const t = config.trees;
  if (!(t.codesCo && t.codesSe) && t.builder === 'spectral-kmeans' && t.dim >= data.nItems) {
    problems.push(`  trees.dim: the spectral embedding size ${t.dim} must be below the dataset's ${data.nItems} items`);
  }
  for (const [name, section] of trainedSections(config)) {
    if (section.candidates >= data.nItems) problems.push(`  ${name}.candidates: ${section.candidates} must be below the dataset's ${data.nItems} items`);
  }
  if (problems.length > 0) {
    throw new DtlError('INVALID_ARGUMENT', `invalid settings for this dataset, nothing was trained:\n${problems.join('\n')}`, { location: { file: source } });
  }
}

/** The sections that train a model: pretrain, train and (unless switched off) the baseline. */
function trainedSections(config: PipelineConfig): Array<readonly [string, TrainSectionConfig]> {
  const baseline = baselineSectionOf(config);
  return [['pretrain', config.pretrain], ['train', config.train], ...(baseline ? [['baseline', baseline] as const] : [])];
}

/** Builds the section's sampler on a two-item stand-in so the sampler factory validates its options. */
function dryBuildSampler(section: TrainSectionConfig): void {
  const standIn: InteractionData = { name: 'settings check', nUsers: 1, nItems: 2, train: csrFromPairs(1, 2, [0], [0]).csr, valid: undefined, test: undefined };
  const codes = codebookFromPaths([[0], [1]]);
  const gates: DensGates = createDensGates(section.dim, createRng(0));
  buildSampler(
    { ...samplerConfigOf(section), codebooks: { co: codes, se: codes } },
    standIn,
    { densGates: () => gates },
  );
}
