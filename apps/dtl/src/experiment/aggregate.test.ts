import { describe, expect, it } from 'vitest';
import { resultsMarkdown, summarizeCell } from './aggregate.ts';
import { pairedDifference } from './paired.ts';
import type { SeedResult } from './aggregate.ts';

const run = (seed: number, recall: number, ndcg: number, leaky = false): SeedResult => ({
  seed,
  test: { 'recall@20': recall, 'ndcg@20': ndcg },
  valid: undefined,
  best_epoch: 10,
  epochs_run: 20,
  seconds_per_epoch: 1,
  sample_share: 0.1,
  leaky,
});

describe('experiment aggregation', () => {
  it('computes mean and sample standard deviation over seeds', () => {
    const c = summarizeCell({ name: 'A', group: 'g', args: [], baseline: true }, [run(1, 0.1, 0.05), run(2, 0.2, 0.07), run(3, 0.3, 0.09)]);
    expect(c.mean['recall@20']).toBeCloseTo(0.2, 12);
    expect(c.std['recall@20']).toBeCloseTo(0.1, 12);
    expect(c.std['ndcg@20']).toBeCloseTo(0.02, 12);
  });

  it('reports gains over the strongest clean baseline, never over a leaky row, and marks leaky rows', () => {
    const base1 = summarizeCell({ name: 'B1', group: 'b', args: [], baseline: true }, [run(1, 0.1, 0.05)]);
    const base2 = summarizeCell({ name: 'B2', group: 'b', args: [], baseline: true }, [run(1, 0.12, 0.04)]);
    const leakyBase = summarizeCell({ name: 'L', group: 'b', args: [], baseline: true }, [run(1, 0.5, 0.5, true)]);
    const x = summarizeCell({ name: 'X', group: 'x', args: [], baseline: false }, [run(1, 0.132, 0.06)]);
    const empty = summarizeCell({ name: 'E', group: 'x', args: [], baseline: false }, []);
    const md = resultsMarkdown('t', 'cmd', [base1, base2, leakyBase, x, empty]);
    // R@20 gain over B2 (0.12): +10.0%; N@20 gain over B1 (0.05): +20.0%.
    expect(md).toContain('| x | X | 1 | 0.1320 ± 0.0000 | 0.0600 ± 0.0000 | +10.0% | +20.0% |');
    expect(md).toContain('L **LEAKY**');
    expect(md).toContain('| x | E | 0 (not run yet) |');
  });
});

describe('paired differences', () => {
  const cell = (name: string, baseline: boolean, runs: SeedResult[]) => summarizeCell({ name, group: 'g', args: [], baseline }, runs);

  it('differences per shared seed, their mean ± sample std and how often the variant is higher', () => {
    const base = cell('B', true, [run(1, 0.10, 0.05), run(2, 0.12, 0.06), run(3, 0.11, 0.07)]);
    // Seed 4 has no baseline run and is ignored; differences R@20: +0.01, −0.01, +0.03 → mean 0.01, std 0.02.
    const x = cell('X', false, [run(1, 0.11, 0.05), run(2, 0.11, 0.07), run(3, 0.14, 0.08), run(4, 0.5, 0.5)]);
    const d = pairedDifference(x, base, 'recall@20')!;
    expect(d.seeds).toBe(3);
    expect(d.mean).toBeCloseTo(0.01, 12);
    expect(d.std).toBeCloseTo(0.02, 12);
    expect(d.higher).toBe(2);
    // NDCG: 0, +0.01, +0.01 → a tie is not "higher".
    expect(pairedDifference(x, base, 'ndcg@20')!.higher).toBe(2);
    expect(pairedDifference(cell('E', false, []), base, 'recall@20')).toBeUndefined();
  });

  it('appears under the results table for clean cells with two or more shared seeds, never for leaky ones', () => {
    const base = cell('B', true, [run(1, 0.10, 0.05), run(2, 0.12, 0.06)]);
    const x = cell('X', false, [run(1, 0.11, 0.04), run(2, 0.13, 0.05)]);
    const one = cell('One', false, [run(1, 0.2, 0.2)]);
    const leaky = cell('L', false, [run(1, 0.5, 0.5, true), run(2, 0.5, 0.5, true)]);
    const md = resultsMarkdown('t', 'cmd', [base, x, one, leaky]);
    const paired = md.slice(md.indexOf('Paired over seeds'));
    expect(md.indexOf('Paired over seeds')).toBeGreaterThan(md.indexOf('| g | X | 2 |'));
    expect(paired).toContain('| g | X | B | +0.0100 ± 0.0000 | 2/2 | −0.0100 ± 0.0000 | 0/2 |');
    for (const absent of ['| g | One |', '| g | L |', '| g | B |']) expect(paired).not.toContain(absent);
    // Without two shared seeds anywhere there is no paired section.
    expect(resultsMarkdown('t', 'cmd', [base, one])).not.toContain('Paired over seeds');
  });

  it('pairs a cell with the cell its grid names instead of the strongest baseline', () => {
    const rns = cell('RNS', true, [run(1, 0.10, 0.05), run(2, 0.10, 0.05)]);
    const strong = cell('Strong', true, [run(1, 0.20, 0.10), run(2, 0.20, 0.10)]);
    const variant = { ...cell('RNS+FN', false, [run(1, 0.11, 0.06), run(2, 0.12, 0.05)]), pairedWith: 'RNS' };
    const paired = resultsMarkdown('t', 'cmd', [rns, strong, variant]);
    expect(paired).toContain('| g | RNS+FN | RNS | +0.0150 ± 0.0071 | 2/2 | +0.0050 ± 0.0071 | 1/2 |');
    expect(paired).toContain('| g | RNS | Strong | −0.1000 ± 0.0000 | 0/2 |');
  });
});
