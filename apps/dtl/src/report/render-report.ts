import type { TopLevelSpec } from 'vega-lite';
import { acrossRunsSpec, comparisonSpec, lossSpec, metricSpec, renderSvg, stagesSpec } from './charts.ts';
import { concat, el, esc, fmt, fmtSeconds, raw, table } from './html.ts';
import type { Fragment, SafeHtml } from './html.ts';
import type { ReportRun, StageTiming, TrainRunInfo, TreeInfo } from './read-run.ts';
import { REPORT_CSS } from './style.ts';
import { compareWithBaseline, higherText, metricLabel, signed, signedPercent } from '../pipeline/baseline-comparison.ts';

export interface RenderReportOptions {
  /** Page title; default "DTL-NS report" (+ the run name for a single run). */
  readonly title?: string;
  /** Timestamp printed in the header; default now. Tests pass a fixed one. */
  readonly generatedAt?: Date;
}

/** The metrics of the comparison table (test, at the best-valid epoch). */
export const COMPARISON_METRICS = [
  ['recall@20', 'Recall@20'],
  ['ndcg@20', 'NDCG@20'],
  ['precision@20', 'Precision@20'],
  ['hit@20', 'Hit@20'],
] as const;

const LEAKY_TITLE = 'paper protocol: held-out (valid/test) labels influenced training or masking — never compare these numbers with clean ones';

/** The LEAKY badge; shown on every number block of a paper-protocol run. */
export function leakyBadge(): SafeHtml {
  return raw(`<span class="badge leaky" title="${esc(LEAKY_TITLE)}">LEAKY</span>`);
}

function badgeIf(leaky: boolean): Fragment {
  return leaky ? leakyBadge() : '';
}

function protocolBadge(run: ReportRun): SafeHtml {
  return run.leaky ? leakyBadge() : raw(`<span class="badge clean" title="clean protocol: only the evaluator read valid/test labels">${esc(run.protocol)}</span>`);
}

async function figure(spec: TopLevelSpec | undefined): Promise<SafeHtml> {
  if (!spec) return raw('');
  return raw(`<figure class="chart">${await renderSvg(spec)}</figure>`);
}

function heading(level: 2 | 3 | 4, text: Fragment, leaky: boolean, id?: string): SafeHtml {
  const idAttr = id ? ` id="${esc(id)}"` : '';
  return raw(`<h${level}${idAttr}>${concat(text).__html}${leaky ? ' ' + leakyBadge().__html : ''}</h${level}>`);
}

function samplerText(info: TrainRunInfo | undefined, fallback: string | undefined): string {
  const name = info?.sampler ?? fallback ?? '—';
  const params = info?.samplerParams;
  if (!params) return name;
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return `${name} (${parts.join(', ')})`;
}

function datasetLabel(run: ReportRun): string {
  const name = typeof run.dataset?.name === 'string' && run.dataset.name ? run.dataset.name : undefined;
  if (name && run.dataPath) return `${name} (${run.dataPath})`;
  return name ?? run.dataPath ?? '—';
}

// ---------------------------------------------------------------- comparison

interface ComparisonRow {
  readonly run: ReportRun;
  readonly label: string;
  readonly info: TrainRunInfo | undefined;
  readonly test: Readonly<Record<string, number>> | undefined;
  readonly main: boolean;
}

function comparisonRows(runs: readonly ReportRun[]): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const run of runs) {
    rows.push({ run, label: run.name, info: run.train, test: run.test, main: true });
    if (run.pretrain) rows.push({ run, label: `${run.name} · pretrain`, info: run.pretrain, test: run.pretrain.test, main: false });
    if (run.baseline) rows.push({ run, label: `${run.name} · baseline`, info: run.baseline, test: run.baseline.test, main: false });
  }
  return rows;
}

async function comparisonSection(runs: readonly ReportRun[]): Promise<SafeHtml> {
  const rows = comparisonRows(runs);
  // Best value per metric among clean final runs only: a LEAKY number never "wins".
  const best = new Map<string, number>();
  const contenders = rows.filter((r) => r.main && !r.run.leaky);
  if (contenders.length >= 2) {
    for (const [key] of COMPARISON_METRICS) {
      let m = -Infinity;
      for (const r of contenders) m = Math.max(m, r.test?.[key] ?? -Infinity);
      if (Number.isFinite(m)) best.set(key, m);
    }
  }
  const cells = rows.map((r) => {
    const metricCells = COMPARISON_METRICS.map(([key]) => {
      const v = r.test?.[key];
      if (v === undefined) return '—';
      const text = fmt(v);
      return r.main && !r.run.leaky && best.get(key) === v ? raw(`<strong>${esc(text)}</strong>`) : raw(`<span class="num">${esc(text)}</span>`);
    });
    return [
      r.main ? r.label : raw(`<span class="sub">${esc(r.label)}</span>`),
      r.run.kind,
      r.run.leaky ? leakyBadge() : r.run.protocol,
      r.info?.model ?? r.run.model ?? '—',
      samplerText(r.info, r.main ? r.run.sampler : undefined),
      r.info?.bestEpoch ?? '—',
      r.info?.epochsRun ?? '—',
      r.info?.secondsPerEpoch !== undefined ? fmt(r.info.secondsPerEpoch, 3) : '—',
      ...metricCells,
    ] as Fragment[];
  });
  const tbl = table(
    ['Run', 'Kind', 'Protocol', 'Model', 'Sampler', 'Best epoch', 'Epochs', 's/epoch', ...COMPARISON_METRICS.map(([, l]) => `Test ${l}`)],
    cells,
    { cls: 'comparison', rowClass: (i) => [rows[i]!.run.leaky ? 'leaky-row' : '', rows[i]!.main ? '' : 'sub-row'].filter(Boolean).join(' ') || undefined },
  );
  const anyLeaky = runs.some((r) => r.leaky);
  const parts: Fragment[] = [
    heading(2, 'Comparison', false, 'comparison'),
    el('p', 'hint', 'Test metrics at the best-valid epoch (full ranking, train items masked). Bold: best among clean final runs.', anyLeaky ? ' Rows marked LEAKY used held-out labels (paper protocol) and are never bold.' : ''),
    raw(`<div class="table-wrap">${tbl.__html}</div>`),
  ];
  if (runs.length > 1) {
    const barRows = rows
      .filter((r) => r.main && r.test)
      .flatMap((r) => (['recall@20', 'ndcg@20'] as const).filter((k) => r.test?.[k] !== undefined).map((k) => ({ run: r.run.leaky ? `${r.label} [LEAKY]` : r.label, metric: k, value: r.test![k]! })));
    const curvePoints = runs.flatMap((r) =>
      (r.train?.history ?? []).flatMap((h) => {
        const v = h.valid?.['recall@20'];
        return typeof v === 'number' ? [{ run: r.leaky ? `${r.name} [LEAKY]` : r.name, epoch: h.epoch, value: v }] : [];
      }),
    );
    parts.push(raw(`<div class="charts">${(await figure(comparisonSpec(barRows))).__html}${(await figure(acrossRunsSpec(curvePoints, 'Recall@20'))).__html}</div>`));
  }
  return raw(`<section class="block">${concat(...parts).__html}</section>`);
}

// ---------------------------------------------------------------- per run

/**
 * Baseline vs DTL-NS side by side (issue 19): every test metric both runs have, the absolute and the
 * relative gain with an explicit sign, and which is higher.
 */
function baselineBlock(run: ReportRun): SafeHtml | undefined {
  const b = run.baseline;
  if (!b) return undefined;
  const sampler = b.sampler ?? 'baseline';
  const parts: Fragment[] = [heading(3, `DTL-NS vs baseline (${b.model ?? '—'} + ${sampler})`, run.leaky)];
  const comparison = run.train?.test && b.test ? compareWithBaseline(run.train.test, b.test) : [];
  if (!comparison.length) {
    parts.push(el('p', 'hint', 'No test metrics to compare (a run has not finished, or the dataset has no test split).'));
    return concat(...parts);
  }
  parts.push(
    el(
      'p',
      'hint',
      `Test metrics at each run's best-valid epoch (baseline ${fmt(b.bestEpoch)}, DTL-NS ${fmt(run.train?.bestEpoch)}). The baseline trains the same model on the same data with the same budget and seed, `,
      'on the observed train set only: it never sees judged false negatives or the trees. Gain = DTL-NS − baseline; relative gain = gain / baseline.',
      run.leaky ? ' DTL-NS ran under the paper protocol (LEAKY); the baseline is clean.' : '',
    ),
  );
  const rows: Fragment[][] = comparison.map((c) => [
    metricLabel(c.metric),
    raw(`<span class="num">${esc(fmt(c.baseline))}</span>`),
    raw(`<span class="num">${esc(fmt(c.dtl_ns))}</span>`),
    raw(`<span class="num gain ${c.higher}">${esc(signed(c.gain))}</span>`),
    raw(`<span class="num gain ${c.higher}">${esc(signedPercent(c.relative_gain))}</span>`),
    higherText(c, sampler),
  ]);
  parts.push(raw(`<div class="table-wrap">${table(['Test metric', `Baseline (${sampler})`, 'DTL-NS', 'Gain', 'Relative gain', 'Higher'], rows, { cls: 'baseline-comparison', rowHeaders: true }).__html}</div>`));
  return concat(...parts);
}

function headerBlock(run: ReportRun): SafeHtml {
  const info = run.train;
  const status = info ? (info.finished ? `finished${info.stoppedEarly ? ' (early stop)' : ''}` : 'not finished') : '—';
  const rows: Array<[string, Fragment]> = [
    ['Kind', run.kind === 'pipeline' ? 'pipeline run (dtl run)' : 'train run (dtl train)'],
    ['Dataset', datasetLabel(run)],
    ['Model', run.model ?? '—'],
    ['Sampler', samplerText(info, run.sampler)],
    ['Protocol', protocolBadge(run)],
    ['Status', status],
    ['Directory', raw(`<code>${esc(run.dir)}</code>`)],
  ];
  if (info?.falseNegatives) rows.push(['False negatives', JSON.stringify(info.falseNegatives)]);
  if (run.created) rows.push(['Created', run.created]);
  const dl = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${concat(v).__html}</dd>`).join('');
  return raw(`<dl class="header">${dl}</dl>`);
}

function degreeRow(label: string, value: unknown): Fragment[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as Record<string, unknown>;
  return [label, `min ${fmt(d.min)} · median ${fmt(d.median, 1)} · mean ${fmt(d.mean, 2)} · max ${fmt(d.max)}`];
}

function datasetBlock(run: ReportRun): SafeHtml {
  const s = run.dataset;
  const parts: Fragment[] = [heading(3, 'Dataset', run.leaky)];
  if (!s) {
    parts.push(el('p', 'hint', run.dataPath ? `No statistics available for ${run.dataPath}.` : 'No dataset statistics in this run.'));
    return concat(...parts);
  }
  const o = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
  const inter = o(s.interactions);
  const overlaps = o(s.overlaps);
  const cold = o(s.cold);
  const rows: Fragment[][] = [];
  const push = (label: string, value: Fragment): void => {
    rows.push([label, value]);
  };
  if (typeof s.name === 'string') push('Name', s.name);
  push('Users', fmt(s.nUsers));
  push('Items', fmt(s.nItems));
  push('Interactions train / valid / test / total', `${fmt(inter.train)} / ${fmt(inter.valid)} / ${fmt(inter.test)} / ${fmt(inter.total)}`);
  push('Density', typeof s.density === 'number' ? s.density.toExponential(3) : '—');
  push('Users with train / valid / test', `${fmt(s.usersWithTrain)} / ${fmt(s.usersWithValid)} / ${fmt(s.usersWithTest)}`);
  push('Items with train / any', `${fmt(s.itemsWithTrain)} / ${fmt(s.itemsWithAny)}`);
  for (const [key, label] of [
    ['trainUserDegree', 'Train user degree'],
    ['trainItemDegree', 'Train item degree'],
    ['userDegree', 'User degree (all splits)'],
    ['itemDegree', 'Item degree (all splits)'],
  ] as const) {
    const r = degreeRow(label, s[key]);
    if (r) rows.push(r);
  }
  for (const split of ['valid', 'test'] as const) {
    const c = cold[split];
    if (typeof c === 'object' && c !== null) {
      const cc = c as Record<string, unknown>;
      push(`Cold in ${split}: users / items (interactions)`, `${fmt(cc.users)} (${fmt(cc.userInteractions)}) / ${fmt(cc.items)} (${fmt(cc.itemInteractions)})`);
    }
  }
  if (Object.keys(overlaps).length) push('Overlaps train∩valid / train∩test / valid∩test', `${fmt(overlaps.trainValid)} / ${fmt(overlaps.trainTest)} / ${fmt(overlaps.validTest)}`);
  // Scalars we do not know by name (a newer datasetStats) still show up.
  const known = new Set(['name', 'nUsers', 'nItems', 'interactions', 'density', 'usersWithTrain', 'usersWithValid', 'usersWithTest', 'usersWithAny', 'itemsWithTrain', 'itemsWithAny', 'trainUserDegree', 'trainItemDegree', 'userDegree', 'itemDegree', 'cold', 'overlaps']);
  for (const [k, v] of Object.entries(s)) if (!known.has(k) && (typeof v === 'number' || typeof v === 'string')) push(k, v);
  parts.push(table([], rows, { cls: 'kv', rowHeaders: true }));
  return concat(...parts);
}

function trainStages(info: TrainRunInfo): StageTiming[] {
  let total = 0;
  let sample = 0;
  let evalS = 0;
  for (const h of info.history) {
    total += h.seconds ?? 0;
    sample += h.sampleSeconds ?? 0;
    evalS += h.evalSeconds ?? 0;
  }
  if (!info.history.length) return [];
  return [
    { name: 'negative sampling', seconds: sample, skipped: false },
    { name: 'model steps', seconds: Math.max(0, total - sample), skipped: false },
    { name: 'evaluation', seconds: evalS, skipped: false },
  ];
}

async function timingsBlock(run: ReportRun): Promise<SafeHtml> {
  const parts: Fragment[] = [heading(3, 'Timings', run.leaky)];
  const stages = run.stages ?? (run.train ? trainStages(run.train) : []);
  if (!stages.length) {
    parts.push(el('p', 'hint', 'No timings recorded.'));
    return concat(...parts);
  }
  const total = stages.reduce((s, t) => s + (t.seconds ?? 0), 0);
  const rows: Fragment[][] = stages.map((t) => [t.name, fmtSeconds(t.seconds), t.seconds !== undefined && total > 0 ? `${((100 * t.seconds) / total).toFixed(1)} %` : '—', t.skipped ? 'skipped (inputs unchanged)' : 'ran']);
  rows.push([raw('<strong>total</strong>'), fmtSeconds(total), '', '']);
  const info = run.train;
  const extra: Fragment[][] = [];
  if (info) {
    if (info.secondsPerEpoch !== undefined) extra.push(['Seconds per epoch (final train)', fmt(info.secondsPerEpoch, 3)]);
    if (info.sampleShare !== undefined) extra.push(['Sampling share of epoch time', `${(100 * info.sampleShare).toFixed(1)} %`]);
    if (info.resumedFromEpoch) extra.push(['Resumed from epoch', info.resumedFromEpoch]);
    if (info.backend) extra.push(['Backend', info.backend]);
  }
  parts.push(
    raw(
      `<div class="charts"><div>${table([run.stages ? 'Stage' : 'Part of training', 'Wall time', 'Share', 'Status'], rows, { rowHeaders: true }).__html}${extra.length ? table([], extra, { cls: 'kv', rowHeaders: true }).__html : ''}</div>${(await figure(stagesSpec(stages))).__html}</div>`,
    ),
  );
  return concat(...parts);
}

async function curvesFor(label: string, info: TrainRunInfo | undefined, leaky: boolean): Promise<SafeHtml> {
  const parts: Fragment[] = [heading(4, label, leaky)];
  if (!info) {
    parts.push(el('p', 'hint', 'Run not found.'));
    return concat(...parts);
  }
  if (!info.history.length) {
    parts.push(el('p', 'hint', info.finished ? 'No epoch history recorded.' : 'Not finished: no history yet.'));
    return concat(...parts);
  }
  const summary = `best valid epoch ${fmt(info.bestEpoch)} of ${fmt(info.epochsRun)}${info.stoppedEarly ? ' (early stop)' : ''}; valid Recall@20 ${fmt(info.valid?.['recall@20'])}, NDCG@20 ${fmt(info.valid?.['ndcg@20'])}; test Recall@20 ${fmt(info.test?.['recall@20'])}, NDCG@20 ${fmt(info.test?.['ndcg@20'])}`;
  parts.push(el('p', 'hint', summary));
  const figs = await Promise.all([
    figure(lossSpec(info.history)),
    figure(metricSpec(info.history, 'recall@20', 'Recall@20', info.bestEpoch)),
    figure(metricSpec(info.history, 'ndcg@20', 'NDCG@20', info.bestEpoch)),
  ]);
  parts.push(raw(`<div class="charts">${figs.map((f) => f.__html).join('')}</div>`));
  if (!info.history.some((h) => h.valid || h.test)) parts.push(el('p', 'hint', 'No evaluation epochs (no validation split): only the loss is plotted.'));
  return concat(...parts);
}

async function curvesBlock(run: ReportRun): Promise<SafeHtml> {
  const parts: Fragment[] = [heading(3, 'Learning curves', run.leaky), el('p', 'hint', 'Dashed line: best-valid epoch (the test numbers reported are from it).')];
  if (run.kind === 'pipeline') {
    parts.push(await curvesFor('Pretraining (embeddings for the semantic tree and candidates)', run.pretrain, run.leaky));
    parts.push(await curvesFor('Final training (DTL sampler, enhanced positives)', run.train, run.leaky));
    if (run.baseline) parts.push(await curvesFor(`Baseline (${run.baseline.sampler ?? 'baseline'} sampler, observed train set, same budget)`, run.baseline, run.leaky));
  } else {
    parts.push(await curvesFor('Training', run.train, run.leaky));
  }
  return concat(...parts);
}

const TREE_STATS: ReadonlyArray<readonly [string, string]> = [
  ['nItems', 'Items'],
  ['depthMin', 'Depth min'],
  ['depthMax', 'Depth max'],
  ['depthMean', 'Depth mean'],
  ['leaves', 'Leaves (distinct codes)'],
  ['leafSizeMin', 'Leaf size min'],
  ['leafSizeMedian', 'Leaf size median'],
  ['leafSizeMax', 'Leaf size max'],
];

function treesBlock(run: ReportRun): SafeHtml | undefined {
  const t = run.trees;
  if (!t) return run.kind === 'pipeline' ? concat(heading(3, 'Trees', run.leaky), el('p', 'hint', 'No tree statistics in this run.')) : undefined;
  const views: Array<[string, TreeInfo | undefined]> = [
    ['co-occurrence (co)', t.co],
    ['semantic (se)', t.se],
  ];
  const keys = new Set<string>(TREE_STATS.map(([k]) => k));
  for (const [, v] of views) for (const [k, x] of Object.entries(v?.stats ?? {})) if (typeof x === 'number') keys.add(k);
  const label = new Map(TREE_STATS);
  const rows: Fragment[][] = [['Builder', ...views.map(([, v]) => v?.builder ?? '—')]];
  for (const k of keys) rows.push([label.get(k) ?? k, ...views.map(([, v]) => (typeof v?.stats[k] === 'number' ? fmt(v.stats[k], 2) : '—'))]);
  if (views.some(([, v]) => v?.maxResidual !== undefined)) {
    rows.push(['Max eigen-residual ‖Lv − λv‖', ...views.map(([, v]) => (v?.maxResidual !== undefined ? v.maxResidual.toExponential(2) : '—'))]);
  }
  const parts: Fragment[] = [heading(3, 'Trees', run.leaky), table(['', ...views.map(([n]) => n)], rows, { rowHeaders: true })];
  if (t.similarity && Object.keys(t.similarity).length) {
    const simRows = Object.entries(t.similarity).map(([view, s]) => [
      view,
      s.sameUser ?? '—',
      s.random ?? '—',
      s.sameUser !== undefined && s.random !== undefined && s.random > 0 ? `${(s.sameUser / s.random).toFixed(2)}×` : '—',
    ]);
    parts.push(el('p', 'hint', 'Mean code similarity of item pairs from the same user vs random pairs (higher ratio = the tree groups co-consumed items).'));
    parts.push(table(['View', 'Same-user pairs', 'Random pairs', 'Ratio'], simRows, { rowHeaders: true }));
  }
  return concat(...parts);
}

const FNI_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['judge', 'Judge'],
  ['candidates', 'Candidates judged'],
  ['positives', 'Judged false negatives (positives)'],
  ['positive_rate', 'Positive rate'],
  ['calls', 'LLM calls'],
  ['cached', 'Cached answers'],
  ['failed', 'Failed calls'],
  ['precision', 'Precision vs held-out'],
  ['recall', 'Recall vs held-out'],
  ['f1', 'F1 vs held-out'],
  ['seconds', 'Seconds'],
];

function fniBlock(run: ReportRun): SafeHtml | undefined {
  const f = run.fni;
  if (!f) return run.kind === 'pipeline' ? concat(heading(3, 'False-negative identification', run.leaky), el('p', 'hint', 'No FNI statistics in this run.')) : undefined;
  const rows: Fragment[][] = [];
  const known = new Set<string>();
  for (const [k, label] of FNI_FIELDS) {
    known.add(k);
    const v = f[k];
    if (v === undefined) continue;
    rows.push([label, k === 'seconds' ? fmtSeconds(v) : typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  for (const [k, v] of Object.entries(f)) if (!known.has(k) && (typeof v === 'number' || typeof v === 'string')) rows.push([k, v]);
  return concat(
    heading(3, 'False-negative identification', run.leaky),
    el('p', 'hint', run.leaky
      ? 'Paper protocol: judged positives that are valid/test items were filtered with held-out labels.'
      : 'Precision / recall / F1 compare judged positives with held-out valid+test items; they are reported only and never used for training.'),
    table([], rows, { cls: 'kv', rowHeaders: true }),
  );
}

function configBlock(run: ReportRun): SafeHtml {
  const blocks: string[] = [];
  if (run.kind === 'pipeline' && run.config) blocks.push(`<h5>pipeline</h5><pre>${esc(JSON.stringify(run.config, null, 2))}</pre>`);
  if (run.pretrain?.config) blocks.push(`<h5>pretrain</h5><pre>${esc(JSON.stringify(run.pretrain.config, null, 2))}</pre>`);
  if (run.train?.config) blocks.push(`<h5>${run.kind === 'pipeline' ? 'final train' : 'train'}</h5><pre>${esc(JSON.stringify(run.train.config, null, 2))}</pre>`);
  if (run.baseline?.config) blocks.push(`<h5>baseline</h5><pre>${esc(JSON.stringify(run.baseline.config, null, 2))}</pre>`);
  if (!blocks.length) return raw('');
  return raw(`<details class="config"><summary>Configuration</summary>${blocks.join('')}</details>`);
}

async function runSection(run: ReportRun, index: number): Promise<SafeHtml> {
  const parts: Fragment[] = [heading(2, run.name, run.leaky, `run-${index + 1}`), headerBlock(run)];
  if (run.leaky) {
    parts.push(el('p', 'leaky-note', leakyBadge(), ' This run used the paper protocol: held-out labels filtered the judged positives and/or the evaluation masked the enhanced set. Its numbers reproduce the authors’ setup and must not be compared with clean runs.'));
  }
  if (run.notes.length) parts.push(raw(`<ul class="notes">${run.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`));
  parts.push(baselineBlock(run));
  parts.push(datasetBlock(run));
  parts.push(await timingsBlock(run));
  parts.push(await curvesBlock(run));
  parts.push(treesBlock(run));
  parts.push(fniBlock(run));
  parts.push(configBlock(run));
  return raw(`<section class="block run${run.leaky ? ' leaky-run' : ''}" data-run="${index + 1}">${concat(...parts).__html}</section>`);
}

/**
 * Renders runs into one self-contained HTML page: inline CSS, inline SVG charts (vega-lite →
 * vega → SVG headless), no script and no external resource. Every text from the runs is escaped.
 */
export async function renderReportHtml(runs: readonly ReportRun[], options: RenderReportOptions = {}): Promise<string> {
  const title = options.title ?? (runs.length === 1 ? `DTL-NS report — ${runs[0]!.name}` : 'DTL-NS report');
  const generated = (options.generatedAt ?? new Date()).toISOString();
  const toc = runs
    .map((r, i) => `<li><a href="#run-${i + 1}">${esc(r.name)}</a> <span class="muted">(${esc(r.kind)})</span>${r.leaky ? ' ' + leakyBadge().__html : ''}</li>`)
    .join('');
  const sections: string[] = [];
  for (let i = 0; i < runs.length; i++) sections.push((await runSection(runs[i]!, i)).__html);
  const comparison = runs.length ? (await comparisonSection(runs)).__html : '';
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="dtl report">`,
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<header class="page"><h1>${esc(title)}</h1><p class="muted">Generated ${esc(generated)} by <code>dtl report</code> · ${runs.length} run${runs.length === 1 ? '' : 's'}</p>`,
    `<nav><ol>${toc}</ol></nav></header>`,
    '<main>',
    comparison,
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
