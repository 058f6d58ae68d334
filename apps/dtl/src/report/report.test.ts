import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDtlError } from '@dtl/core';
import { defaultReportPath, esc, readRun, readRuns, renderReportHtml, writeReport } from './index.ts';
import { fmt } from './html.ts';
import { writeDatasetFixture, writePipelineFixture, writeTrainRunFixture } from './__tests__/fixtures.ts';
import type { PipelineFixture, TrainFixture } from './__tests__/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');

let tmp: string;
let clean: PipelineFixture;
let paper: PipelineFixture;
let train: TrainFixture;
let html: string;

/** The HTML of each run's section, in order. */
function runSections(page: string): string[] {
  return page.split('<section class="block run').slice(1);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'dtl-report-'));
  clean = writePipelineFixture(join(tmp, 'pipe-clean'), { seed: 11, protocol: 'clean' });
  paper = writePipelineFixture(join(tmp, 'pipe-paper'), { seed: 12, protocol: 'paper' });
  writeDatasetFixture(join(tmp, 'data'));
  train = writeTrainRunFixture(join(tmp, 'train-mf'), { seed: 13, data: join(tmp, 'data'), epochs: 10, evalEvery: 2 });
  const result = await writeReport([clean.dir, paper.dir, train.dir], join(tmp, 'out', 'report.html'), { generatedAt: new Date(0) });
  expect(result.runs).toBe(3);
  html = readFileSync(result.path, 'utf8');
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('renderReportHtml on fixture runs', () => {
  it('is one self-contained page: no script, no external resources', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
  });

  it('contains every chart as inline SVG with drawn marks', () => {
    // comparison: bars + across-runs curves (2); each pipeline: stage bars + 3 curves for pretrain
    // and 3 for the final train (7); the train run: part-of-training bars + 3 curves (4).
    expect(count(html, '<svg')).toBe(2 + 7 + 7 + 4);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(20);
    for (const svg of svgs) expect(svg).toMatch(/class="mark-(line|rect|symbol|rule)[^"]*"/);
    // Loss and metric curves draw paths with real coordinates.
    expect(count(html, 'class="mark-line role-mark')).toBeGreaterThanOrEqual(3 * 2 * 3 + 1);
    const sections = runSections(html);
    expect(count(sections[0]!, '<svg')).toBe(7);
    expect(count(sections[2]!, '<svg')).toBe(4);
  });

  it('has the comparison table with test metrics at the best-valid epoch of every run', () => {
    const table = html.match(/<table class="comparison">[\s\S]*?<\/table>/)?.[0] ?? '';
    expect(table).toContain('Test Recall@20');
    expect(table).toContain('Test NDCG@20');
    expect(table).toContain('Test Precision@20');
    expect(table).toContain('Test Hit@20');
    // Three runs plus the two pipelines' pretrain rows.
    expect(count(table, '<tr')).toBe(1 + 3 + 2);
    for (const f of [clean.train, paper.train, train, clean.pretrain]) {
      expect(table).toContain(fmt(f.test['recall@20']));
      expect(table).toContain(fmt(f.test['ndcg@20']));
      expect(table).toContain(fmt(f.test['hit@20']));
      expect(table).toContain(`>${f.bestEpoch}<`);
    }
    expect(table).toContain('pipe-paper · pretrain');
  });

  it('never marks the paper run best, even when it has the highest number', () => {
    const table = html.match(/<table class="comparison">[\s\S]*?<\/table>/)?.[0] ?? '';
    const leakyRow = table.split('<tr').find((r) => r.includes('pipe-paper<') || r.includes('>pipe-paper</'))!;
    expect(leakyRow).toContain('leaky-row');
    expect(leakyRow).not.toContain('<strong>');
    const bestClean = Math.max(clean.test['recall@20']!, train.test['recall@20']!);
    expect(table).toContain(`<strong>${fmt(bestClean)}</strong>`);
  });

  it('puts a LEAKY badge on every number block of the paper run and none on the clean runs', () => {
    const [cleanSec, paperSec, trainSec] = runSections(html);
    for (const sec of [cleanSec!, trainSec!]) expect(sec).not.toContain('badge leaky');
    expect(paperSec).toContain('leaky-run');
    // Title, dataset, timings, curves (block + pretrain + final), trees, FNI headings + note.
    for (const h of ['Dataset', 'Timings', 'Learning curves', 'Trees', 'False-negative identification']) {
      expect(paperSec).toMatch(new RegExp(`<h3>${h} <span class="badge leaky"`));
    }
    expect(count(paperSec!, 'class="badge leaky"')).toBeGreaterThanOrEqual(10);
    expect(cleanSec).toContain('class="badge clean"');
  });

  it('shows dataset, stage, tree and FNI statistics', () => {
    const [cleanSec, , trainSec] = runSections(html);
    expect(cleanSec).toContain('synthetic-fixture');
    expect(cleanSec).toContain('2,101 / 326 / 613 / 3,040');
    for (const stage of ['pretrain', 'trees', 'candidates', 'judge']) expect(cleanSec).toContain(`<th scope="row">${stage}</th>`);
    expect(cleanSec).toContain('skipped (inputs unchanged)');
    expect(cleanSec).toContain('spectral-kmeans');
    expect(cleanSec).toContain('Leaf size median');
    expect(cleanSec).toContain('3.20e-7');
    expect(cleanSec).toContain('Same-user pairs');
    expect(cleanSec).toContain('Judged false negatives');
    expect(cleanSec).toContain('0.0850');
    // The train run's dataset statistics were computed from its dataset folder (20 users, 30 items).
    expect(trainSec).toMatch(/<th scope="row">Users<\/th><td>20<\/td>/);
    expect(trainSec).toMatch(/<th scope="row">Items<\/th><td>30<\/td>/);
    expect(trainSec).toContain('negative sampling');
  });
});

describe('escaping', () => {
  it('escapes a malicious run name, stage name and sampler everywhere, including inside SVG', async () => {
    const evil = '</title><script>alert("x")</script><img src=x onerror=alert(1)>';
    const dir = join(tmp, 'evil');
    writePipelineFixture(dir, { name: evil, stageNames: ['data', `<script>steal()</script>`], sampler: { name: '<b onmouseover=alert(2)>dtl</b>' } });
    const other = writeTrainRunFixture(join(tmp, `x"><svg onload=alert(3)>`), { seed: 5 });
    const page = await renderReportHtml(readRuns([dir, other.dir], { computeDatasetStats: false }), { title: '<i>t</i>' });
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<b onmouseover/i);
    expect(page).not.toMatch(/<svg onload/i);
    expect(page).not.toContain('<i>t</i>');
    expect(page).toContain(esc(evil));
    expect(page).toContain('&lt;i&gt;t&lt;/i&gt;');
    expect(page).toContain('&lt;script&gt;steal()&lt;/script&gt;');
    // Every <svg opened is one vega rendered (no injected tags).
    expect(count(page, '<svg')).toBe(count(page, '<svg xmlns="http://www.w3.org/2000/svg"'));
  });

  it('esc covers the five HTML specials', () => {
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('reader tolerance and errors', () => {
  it('renders a pipeline without optional sections and with a missing pretrain run', async () => {
    const dir = join(tmp, 'sparse');
    writePipelineFixture(dir, { omit: ['trees', 'fni', 'stages', 'dataset', 'test', 'similarity'] });
    rmSync(join(dir, 'stages', 'pretrain'), { recursive: true });
    const run = readRun(dir);
    expect(run.kind).toBe('pipeline');
    expect(run.pretrain).toBeUndefined();
    expect(run.trees).toBeUndefined();
    expect(run.notes.some((n) => n.includes('pretrain'))).toBe(true);
    // test falls back to the final train run's result.
    expect(run.test?.['recall@20']).toBeDefined();
    const page = await renderReportHtml([run]);
    expect(page).toContain('No tree statistics');
    expect(page).toContain('No FNI statistics');
    expect(page).toContain('Run not found.');
    // Timings fall back to the final train run's history; curves of the final train are present.
    expect(count(page, '<svg')).toBe(1 + 3);
  });

  it('reports an unfinished train run without curves', async () => {
    const f = writeTrainRunFixture(join(tmp, 'unfinished'), { finished: false });
    const run = readRun(f.dir, { computeDatasetStats: false });
    expect(run.train?.finished).toBe(false);
    const page = await renderReportHtml([run]);
    expect(page).toContain('not finished');
    expect(count(page, '<svg')).toBe(0);
  });

  it('throws NOT_FOUND for a missing or foreign directory and INVALID_DATA for malformed JSON', () => {
    const expectCode = (fn: () => unknown, code: string): void => {
      try {
        fn();
        expect.unreachable();
      } catch (error) {
        expect(isDtlError(error)).toBe(true);
        expect((error as { code: string }).code).toBe(code);
      }
    };
    expectCode(() => readRun(join(tmp, 'nope')), 'NOT_FOUND');
    mkdirSync(join(tmp, 'empty'));
    expectCode(() => readRun(join(tmp, 'empty')), 'NOT_FOUND');
    mkdirSync(join(tmp, 'broken'));
    writeFileSync(join(tmp, 'broken', 'pipeline.json'), '{ not json');
    expectCode(() => readRun(join(tmp, 'broken')), 'INVALID_DATA');
    expectCode(() => readRuns([]), 'INVALID_ARGUMENT');
  });

  it('disambiguates runs with the same directory name', () => {
    const a = writeTrainRunFixture(join(tmp, 'a', 'run'), { seed: 1 }).dir;
    const b = writeTrainRunFixture(join(tmp, 'b', 'run'), { seed: 2 }).dir;
    expect(readRuns([a, b], { computeDatasetStats: false }).map((r) => r.name)).toEqual(['a/run', 'b/run']);
  });
});

describe('dtl report (CLI)', () => {
  it('defaults to <run>/report.html for one run and prints {report, runs} as the last --json line', () => {
    const r = spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', 'apps/dtl/src/bin.ts', 'report', train.dir, '--json', '--title', 'T'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { report: string; runs: number };
    expect(last).toEqual({ report: join(train.dir, 'report.html'), runs: 1 });
    expect(existsSync(last.report)).toBe(true);
    expect(readFileSync(last.report, 'utf8')).toContain('<title>T</title>');
  });

  it('defaults to ./report.html for several runs', () => {
    expect(defaultReportPath(['x', 'y'], '/some/cwd')).toBe('/some/cwd/report.html');
    expect(defaultReportPath(['runs/one'], '/some/cwd')).toBe(resolve('runs/one', 'report.html'));
  });
});
