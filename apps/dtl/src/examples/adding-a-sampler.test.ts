import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeNegativeSamplerContract } from '@dtl/core/testing';
import { generateSynthetic } from '@dtl/data';
import { createMfModel, fit } from '@dtl/models';
import { SAMPLERS, buildSampler } from '../samplers.ts';
import type { SamplerName } from '../samplers.ts';
import { createSoftmaxDnsSampler } from './softmax-dns.ts';
import { softmaxDnsRow } from './softmax-dns-row.ts';

// docs/ADDING_A_SAMPLER.md's worked example, executed: the library file passes the sampler contract,
// its one registry row builds it by name, it trains a model, and the guide shows these files verbatim.

const here = import.meta.dirname;
const guide = readFileSync(resolve(here, '../../../../docs/ADDING_A_SAMPLER.md'), 'utf8');

describeNegativeSamplerContract('softmax-dns (docs/ADDING_A_SAMPLER.md)', () => createSoftmaxDnsSampler({ candidates: 4 }));

describe('docs/ADDING_A_SAMPLER.md', () => {
  it('shows the example library file and the registry row exactly as they are here', () => {
    for (const file of ['softmax-dns.ts', 'softmax-dns-row.ts']) {
      expect(guide, file).toContain(readFileSync(resolve(here, file), 'utf8').trim());
    }
  });

  it('one registry row makes the sampler buildable by name and it trains a model', async () => {
    const { data } = generateSynthetic({ preset: 'tiny', seed: 3 });
    const registry = { ...SAMPLERS, 'softmax-dns': softmaxDnsRow };
    const sampler = buildSampler({ name: 'softmax-dns' as SamplerName, candidates: 5 }, data, {}, () => {}, registry);
    expect(sampler.name).toBe('softmax-dns');
    const model = createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 8, l2: 1e-4, seed: 1, optimizer: { kind: 'adam', lr: 0.01 } });
    const result = await fit({ model, train: data.train, exclude: data.train, sampler, epochs: 3, batchSize: 256, seed: 1 });
    expect(result.history).toHaveLength(3);
    expect(result.history.every((h) => Number.isFinite(h.loss))).toBe(true);
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(() => buildSampler({ name: 'softmax-dns' as SamplerName }, data)).toThrow(/unknown sampler "softmax-dns"/);
  });

  it('rejects a bad temperature with INVALID_ARGUMENT naming the sampler', () => {
    expect(() => createSoftmaxDnsSampler({ temperature: 0 })).toThrow(/softmax-dns: temperature must be > 0/);
  });
});
