import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { codebookFromPaths, createRng, isDtlError } from '@dtl/core';
import type { InteractionData } from '@dtl/core';
import { createSamplerContractFixture } from '@dtl/core/testing';
import { addSamplerOptions, samplerConfigFromOptions } from '../commands/sampler-options.ts';
import { addTrainConfigOption } from '../commands/train-config.ts';
import { buildSampler } from '../samplers.ts';
import { parsePipelineConfig } from './config.ts';
import { samplerConfigOf } from './section-config.ts';
import { validatePipelineSettings } from './validate-config.ts';

// Issue 19: the DTL sampler's false-negative-aware options are `dtl run` config keys that reach the
// library sampler exactly as `dtl train`'s flags do.

const { dtlCalls, poolCalls } = vi.hoisted(() => ({ dtlCalls: [] as Array<Record<string, unknown>>, poolCalls: [] as Array<Record<string, unknown>> }));
vi.mock('@dtl/sampler', async (importOriginal) => {
  const lib = await importOriginal<typeof import('@dtl/sampler')>();
  return {
    ...lib,
    createDtlSampler: (options: Parameters<typeof lib.createDtlSampler>[0]) => {
      dtlCalls.push({ ...options });
      return lib.createDtlSampler(options);
    },
    createTreePoolSampler: (options: Parameters<typeof lib.createTreePoolSampler>[0]) => {
      poolCalls.push({ ...options });
      return lib.createTreePoolSampler(options);
    },
  };
});

const root = mkdtempSync(join(tmpdir(), 'dtl-section-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const f = createSamplerContractFixture({ nLayers: 1 });
const rng = createRng(5);
const paths = (): number[][] => Array.from({ length: f.nItems }, () => Array.from({ length: 3 }, () => rng.int(2)));
const codebooks = { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
const data = { nUsers: f.nUsers, nItems: f.nItems, train: f.train } as unknown as InteractionData;

const FLAGS = ['--alpha-negate', '--fn-band', '0.4', '--fn-band-penalty', '2', '--history-penalty', '0.5', '--tree-pool', '0.3'];
const KEYS = { alphaNegate: true, fnBand: 0.4, fnBandPenalty: 2, historyPenalty: 0.5, treePool: 0.3 };

function flagOptions(args: string[]): Record<string, unknown> {
  const cmd = addTrainConfigOption(addSamplerOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} })));
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

/** What createDtlSampler received, minus the candidate sampler object (compared by its own options). */
function lastDtlCall(): Record<string, unknown> {
  const { candidateSampler, ...rest } = dtlCalls.at(-1)!;
  return { ...rest, candidateSampler: candidateSampler === undefined ? undefined : 'tree-pool' };
}

beforeEach(() => {
  dtlCalls.length = 0;
  poolCalls.length = 0;
});

describe('false-negative-aware options: dtl run config keys = dtl train flags', () => {
  it('a train-section key reaches createDtlSampler with the same options as the flag', () => {
    buildSampler({ ...samplerConfigFromOptions('dtl', flagOptions(FLAGS)), codebooks }, data);
    const viaFlags = lastDtlCall();
    const viaFlagsPool = poolCalls.at(-1);
    const section = parsePipelineConfig({ train: KEYS }).train;
    buildSampler({ ...samplerConfigOf(section), codebooks }, data);
    const viaConfig = lastDtlCall();
    expect(viaConfig).toEqual(viaFlags);
    expect(poolCalls.at(-1)).toEqual(viaFlagsPool);
    expect(viaConfig).toMatchObject({ alphaCo: -0.1, alphaSe: -0.3, fnBand: 0.4, fnBandPenalty: 2, historyPenalty: 0.5, candidateSampler: 'tree-pool' });
    expect(poolCalls.at(-1)).toMatchObject({ share: 0.3 });
  });

  it('dtl train --config takes the same keys (one vocabulary with the flags)', () => {
    const file = join(root, 'train.yaml');
    writeFileSync(file, Object.entries(KEYS).map(([k, v]) => `${k}: ${String(v)}`).join('\n') + '\n');
    expect(samplerConfigFromOptions('dtl', flagOptions(['--config', file]))).toEqual(samplerConfigFromOptions('dtl', flagOptions(FLAGS)));
  });

  it('absent keys are absent (off), so configs without them keep their stage keys', () => {
    const plain = samplerConfigOf(parsePipelineConfig({}).train);
    expect(JSON.stringify(plain)).toBe(JSON.stringify({ name: 'dtl', candidates: 10, alphaCo: 0.1, alphaSe: 0.3, mixing: true }));
    expect(samplerConfigOf(parsePipelineConfig({ train: { alphaNegate: false } }).train).alphaNegate).toBeUndefined();
  });

  it('bad values fail before any work with the sampler factory\'s message, as the flags do', () => {
    for (const [train, pattern] of [
      [{ fnBand: 1.5 }, /train \(sampler dtl\): .*fnBand must be in \(0, 1\]/],
      [{ treePool: 2 }, /train \(sampler dtl\): .*share must be in \[0, 1\]/],
    ] as const) {
      try {
        validatePipelineSettings(parsePipelineConfig({ train }));
        expect.unreachable();
      } catch (e) {
        expect(isDtlError(e, 'INVALID_ARGUMENT')).toBe(true);
        expect((e as Error).message).toMatch(pattern);
      }
    }
    expect(() => parsePipelineConfig({ train: { historyPenalty: -1 } })).toThrow(/train\.historyPenalty/);
    expect(() => parsePipelineConfig({ train: { alphaNegate: 'yes' } })).toThrow(/train\.alphaNegate/);
  });
});
