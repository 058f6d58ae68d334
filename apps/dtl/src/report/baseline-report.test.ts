import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRun, renderReportHtml } from './index.ts';
import { writePipelineFixture } from './__tests__/fixtures.ts';

// Issue 19: the report of a `dtl run` shows the baseline and DTL-NS side by side with signed gains.

const tmp = mkdtempSync(join(tmpdir(), 'dtl-report-baseline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The expected gain text, computed here independently of the module under test. */
function signedText(x: number, digits: number, unit = ''): string {
  const s = Math.abs(x).toFixed(digits);
  return `${Number(s) === 0 ? '±' : x > 0 ? '+' : '−'}${s}${unit}`;
}

describe('report: baseline vs DTL-NS', () => {
  it('shows both rows per metric with the absolute and relative gain, their sign, and which is higher', async () => {
    const f = writePipelineFixture(join(tmp, 'with-baseline'), { seed: 21, baseline: true });
    const run = readRun(f.dir);
    expect(run.baseline?.sampler).toBe('mixgcf');
    const page = await renderReportHtml([run], { generatedAt: new Date(0) });
    const block = page.match(/<table class="baseline-comparison">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(block).toContain('Baseline (mixgcf)');
    expect(block).toContain('DTL-NS');
    const rows = block.split('<tr').slice(2);
    expect(rows[0]).toContain('Recall@20');
    expect(rows[1]).toContain('NDCG@20');
    for (const [i, key] of [[0, 'recall@20'], [1, 'ndcg@20']] as const) {
      const b = f.baseline!.test[key]!;
      const d = f.train.test[key]!;
      const row = rows[i]!;
      expect(row).toContain(b.toFixed(4));
      expect(row).toContain(d.toFixed(4));
      expect(row).toContain(signedText(d - b, 4));
      expect(row).toContain(signedText((100 * (d - b)) / b, 2, ' %'));
      expect(row).toContain(d > b ? 'DTL-NS higher' : d < b ? 'mixgcf higher' : 'tie');
    }
    // The comparison table lists the baseline beside the pretrain row; its learning curves are drawn.
    const table = page.match(/<table class="comparison">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(table).toContain('with-baseline · baseline');
    expect(page).toContain('Baseline (mixgcf sampler, observed train set, same budget)');
  });

  it('has no baseline block for a run without a baseline stage', async () => {
    const f = writePipelineFixture(join(tmp, 'without'), { seed: 22 });
    const run = readRun(f.dir);
    expect(run.baseline).toBeUndefined();
    expect(run.notes.some((n) => n.includes('baseline'))).toBe(false);
    const page = await renderReportHtml([run]);
    expect(page).not.toContain('baseline-comparison');
  });
});
