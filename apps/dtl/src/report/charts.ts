/**
 * Report charts: vega-lite specs compiled to vega and rendered to an SVG string headless
 * (`renderer: 'none'` + `View.toSVG()` — no browser, no canvas, no network: data is always inline).
 * Source: vega-lite 6 `compile()` and vega 6 `View#toSVG` (https://vega.github.io/vega/usage/).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { EpochPoint, StageTiming } from './read-run.ts';

/** Fixed series colours so every report reads the same (vega's tableau10 blue/orange/grey). */
export const CHART_COLORS = { valid: '#4c78a8', test: '#f58518', run: '#4c78a8', skipped: '#bab0ac', loss: '#4c78a8' } as const;

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', gridColor: '#eee', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 10, titleFontSize: 10, orient: 'bottom', labelLimit: 360 },
  title: { fontSize: 12, anchor: 'start', fontWeight: 'bold', offset: 8 },
} as const;

type Engines = { vega: typeof import('vega'); compile: (typeof import('vega-lite'))['compile'] };
let engines: Promise<Engines> | undefined;

// vega costs ~0.2–0.3 s to import: load it on the first chart, not whenever the CLI starts.
function loadEngines(): Promise<Engines> {
  engines ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, compile: vl.compile }));
  return engines;
}

/** Compiles a vega-lite spec and renders it to a standalone `<svg>` string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadEngines();
  // A silent logger: libraries never print; a broken spec still throws from toSVG.
  const silent = vega.logger(vega.None);
  const withConfig = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
  const vgSpec = compile(withConfig, { logger: silent }).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', logger: silent });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const W = 280;
const H = 160;

/** Training loss per epoch (line + points); undefined when no epoch has a loss. */
export function lossSpec(history: readonly EpochPoint[], title = 'Training loss (BPR)'): TopLevelSpec | undefined {
  const values = history.filter((h) => h.loss !== undefined).map((h) => ({ epoch: h.epoch, loss: h.loss }));
  if (!values.length) return undefined;
  return {
    title,
    width: W,
    height: H,
    data: { values },
    mark: { type: 'line', point: values.length <= 60, color: CHART_COLORS.loss },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
    },
  };
}

/**
 * A metric (e.g. `recall@20`) on valid and test per evaluation epoch, with a dashed rule at the
 * best-valid epoch; undefined when no epoch was evaluated.
 */
export function metricSpec(history: readonly EpochPoint[], metric: string, label: string, bestEpoch?: number): TopLevelSpec | undefined {
  const values: Array<{ epoch: number; split: string; value: number }> = [];
  for (const h of history) {
    for (const split of ['valid', 'test'] as const) {
      const v = h[split]?.[metric];
      if (typeof v === 'number' && Number.isFinite(v)) values.push({ epoch: h.epoch, split, value: v });
    }
  }
  if (!values.length) return undefined;
  const line = {
    data: { values },
    mark: { type: 'line' as const, point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative' as const, title: label },
      color: {
        field: 'split',
        type: 'nominal' as const,
        title: null,
        scale: { domain: ['valid', 'test'], range: [CHART_COLORS.valid, CHART_COLORS.test] },
      },
    },
  };
  const layers: unknown[] = [line];
  if (bestEpoch !== undefined && Number.isFinite(bestEpoch)) {
    layers.push({
      data: { values: [{ epoch: bestEpoch }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#888' },
      encoding: { x: { field: 'epoch', type: 'quantitative' } },
    });
  }
  return { title: `${label} per evaluation`, width: W, height: H, layer: layers } as TopLevelSpec;
}

/** Horizontal bars of stage seconds, skipped stages in grey; undefined when no stage has a time. */
export function stagesSpec(stages: readonly StageTiming[]): TopLevelSpec | undefined {
  const values = stages
    .filter((s) => s.seconds !== undefined)
    .map((s, order) => ({ stage: s.name, seconds: s.seconds, status: s.skipped ? 'skipped (cached)' : 'ran', order }));
  if (!values.length) return undefined;
  const anySkipped = values.some((v) => v.status !== 'ran');
  return {
    title: 'Stage wall time',
    width: 420,
    height: { step: 20 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'stage', type: 'nominal', title: null, sort: { field: 'order', op: 'min' } },
      x: { field: 'seconds', type: 'quantitative', title: 'seconds' },
      color: {
        field: 'status',
        type: 'nominal',
        title: null,
        scale: { domain: ['ran', 'skipped (cached)'], range: [CHART_COLORS.run, CHART_COLORS.skipped] },
        legend: anySkipped ? {} : null,
      },
    },
  } as TopLevelSpec;
}

/** One bar group per run: test metrics at the best-valid epoch. */
export function comparisonSpec(rows: ReadonlyArray<{ run: string; metric: string; value: number }>): TopLevelSpec | undefined {
  if (!rows.length) return undefined;
  const metricOrder = [...new Set(rows.map((r) => r.metric))];
  return {
    title: 'Test metrics at the best-valid epoch',
    width: 420,
    height: { step: 14 },
    data: { values: rows.map((r, order) => ({ ...r, order })) },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'run', type: 'nominal', title: null, sort: { field: 'order', op: 'min' } },
      yOffset: { field: 'metric', type: 'nominal', sort: metricOrder },
      x: { field: 'value', type: 'quantitative', title: null },
      color: { field: 'metric', type: 'nominal', title: null, sort: metricOrder, scale: { domain: metricOrder, range: [CHART_COLORS.valid, CHART_COLORS.test, '#54a24b', '#e45756'] } },
    },
  } as TopLevelSpec;
}

/** Valid metric per evaluation epoch, one line per run. */
export function acrossRunsSpec(points: ReadonlyArray<{ run: string; epoch: number; value: number }>, label: string): TopLevelSpec | undefined {
  if (!points.length) return undefined;
  return {
    title: `Valid ${label} per evaluation, all runs`,
    width: 420,
    height: 200,
    data: { values: [...points] },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: `valid ${label}` },
      color: { field: 'run', type: 'nominal', title: null, sort: null, legend: { labelLimit: 360, columns: 1 } },
    },
  } as TopLevelSpec;
}
