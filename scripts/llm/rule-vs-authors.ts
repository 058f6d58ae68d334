/**
 * The rule judge on amazon-sports-dtlns with the DTL-NS authors' tree codes and their 20 candidates
 * per test user, beside the authors' LLM output (their enhanced train file: train pairs + promoted
 * pairs). Reports positive rate and precision/recall of flagged candidates against the users'
 * valid+test positives (reported only — nothing is trained here).
 *
 *   node --conditions=@dtl/source --import tsx scripts/llm/rule-vs-authors.ts [DATASET_DIR]
 *
 * Note: the authors' FNI step removed candidates that are valid/test items before promoting (method.md,
 * "the evaluation leak"), so their promoted set has precision 0 against valid+test by construction; the
 * comparable number is their positive rate, and their rate among candidates that are NOT held out.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrFromPairs, csrHas, csrUnion } from '@dtl/core';
import { loadDataset } from '@dtl/data';
import { createDualCodebook, readCodeFile } from '@dtl/encoding';
import { fniMetrics } from '@dtl/eval';
import { createRuleJudge, runJudging } from '@dtl/llm-fn';
import type { CandidateSet, RuleJudgeOptions } from '@dtl/llm-fn';

const dir = process.argv[2] ?? '/work/shared/data/amazon-sports-dtlns';
const OFFSET = 15138;
const extras = join(dir, 'raw', 'extras');
const { data } = loadDataset(dir);
const codeOpts = { offset: OFFSET, nItems: data.nItems, allowMissing: true };
const co = readCodeFile(join(extras, 'Sports_struct_path_encoding.txt'), codeOpts);
const se = readCodeFile(join(extras, 'Sports_semantic_path_encoding.txt'), codeOpts);
console.log(`codes: co missing ${co.missing.length}, se missing ${se.missing.length} of ${data.nItems} items`);
const codes = createDualCodebook(co.codebook, se.codebook);

// The authors' candidates: `user<TAB>i1..i20`, item ids offset by n_users.
const K = 20;
const candLines = readFileSync(join(extras, 'candidate_items.txt'), 'utf8').trim().split('\n');
const users = new Int32Array(candLines.length);
const items = new Int32Array(candLines.length * K).fill(-1);
candLines.forEach((line, r) => {
  const f = line.trim().split('\t').map(Number);
  users[r] = f[0]!;
  for (let j = 0; j < K && j + 1 < f.length; j++) items[r * K + j] = f[j + 1]! - OFFSET;
});
const candidates: CandidateSet = { k: K, users, items };

// The authors' LLM output: promoted = enhanced − train.
const enhRows: number[] = [];
const enhCols: number[] = [];
for (const line of readFileSync(join(extras, 'train_enhance_dtl_fni.txt'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const [u, i] = line.split('\t').map(Number);
  enhRows.push(u!);
  enhCols.push(i! - OFFSET);
}
const enhanced = csrFromPairs(data.nUsers, data.nItems, enhRows, enhCols).csr;
const authors = new Int8Array(items.length);
let promotedTotal = 0;
for (let u = 0; u < data.nUsers; u++) {
  for (let k = enhanced.indptr[u]!; k < enhanced.indptr[u + 1]!; k++) if (!csrHas(data.train, u, enhanced.indices[k]!)) promotedTotal++;
}
for (let s = 0; s < items.length; s++) {
  const u = users[Math.floor(s / K)]!;
  const i = items[s]!;
  authors[s] = i >= 0 && csrHas(enhanced, u, i) && !csrHas(data.train, u, i) ? 1 : 0;
}
const heldOut = csrUnion(data.valid!, data.test!);

const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : 'n/a');
const notHeldRate = (labels: Int8Array): number => {
  let n = 0;
  let p = 0;
  for (let s = 0; s < labels.length; s++) {
    const i = items[s]!;
    if (i < 0 || csrHas(heldOut, users[Math.floor(s / K)]!, i)) continue;
    n++;
    if (labels[s] === 1) p++;
  }
  return p / n;
};
const agreement = (labels: Int8Array): number => {
  let same = 0;
  let n = 0;
  for (let s = 0; s < labels.length; s++) {
    if (items[s]! < 0) continue;
    n++;
    if ((labels[s] === 1) === (authors[s] === 1)) same++;
  }
  return same / n;
};
const row = (name: string, labels: Int8Array, extra = ''): void => {
  const m = fniMetrics({ candidates, labels, heldOut });
  console.log(
    `${name.padEnd(34)} positives ${String(m.positives).padStart(6)}  rate ${fmt(m.positiveRate)}  rate(not held-out) ${fmt(notHeldRate(labels))}  ` +
      `precision ${fmt(m.precision)}  recall ${fmt(m.recall)}  f1 ${fmt(m.f1)}  agree-w-authors ${fmt(agreement(labels))}${extra}`,
  );
};

const base = fniMetrics({ candidates, labels: authors, heldOut });
console.log(`${candidates.users.length} test users × ${K} candidates = ${base.candidates} slots; held-out (valid+test) among them: ${base.heldOutInCandidates} (base rate ${fmt(base.baseRate)})`);
console.log(`authors' enhanced file: ${promotedTotal} promoted pairs in total`);
row("authors' LLM (promoted)", authors);

const settings: Array<[string, RuleJudgeOptions]> = [
  ['rule either >= 1 (default)', {}],
  ['rule either >= 0.75', { threshold: 0.75 }],
  ['rule either >= 0.5', { threshold: 0.5 }],
  ['rule either >= 0.34', { threshold: 0.34 }],
  ['rule both >= 0.5', { mode: 'both', threshold: 0.5 }],
  ['rule mean >= 0.5', { mode: 'mean', threshold: 0.5 }],
  ['rule co >= 1', { mode: 'co' }],
  ['rule se >= 1', { mode: 'se' }],
];
for (const [name, options] of settings) {
  const t0 = performance.now();
  const { labels, stats } = await runJudging({ judge: createRuleJudge(options), codes, history: data.train, candidates, concurrency: 1 });
  row(name, labels, `  (${stats.requests} requests, ${((performance.now() - t0) / 1000).toFixed(2)} s)`);
}
