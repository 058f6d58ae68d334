/**
 * The deterministic rule judge: method.md §6's prefix-overlap rule with an explicit threshold, no LLM.
 * For a candidate c and the user's history H:
 *   s_co(c) = max_{h∈H} sim(co_c, co_h),  s_se(c) = max_{h∈H} sim(se_c, se_h)
 * with sim = LCP / min length (method.md §5). The candidate is positive when
 *   - `either` (default, the prompt's "at least one view clearly overlaps"): s_co ≥ t_co or s_se ≥ t_se;
 *   - `both`: s_co ≥ t_co and s_se ≥ t_se;
 *   - `mean`: (s_co + s_se) / 2 ≥ threshold;
 *   - `co` / `se`: that view alone.
 * It is the free default and the baseline that shows what an LLM adds.
 */
import { DtlError, assertArgument } from '@dtl/core';
import type { FalseNegativeJudge, JudgeItemCodes, JudgeLabel, JudgeRequest, JudgeResult } from '@dtl/core';
import { throwIfAborted } from './internal/abort.ts';
import { pathSimilarity, pathText } from './internal/paths.ts';

export type RuleMode = 'either' | 'both' | 'mean' | 'co' | 'se';

/** Options of {@link createRuleJudge}. */
export interface RuleJudgeOptions {
  /** How the two views combine (default `either`). */
  readonly mode?: RuleMode;
  /** Threshold for both views (and for `mean`); default 1 — some history item's path is a prefix of (or equal to) the candidate's. */
  readonly threshold?: number;
  /** Threshold of the co view (default `threshold`). */
  readonly thresholdCo?: number;
  /** Threshold of the se view (default `threshold`). */
  readonly thresholdSe?: number;
}

/** Max similarity of `candidate`'s co and se paths to any history item's. */
export function maxHistorySimilarity(
  history: readonly JudgeItemCodes[],
  candidate: JudgeItemCodes,
): { co: number; se: number } {
  let co = 0;
  let se = 0;
  for (const h of history) {
    const a = pathSimilarity(candidate.co, h.co);
    const b = pathSimilarity(candidate.se, h.se);
    if (a > co) co = a;
    if (b > se) se = b;
  }
  return { co, se };
}

function canonical(items: readonly JudgeItemCodes[]): string {
  return items.map((c) => `${pathText(c.co)}/${pathText(c.se)}`).join(' ');
}

/** Creates the rule judge (see the module comment). */
export function createRuleJudge(options: RuleJudgeOptions = {}): FalseNegativeJudge {
  const mode = options.mode ?? 'either';
  const threshold = options.threshold ?? 1;
  const tCo = options.thresholdCo ?? threshold;
  const tSe = options.thresholdSe ?? threshold;
  assertArgument(['either', 'both', 'mean', 'co', 'se'].includes(mode), `unknown rule mode "${mode}"`);
  for (const t of [threshold, tCo, tSe]) {
    assertArgument(Number.isFinite(t) && t >= 0 && t <= 1, `rule thresholds must lie in [0, 1], got ${t}`);
  }
  const id =
    mode === 'mean'
      ? `rule:mean>=${threshold}`
      : mode === 'co'
        ? `rule:co>=${tCo}`
        : mode === 'se'
          ? `rule:se>=${tSe}`
          : `rule:${mode}:co>=${tCo},se>=${tSe}`;
  const decide = (s: { co: number; se: number }): JudgeLabel => {
    const co = s.co >= tCo;
    const se = s.se >= tSe;
    const yes =
      mode === 'either' ? co || se : mode === 'both' ? co && se : mode === 'co' ? co : mode === 'se' ? se : (s.co + s.se) / 2 >= threshold;
    return yes ? 'positive' : 'negative';
  };
  return {
    id,
    key(request: JudgeRequest): string {
      return `H ${canonical(request.history)}\nC ${canonical(request.candidates)}`;
    },
    async judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
      throwIfAborted(signal);
      if (request.candidates.length === 0) throw new DtlError('INVALID_ARGUMENT', 'judge request has no candidates');
      const labels = request.candidates.map((c) => decide(maxHistorySimilarity(request.history, c)));
      return { labels, raw: '', promptTokens: 0, responseTokens: 0 };
    },
  };
}
