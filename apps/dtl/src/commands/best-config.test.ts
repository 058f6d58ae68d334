/**
 * `experiments/best.yaml` (issue 19) is one `dtl run` config for any dataset: its only
 * dataset-specific key is `data`, and `--data DIR` runs it on another folder. This test runs the file
 * as checked in on a generated dataset folder (the tiny synthetic preset) through the real CLI, and
 * checks that it trained DTL-NS with the options the file names, the MixGCF baseline beside it, and
 * reported both with a signed gain.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const BEST = join(ROOT, 'experiments', 'best.yaml');
const bin = join(ROOT, 'apps', 'dtl', 'src', 'bin.ts');
const dtl = (...args: string[]) =>
  spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', bin, ...args], { encoding: 'utf8', cwd: ROOT });

/** Every string value of a parsed YAML document, with its dotted key. */
function stringLeaves(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, path ? `${path}.${k}` : k));
  return [];
}

describe('experiments/best.yaml', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('names no dataset but `data`: no other key holds a path', () => {
    const doc = parse(readFileSync(BEST, 'utf8')) as Record<string, unknown>;
    const paths = stringLeaves(doc).filter(([, v]) => v.includes('/') || v.includes('\\'));
    expect(paths.map(([k]) => k)).toEqual(['data']);
  });

  it('runs on another dataset folder with --data and reports the baseline beside DTL-NS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtl-best-'));
    dirs.push(dir);
    const data = join(dir, 'data');
    const synth = dtl('data', 'synth', '--preset', 'tiny', '--seed', '11', '--out', data);
    expect(synth.status, synth.stderr).toBe(0);
    const out = join(dir, 'run');
    const r = dtl('run', '--config', BEST, '--data', data, '--out', out, '--json');
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      baseline: { model: string; sampler: string; test: Record<string, number> };
      comparison: { metric: string; baseline: number; dtl_ns: number; gain: number; higher: string }[];
    };
    // The stages ran with the file's settings on the --data folder: strict rule judge, exclusion, negated α over 20 candidates.
    const pipeline = JSON.parse(readFileSync(join(out, 'pipeline.json'), 'utf8')) as { config: Record<string, any> };
    expect(pipeline.config.data).toBe(data);
    expect(pipeline.config.judge).toMatchObject({ llm: 'rule', ruleMode: 'both' });
    expect(pipeline.config.fn.use).toBe('exclude');
    expect(pipeline.config.train).toMatchObject({ model: 'mf', sampler: 'dtl', candidates: 20, alphaNegate: true });
    // The MixGCF baseline beside it, with the gain per metric and its sign.
    expect(summary.baseline).toMatchObject({ model: 'mf', sampler: 'mixgcf' });
    const recall = summary.comparison.find((c) => c.metric === 'recall@20')!;
    expect(recall.baseline).toBe(summary.baseline.test['recall@20']);
    expect(recall.gain).toBeCloseTo(recall.dtl_ns - recall.baseline, 12);
    expect(recall.higher).toBe(recall.gain > 0 ? 'dtl-ns' : recall.gain < 0 ? 'baseline' : 'tie');
  }, 240_000);
});
