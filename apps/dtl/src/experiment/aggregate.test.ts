import { describe, expect, it } from 'vitest';
import { resultsMarkdown, summarizeCell } from './aggregate.ts';
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
