import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { codebookFromPaths, createRng } from '@dtl/core';
import type { InteractionData, NegativeBatch, SampleRequest } from '@dtl/core';
import { createSamplerContractFixture } from '@dtl/core/testing';
import { createDtlSampler, createTreePoolSampler } from '@dtl/sampler';
import { addSamplerOptions, samplerConfigFromOptions } from './commands/sampler-options.ts';
import { buildSampler } from './samplers.ts';

// Issue 19: the app's false-negative-aware options of the dtl sampler reach the library sampler.

const f = createSamplerContractFixture({ nLayers: 1 });
const rng = createRng(3);
const paths = (): number[][] => Array.from({ length: f.nItems }, () => Array.from({ length: 3 }, () => rng.int(2)));
const codebooks = { co: codebookFromPaths(paths()), se: codebookFromPaths(paths()) };
const data = { nUsers: f.nUsers, nItems: f.nItems, train: f.train } as unknown as InteractionData;
const users: number[] = [];
const positives: number[] = [];
for (let u = 0; u < f.nUsers; u++) {
  for (let p = f.train.indptr[u]!; p < f.train.indptr[u + 1]!; p++) {
    users.push(u);
    positives.push(f.train.indices[p]!);
  }
}
const req: SampleRequest = { users: Int32Array.from(users), positives: Int32Array.from(positives), k: 2, exclude: f.exclude, model: f.model, epoch: 0 };
const items = (b: NegativeBatch): number[] => Array.from(b.items);

function parse(args: string[]): Record<string, unknown> {
  const cmd = addSamplerOptions(new Command().exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

describe('dtl sampler options of the app (issue 19)', () => {
  it('--alpha-negate subtracts the tree views: the sampler of α_co −0.1, α_se −0.3', () => {
    const config = samplerConfigFromOptions('dtl', parse(['--alpha-negate']));
    expect(config.alphaNegate).toBe(true);
    const lines: string[] = [];
    const built = buildSampler({ ...config, codebooks }, data, {}, (l) => lines.push(l));
    const direct = createDtlSampler({ codes: codebooks, alphaCo: -0.1, alphaSe: -0.3 });
    const plain = buildSampler({ name: 'dtl', codebooks }, data);
    expect(items(built.sample(req, createRng(5)))).toEqual(items(direct.sample(req, createRng(5))));
    expect(items(built.sample(req, createRng(5)))).not.toEqual(items(plain.sample(req, createRng(5))));
    expect(lines.some((l) => /negated/.test(l))).toBe(true);
  });

  it('--fn-band, --fn-band-penalty and --history-penalty reach the sampler', () => {
    const config = samplerConfigFromOptions('dtl', parse(['--fn-band', '0.5', '--fn-band-penalty', '2', '--history-penalty', '0.4']));
    expect(config).toMatchObject({ fnBand: 0.5, fnBandPenalty: 2, historyPenalty: 0.4 });
    const built = buildSampler({ ...config, codebooks }, data);
    const direct = createDtlSampler({ codes: codebooks, fnBand: 0.5, fnBandPenalty: 2, historyPenalty: 0.4 });
    const plain = buildSampler({ name: 'dtl', codebooks }, data);
    expect(items(built.sample(req, createRng(5)))).toEqual(items(direct.sample(req, createRng(5))));
    expect(items(built.sample(req, createRng(5)))).not.toEqual(items(plain.sample(req, createRng(5))));
  });

  it('--tree-pool draws the candidates from the tree pools', () => {
    const config = samplerConfigFromOptions('dtl', parse(['--tree-pool', '0.5', '--alpha-co', '0', '--alpha-se', '0']));
    expect(config.treePool).toBe(0.5);
    const built = buildSampler({ ...config, codebooks }, data);
    const direct = createDtlSampler({ codes: codebooks, alphaCo: 0, alphaSe: 0, candidateSampler: createTreePoolSampler({ codes: codebooks, share: 0.5 }) });
    const plain = buildSampler({ name: 'dtl', codebooks, alphaCo: 0, alphaSe: 0 }, data);
    expect(items(built.sample(req, createRng(5)))).toEqual(items(direct.sample(req, createRng(5))));
    expect(items(built.sample(req, createRng(5)))).not.toEqual(items(plain.sample(req, createRng(5))));
    expect(() => buildSampler({ ...config, codebooks: { co: codebooks.co }, alphaSe: 0 }, data)).toThrow(/--tree-pool needs both trees/);
  });

  it('rejects a negative penalty at parse time and a band outside (0, 1] when the sampler is built', () => {
    expect(() => parse(['--history-penalty', '-1'])).toThrow(/--history-penalty/);
    expect(() => parse(['--fn-band-penalty', '-1'])).toThrow(/--fn-band-penalty/);
    const config = samplerConfigFromOptions('dtl', parse(['--fn-band', '2']));
    expect(() => buildSampler({ ...config, codebooks }, data)).toThrow(/fnBand must be in \(0, 1\], got 2/);
  });
});
