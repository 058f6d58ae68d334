/**
 * DTL-NS against the baseline trained beside it (issue 19): per test metric, both values, the absolute
 * gain (DTL-NS − baseline) and the relative gain (gain / baseline), each with an explicit sign, and
 * which is higher. One home for the arithmetic and the signs, used by `dtl run`'s summary, its JSON
 * output, pipeline.json and the HTML report.
 */

/** One metric of the comparison. `relative_gain` is `null` when the baseline's value is 0. */
export interface MetricComparison {
  readonly metric: string;
  readonly baseline: number;
  readonly dtl_ns: number;
  readonly gain: number;
  readonly relative_gain: number | null;
  readonly higher: 'dtl-ns' | 'baseline' | 'tie';
}

/** The metrics shown first, in this order; then the other metrics @20, then the rest, each in the order the evaluator wrote them. */
const LEADING = ['recall@20', 'ndcg@20'] as const;

/** Compares every metric both maps have (test metrics at each run's best-valid epoch). */
export function compareWithBaseline(dtlNs: Readonly<Record<string, number>>, baseline: Readonly<Record<string, number>>): MetricComparison[] {
  const keys = Object.keys(dtlNs).filter((k) => typeof baseline[k] === 'number' && typeof dtlNs[k] === 'number');
  keys.sort((a, b) => rank(a) - rank(b));
  return keys.map((metric) => {
    const b = baseline[metric]!;
    const d = dtlNs[metric]!;
    const gain = d - b;
    return { metric, baseline: b, dtl_ns: d, gain, relative_gain: b !== 0 ? gain / b : null, higher: gain > 0 ? 'dtl-ns' : gain < 0 ? 'baseline' : 'tie' };
  });
}

function rank(metric: string): number {
  const i = (LEADING as readonly string[]).indexOf(metric);
  return i >= 0 ? i : metric.endsWith('@20') ? LEADING.length : LEADING.length + 1;
}

/** `+0.0123`, `−0.0123` (U+2212 minus), `±0.0000` for an exact tie. */
export function signed(x: number, digits = 4): string {
  if (x === 0) return `±${(0).toFixed(digits)}`;
  return `${x > 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

/** A relative gain as a signed percentage (`+1.23 %`, `−0.40 %`); `n/a` without a baseline value. */
export function signedPercent(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : `${signed(100 * x, digits)} %`;
}

/** `Recall@20` for `recall@20`. */
export function metricLabel(metric: string): string {
  const [name = metric, k] = metric.split('@');
  const pretty: Record<string, string> = { recall: 'Recall', ndcg: 'NDCG', precision: 'Precision', hit: 'Hit', mrr: 'MRR' };
  return `${pretty[name] ?? name}${k !== undefined ? `@${k}` : ''}`;
}

/** Who is higher, in words. */
export function higherText(c: Pick<MetricComparison, 'higher'>, baselineName: string): string {
  return c.higher === 'dtl-ns' ? 'DTL-NS higher' : c.higher === 'baseline' ? `${baselineName} higher` : 'tie';
}

/** The side-by-side lines of the summary: baseline vs DTL-NS per metric @20, signed gains, who is higher. */
export function baselineSummary(b: { readonly model: string; readonly sampler: string; readonly best_epoch: number }, comparison: readonly MetricComparison[] | undefined, leaky: boolean): string {
  const name = `baseline (${b.model} + ${b.sampler})`;
  if (!comparison || comparison.length === 0) return `${name}: no test metrics to compare (best-valid epoch ${b.best_epoch})`;
  const rows = comparison.filter((c) => c.metric.endsWith('@20'));
  const head = ['metric', b.sampler, 'DTL-NS', 'gain', 'relative', ''];
  const body = rows.map((c) => [metricLabel(c.metric), c.baseline.toFixed(4), c.dtl_ns.toFixed(4), signed(c.gain), signedPercent(c.relative_gain), higherText(c, b.sampler)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [
    `${name} vs DTL-NS, test at each best-valid epoch (baseline epoch ${b.best_epoch}; same data, model and budget; the baseline never sees judged false negatives)${leaky ? ' [DTL-NS LEAKY: paper protocol, baseline clean]' : ''}:`,
    line(head),
    ...body.map(line),
  ].join('\n');
}
