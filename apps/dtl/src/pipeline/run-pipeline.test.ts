import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { parsePipelineConfig, readPipelineConfig } from './config.ts';
import { runPipeline } from './run-pipeline.ts';

const dirs: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'dtl-pipeline-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const small = {
  synthetic: { preset: 'tiny', seed: 3 },
  threads: 1,
  pretrain: { model: 'mf', epochs: 10, lr: 0.01, dim: 16 },
  trees: { leafSize: 10 },
  train: { model: 'lightgcn', layers: 2, epochs: 10, lr: 0.01, dim: 16 },
};

describe('runPipeline', () => {
  it('runs every stage, then skips them all when nothing changed, and redoes only what a change affects', async () => {
    const runDir = temp();
    // The stages of DTL-NS itself; the baseline stage beside them (on by default) is covered by baseline-stage.test.ts.
    const config = parsePipelineConfig({ ...small, baseline: false });
    let reports = 0;
    const writeReport = (dir: string): string => {
      reports++;
      const file = join(dir, 'report.html');
      writeFileSync(file, '<html></html>');
      return file;
    };
    const first = await runPipeline(config, runDir, { writeReport });
    expect(Object.keys(first.stages)).toEqual(['data', 'pretrain', 'trees', 'judge', 'train', 'report']);
    expect(Object.values(first.stages).every((s) => !s.skipped)).toBe(true);
    expect(first.test?.['recall@20']).toBeGreaterThan(0);
    expect(first.fni?.candidates).toBe(300 * 20);
    expect(first.leaky).toBe(false);
    for (const f of ['stages/trees/codes-co.txt', 'stages/trees/codes-se.txt', 'stages/judge/false-negatives.json', 'stages/train/result.json', 'pipeline.json']) {
      expect(existsSync(join(runDir, f))).toBe(true);
    }
    const second = await runPipeline(config, runDir, { writeReport });
    for (const name of ['data', 'pretrain', 'trees', 'judge', 'train']) expect(second.stages[name]!.skipped).toBe(true);
    expect(second.test).toEqual(first.test);
    expect(reports).toBe(2);
    // A stricter judge changes judge and train, not pretrain or trees.
    const stricter = parsePipelineConfig({ ...small, baseline: false, judge: { threshold: 0.5 } });
    const third = await runPipeline(stricter, runDir, { writeReport });
    expect(third.stages['pretrain']!.skipped).toBe(true);
    expect(third.stages['trees']!.skipped).toBe(true);
    expect(third.stages['judge']!.skipped).toBe(false);
    expect(third.stages['train']!.skipped).toBe(false);
  });

  it('labels a paper-protocol run as leaky', async () => {
    const result = await runPipeline(parsePipelineConfig({ ...small, protocol: 'paper', train: { ...small.train, epochs: 5 } }), temp());
    expect(result.leaky).toBe(true);
    const saved = JSON.parse(readFileSync(join(result.run_dir, 'stages/train/result.json'), 'utf8')) as { leaky: boolean };
    expect(saved.leaky).toBe(true);
  });
});

describe('pipeline config', () => {
  it('fills every default from an empty object', () => {
    const c = parsePipelineConfig({});
    expect(c.protocol).toBe('clean');
    expect(c.train.sampler).toBe('dtl');
    expect(c.judge.llm).toBe('rule');
  });

  it('reports every bad field with its path and the file', () => {
    const dir = temp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'protocol: sloppy\npretrain:\n  lr: -1\n  unknownKey: 3\n');
    try {
      readPipelineConfig(file);
      expect.unreachable();
    } catch (e) {
      expect(isDtlError(e, 'INVALID_ARGUMENT')).toBe(true);
      const msg = (e as Error).message;
      expect(msg).toContain(file);
      expect(msg).toContain('protocol');
      expect(msg).toContain('pretrain.lr');
      expect(msg).toMatch(/unknownKey|unrecognized/i);
    }
  });

  it('rejects malformed YAML with the file name', () => {
    const file = join(temp(), 'broken.yaml');
    writeFileSync(file, 'pretrain: [unclosed\n');
    expect(() => readPipelineConfig(file)).toThrow(/broken\.yaml/);
  });
});
