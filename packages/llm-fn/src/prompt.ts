/**
 * Prompts for LLM false-negative judges, in our own words, implementing method.md §6's rule:
 * only the two code paths matter, a longer shared prefix means more similar, compare `co` with `co`
 * and `se` with `se`, call a candidate positive when at least one view clearly overlaps the user's
 * history, and answer with JSON only. Candidates are named by local index (`[0]`, `[1]`, …).
 *
 * History-truncation policy (applied only when the prompt would exceed the token budget):
 * 1. identical (co, se) history records are always merged into one line with a multiplicity `(xN)`;
 * 2. if the estimated prompt still exceeds `tokenBudget`, the distinct records are ranked by their
 *    relevance to the candidates — max over candidates of max(sim_co, sim_se) — then by multiplicity,
 *    then by first position; the longest prefix of that ranking that fits is kept (at least one
 *    record), and shown in original order with a note "showing M of N". Candidates are never dropped.
 * Tokens are estimated as `ceil(chars / charsPerToken)` with `charsPerToken` = 3 by default: code
 * paths are digits and dashes, which tokenizers split finely (measured: see README), so the usual
 * 4 chars/token of English would underestimate.
 */
import { assertArgument } from '@dtl/core';
import type { JudgeItemCodes, JudgeRequest } from '@dtl/core';
import { pathSimilarity, pathText } from './internal/paths.ts';

/** Version tag of the prompt wording; part of every LLM judge id, so a wording change never hits old cache rows. */
export const PROMPT_VERSION = 'p1';

/** Options of {@link buildJudgePrompt}. */
export interface PromptOptions {
  /** Max estimated tokens of system + user message (default 3000). */
  readonly tokenBudget?: number;
  /** Characters per token of the estimate (default 3). */
  readonly charsPerToken?: number;
}

/** A rendered prompt. */
export interface JudgePrompt {
  readonly system: string;
  readonly user: string;
  /** Estimated tokens of system + user. */
  readonly estimatedTokens: number;
  /** History items in the request / distinct (co, se) records / records shown. */
  readonly historyItems: number;
  readonly historyRecords: number;
  readonly historyShown: number;
  readonly candidates: number;
}

/** `ceil(text.length / charsPerToken)` — the documented token estimate. */
export function estimateTokens(text: string, charsPerToken = 3): number {
  return Math.ceil(text.length / charsPerToken);
}

const SYSTEM = [
  'You help a recommender system find items a user would probably like even though the user has not interacted with them yet.',
  'Every item is described only by two code paths, each a root-to-leaf route through a hierarchical index tree:',
  '- "co" comes from a tree built from collaborative structure (items consumed by the same users sit close together);',
  '- "se" comes from a tree built from latent semantics (items close in a learned embedding space sit close together).',
  'A path like 2-0-3 reads from the root: child 2, then child 0, then child 3. Two items are more alike the longer the prefix their paths share; paths sharing no first step are unrelated.',
  'Compare co paths only with co paths and se paths only with se paths. Never compare a co path with an se path.',
  'Label a candidate "positive" when at least one of its two paths clearly overlaps the paths of the user\'s history (a long shared prefix); otherwise label it "negative".',
  'Answer with JSON only, no prose, exactly in this form, one entry per candidate index:',
  '{"judgments":[{"index":0,"label":"positive"},{"index":1,"label":"negative"}]}',
].join('\n');

interface HistoryRecord {
  readonly co: string;
  readonly se: string;
  readonly first: number;
  count: number;
  relevance: number;
  codes: JudgeItemCodes;
}

function recordLine(r: HistoryRecord): string {
  return `co=${r.co} se=${r.se}${r.count > 1 ? ` (x${r.count})` : ''}`;
}

/** Builds the system and user messages for `request` (see the module comment for the truncation policy). */
export function buildJudgePrompt(request: JudgeRequest, options: PromptOptions = {}): JudgePrompt {
  const tokenBudget = options.tokenBudget ?? 3000;
  const cpt = options.charsPerToken ?? 3;
  assertArgument(tokenBudget > 0, `tokenBudget must be positive, got ${tokenBudget}`);
  assertArgument(cpt > 0, `charsPerToken must be positive, got ${cpt}`);
  const n = request.candidates.length;

  const byKey = new Map<string, HistoryRecord>();
  request.history.forEach((h, i) => {
    const co = pathText(h.co);
    const se = pathText(h.se);
    const key = `${co}|${se}`;
    const existing = byKey.get(key);
    if (existing) existing.count++;
    else byKey.set(key, { co, se, first: i, count: 1, relevance: 0, codes: h });
  });
  const records = [...byKey.values()];

  const candidateLines = request.candidates.map((c, i) => `[${i}] co=${pathText(c.co)} se=${pathText(c.se)}`);
  const footer =
    n === 1
      ? 'Label the candidate with index 0.'
      : `Label every candidate, indices 0 to ${n - 1}, one entry each.`;
  const render = (shown: HistoryRecord[], truncated: boolean): string => {
    const head = truncated
      ? `User history: ${request.history.length} items, ${records.length} distinct code records; showing the ${shown.length} most relevant:`
      : `User history: ${request.history.length} items, ${records.length} distinct code records:`;
    return [
      head,
      ...(shown.length > 0 ? shown.map(recordLine) : ['(none)']),
      '',
      `Candidates (${n}):`,
      ...candidateLines,
      '',
      footer,
    ].join('\n');
  };

  let shown = records;
  let user = render(records, false);
  const total = (u: string): number => estimateTokens(SYSTEM, cpt) + estimateTokens(u, cpt);
  if (total(user) > tokenBudget && records.length > 1) {
    for (const r of records) {
      let best = 0;
      for (const c of request.candidates) {
        const s = Math.max(pathSimilarity(r.codes.co, c.co), pathSimilarity(r.codes.se, c.se));
        if (s > best) best = s;
      }
      r.relevance = best;
    }
    const ranked = [...records].sort(
      (a, b) => b.relevance - a.relevance || b.count - a.count || a.first - b.first,
    );
    // Fixed cost (everything but the record lines), then add record lines while they fit.
    const fixed = total(render([], true)) - estimateTokens('(none)\n', cpt);
    let used = fixed;
    let keep = 0;
    for (const r of ranked) {
      const cost = estimateTokens(recordLine(r) + '\n', cpt);
      if (keep > 0 && used + cost > tokenBudget) break;
      used += cost;
      keep++;
    }
    // The per-line sum is an estimate of an estimate; re-check the rendered text and trim if needed.
    for (;;) {
      shown = ranked.slice(0, keep).sort((a, b) => a.first - b.first);
      user = render(shown, true);
      if (keep <= 1 || total(user) <= tokenBudget) break;
      keep--;
    }
  }
  return {
    system: SYSTEM,
    user,
    estimatedTokens: total(user),
    historyItems: request.history.length,
    historyRecords: records.length,
    historyShown: shown.length,
    candidates: n,
  };
}
