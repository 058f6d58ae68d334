/**
 * Pick-and-mix: the DTL-NS loop wired directly from the `@dtl/*` packages, without the `dtl` app,
 * with a sampler and an "LLM provider" written here.
 *
 *   1. data        — `generateSynthetic` (@dtl/data): a dataset with a planted item taxonomy.
 *   2. co codes    — the taxonomy paths as a codebook (`codebookFromPaths`, @dtl/core); on real data
 *                    use `createSpectralKmeansBuilder` (@dtl/trees) + `codebookFromTree` (@dtl/encoding).
 *   3. train MF    — `createMfModel` + `fit` (@dtl/models) with {@link createSameBranchSampler}, a
 *                    custom NegativeSampler: hard negatives from the positive's tree branch.
 *   4. se codes    — a balanced k-means tree over the trained item embeddings (@dtl/trees, @dtl/encoding).
 *   5. judge       — the top-10 unobserved items per user (`topKCandidates`, @dtl/llm-fn) judged by
 *                    {@link createCallbackJudge}, a custom FalseNegativeJudge that sends a prompt to any
 *                    function you give it (an HTTP call to your LLM; here a stand-in), via `runJudging`.
 *   6. retrain     — the same MF and sampler, judged false negatives never sampled as negatives.
 *   7. evaluate    — full-ranking Recall/NDCG@20 on test (`evaluateRanking`, @dtl/eval).
 *
 * Run: `node --conditions=@dtl/source --import tsx examples/custom-sampler-and-judge.ts [tiny|default]`
 */
import { pathToFileURL } from 'node:url';
import { DtlError, codebookFromPaths, codeSimilarity, createRng, csrHas, csrRow, csrRowLength, csrUnion, isDtlError } from '@dtl/core';
import type { Codebook, Csr, FalseNegativeJudge, Rng, InteractionData, JudgeRequest, JudgeResult, NegativeSampler } from '@dtl/core';
import { generateSynthetic } from '@dtl/data';
import { codebookFromTree, createDualCodebook } from '@dtl/encoding';
import { evaluateRanking } from '@dtl/eval';
import { buildJudgePrompt, estimateTokens, flaggedPairs, parseJudgments, PROMPT_VERSION, runJudging, topKCandidates } from '@dtl/llm-fn';
import type { JudgePrompt, JudgingStats } from '@dtl/llm-fn';
import { createMfModel, fit } from '@dtl/models';
import type { EmbeddingModel } from '@dtl/models';
import { createKmeansTreeBuilder } from '@dtl/trees';

// ---------------------------------------------------------------------------------------------
// A custom negative sampler
// ---------------------------------------------------------------------------------------------

/** Options of {@link createSameBranchSampler}. */
export interface SameBranchSamplerOptions {
  /** Item codes (e.g. the co tree); must cover the model's items. */
  readonly codes: Codebook;
  /** Uniform candidates drawn per negative, default 10. */
  readonly candidates?: number;
  /** Weight of the tree view against the min–max normalized model score, default 1. */
  readonly alpha?: number;
}

/**
 * "Same-branch hard negatives": per negative, draw `candidates` items uniformly among those the user
 * does not exclude, score each by min–max(⟨pooled user, pooled item⟩) over the candidates +
 * α·codeSimilarity(codes, positive, item), and return the best. Items deep in the positive's tree
 * branch and ranked high by the model are the hardest negatives — and the likeliest false negatives,
 * which is why the judged ones are excluded on retraining. (A one-view, real-item variant of the
 * DTL-NS sampler, Wu et al., arXiv 2602.18249, method.md §9.)
 */
export function createSameBranchSampler(options: SameBranchSamplerOptions): NegativeSampler {
  const m = options.candidates ?? 10;
  const alpha = options.alpha ?? 1;
  if (!Number.isInteger(m) || m < 1) throw new DtlError('INVALID_ARGUMENT', `candidates must be a positive integer, got ${m}`);
  if (!Number.isFinite(alpha) || alpha < 0) throw new DtlError('INVALID_ARGUMENT', `alpha must be ≥ 0, got ${alpha}`);
  const { codes } = options;
  // Scratch reused across calls; sample() stays a pure function of (request, rng state).
  const cand = new Int32Array(m);
  const score = new Float64Array(m);

  /** A uniform item not in the user's (sorted) exclude row; the caller checked one exists. */
  const drawFree = (row: Int32Array, nItems: number, rng: Rng): number => {
    const free = nItems - row.length;
    if (row.length * 2 < nItems) {
      // Rejection: expected < 2 draws; a bounded number, then the exact draw below.
      for (let t = 0; t < 32; t++) {
        const j = rng.int(nItems);
        if (!binaryHas(row, j)) return j;
      }
    }
    // Exact: the r-th free item, walking the sorted excluded ids.
    let x = rng.int(free);
    for (let p = 0; p < row.length; p++) {
      if (row[p]! <= x) x++;
      else break;
    }
    return x;
  };

  return {
    name: `same-branch(m=${m},alpha=${alpha})`,
    output: 'items',
    sample(request, rng) {
      const { users, positives, k, exclude, model } = request;
      const { nUsers, nItems, dim } = model;
      if (users.length !== positives.length) throw new DtlError('INVALID_ARGUMENT', `${users.length} users but ${positives.length} positives`);
      if (!Number.isInteger(k) || k < 1) throw new DtlError('INVALID_ARGUMENT', `k must be a positive integer, got ${k}`);
      if (exclude.nRows !== nUsers || exclude.nCols !== nItems) throw new DtlError('INVALID_ARGUMENT', `exclude is ${exclude.nRows}×${exclude.nCols}, model is ${nUsers}×${nItems}`);
      if (codes.nItems !== nItems) throw new DtlError('INVALID_ARGUMENT', `codebook covers ${codes.nItems} items, model has ${nItems}`);
      const U = model.pooledUsers();
      const I = model.pooledItems();
      const B = users.length;
      const items = new Int32Array(B * k);
      for (let b = 0; b < B; b++) {
        const u = users[b]!;
        const pos = positives[b]!;
        if (!Number.isInteger(u) || u < 0 || u >= nUsers) throw new DtlError('INVALID_ARGUMENT', `pair ${b}: user ${u} outside [0, ${nUsers})`);
        if (!Number.isInteger(pos) || pos < 0 || pos >= nItems) throw new DtlError('INVALID_ARGUMENT', `pair ${b}: positive ${pos} outside [0, ${nItems})`);
        const row = csrRow(exclude, u);
        if (csrRowLength(exclude, u) >= nItems) throw new DtlError('NO_VALID_NEGATIVE', `user ${u} excludes every item`);
        for (let j = 0; j < k; j++) {
          let lo = Infinity;
          let hi = -Infinity;
          for (let c = 0; c < m; c++) {
            const item = drawFree(row, nItems, rng);
            cand[c] = item;
            let s = 0;
            for (let d = 0, ou = u * dim, oi = item * dim; d < dim; d++) s += U[ou + d]! * I[oi + d]!;
            score[c] = s;
            if (s < lo) lo = s;
            if (s > hi) hi = s;
          }
          const span = hi - lo;
          let best = 0;
          let bestScore = -Infinity;
          for (let c = 0; c < m; c++) {
            const item = cand[c]!;
            const s = (span > 0 ? (score[c]! - lo) / span : 0) + alpha * codeSimilarity(codes, pos, item);
            if (s > bestScore) {
              bestScore = s;
              best = item;
            }
          }
          items[b * k + j] = best;
        }
      }
      return { kind: 'items', k, items };
    },
  };
}

function binaryHas(row: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = row.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = row[mid]!;
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// A custom judge: any "LLM" you can call with a prompt
// ---------------------------------------------------------------------------------------------

/** What a completion function returns: the reply text, optionally with the provider's token counts. */
export type Completion = string | { readonly text: string; readonly promptTokens?: number; readonly responseTokens?: number };

/** Sends a rendered prompt to a model and returns its reply. Honour `signal` if the provider can. */
export type CompleteFn = (prompt: JudgePrompt, signal?: AbortSignal) => Promise<Completion>;

/** Options of {@link createCallbackJudge}. */
export interface CallbackJudgeOptions {
  /** Names model and settings (never a secret); part of the judge id and so of every cache key. */
  readonly name: string;
  readonly complete: CompleteFn;
  /** Prompt token budget (history truncated beyond it), default 3000 (`buildJudgePrompt`'s). */
  readonly tokenBudget?: number;
}

/**
 * A {@link FalseNegativeJudge} over a plain completion function: the request is rendered with
 * `buildJudgePrompt` (@dtl/llm-fn, the prompt the built-in LLM judges use), sent to `complete`, and
 * the reply parsed leniently with `parseJudgments`. Swap `complete` for a call to OpenAI, Ollama,
 * llama.cpp, a LangChain model… — the rest of the pipeline does not change.
 */
export function createCallbackJudge(options: CallbackJudgeOptions): FalseNegativeJudge {
  if (!options.name || /[\r\n]/.test(options.name)) throw new DtlError('INVALID_ARGUMENT', 'judge name must be a non-empty single line');
  const promptOptions = options.tokenBudget !== undefined ? { tokenBudget: options.tokenBudget } : {};
  const render = (request: JudgeRequest): JudgePrompt => buildJudgePrompt(request, promptOptions);
  return {
    id: `callback:${options.name}:${PROMPT_VERSION}`,
    key(request) {
      const p = render(request);
      return `${p.system}\n---\n${p.user}`;
    },
    async judge(request, signal): Promise<JudgeResult> {
      if (signal?.aborted) throw new DtlError('CANCELLED', 'judge call aborted', { cause: signal.reason });
      if (request.candidates.length === 0) throw new DtlError('INVALID_ARGUMENT', 'judge request has no candidates');
      const prompt = render(request);
      let reply: Completion;
      try {
        reply = await options.complete(prompt, signal);
      } catch (error) {
        if (signal?.aborted) throw new DtlError('CANCELLED', 'judge call aborted', { cause: error });
        if (isDtlError(error)) throw error;
        throw new DtlError('PROVIDER_FAILURE', `${options.name}: ${String((error as Error)?.message ?? error)}`, { cause: error });
      }
      const text = typeof reply === 'string' ? reply : reply.text;
      const parsed = parseJudgments(text, request.candidates.length);
      // No usable judgment at all is a failure, so runJudging retries it (and records it if it persists).
      if (parsed.method === 'none') throw new DtlError('PROVIDER_FAILURE', `${options.name}: reply has no judgments`);
      return {
        labels: parsed.labels,
        raw: text,
        promptTokens: (typeof reply !== 'string' ? reply.promptTokens : undefined) ?? prompt.estimatedTokens,
        responseTokens: (typeof reply !== 'string' ? reply.responseTokens : undefined) ?? estimateTokens(text),
      };
    },
  };
}

/**
 * A stand-in for an LLM, for running the example offline: it reads ONLY the prompt text (as a real
 * model would) and answers in the JSON the prompt asks for — a candidate is positive when its `co`
 * path shares at least `minShared` leading steps with a history item's `co` path.
 */
export function createStandInLlm(minShared = 3): CompleteFn {
  return async (prompt) => {
    const history: number[][] = [];
    const candidates = new Map<number, number[]>();
    for (const line of prompt.user.split('\n')) {
      const c = /^\[(\d+)\]\s+co=([\d-]*)/.exec(line);
      if (c) candidates.set(Number(c[1]), parsePath(c[2]!));
      else {
        const h = /^co=([\d-]*)\s+se=/.exec(line);
        if (h) history.push(parsePath(h[1]!));
      }
    }
    const judgments = [...candidates].map(([index, co]) => {
      const shared = Math.max(0, ...history.map((h) => commonPrefix(h, co)));
      return { index, label: shared >= Math.min(minShared, co.length) && co.length > 0 ? 'positive' : 'negative' };
    });
    return JSON.stringify({ judgments });
  };
}

function parsePath(text: string): number[] {
  return text === '' ? [] : text.split('-').map(Number);
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// The program
// ---------------------------------------------------------------------------------------------

export interface ExampleOptions {
  /** Synthetic preset, default `tiny`. */
  readonly preset?: 'tiny' | 'default';
  readonly seed?: number;
  /** Training epochs of each MF run, default 40. */
  readonly epochs?: number;
  /** Candidates judged per user, default 10. */
  readonly candidates?: number;
  /** The "LLM"; default {@link createStandInLlm}. */
  readonly complete?: CompleteFn;
  /** Where progress lines go; default: nowhere. */
  readonly log?: (line: string) => void;
}

export interface ExampleResult {
  readonly dataset: { readonly users: number; readonly items: number; readonly train: number };
  /** Test metrics (Recall/NDCG/… @20) of MF trained with the custom sampler, before and after FNI. */
  readonly before: Record<string, number>;
  readonly after: Record<string, number>;
  readonly judging: JudgingStats;
  /** Judged false negatives (users × items, never train items). */
  readonly falseNegatives: Csr;
  /** Of the judged false negatives, how many are planted held-out likes (synthetic truth, for display only). */
  readonly plantedHits: number;
}

/** Trains MF with the custom sampler and returns it (fixed epochs, no early stopping). */
async function trainMf(data: InteractionData, sampler: NegativeSampler, exclude: Csr, epochs: number, seed: number): Promise<EmbeddingModel> {
  const model = createMfModel({ nUsers: data.nUsers, nItems: data.nItems, dim: 32, seed, optimizer: { kind: 'adam', lr: 0.005 } });
  await fit({ model, train: data.train, exclude, sampler, epochs, batchSize: 512, seed });
  model.forward();
  return model;
}

async function testMetrics(data: InteractionData, model: EmbeddingModel): Promise<Record<string, number>> {
  // Evaluator side (clean protocol): test labels are read here only; the mask is the observed train set.
  const result = await evaluateRanking({
    users: { rows: model.nUsers, dim: model.dim, data: model.pooledUsers() },
    items: { rows: model.nItems, dim: model.dim, data: model.pooledItems() },
    mask: data.train,
    relevant: data.test!,
    ks: [20],
  });
  return result.metrics;
}

export async function main(options: ExampleOptions = {}): Promise<ExampleResult> {
  const seed = options.seed ?? 2022;
  const epochs = options.epochs ?? 40;
  const log = options.log ?? (() => {});
  const rng = createRng(seed);

  // 1. Data with a planted taxonomy.
  const { data, truth } = generateSynthetic({ preset: options.preset ?? 'tiny', seed });
  log(`data: ${data.nUsers} users × ${data.nItems} items, ${data.train.indices.length} train interactions`);

  // 2. co codes: the planted taxonomy (a stand-in for the co-occurrence tree).
  const co = codebookFromPaths(truth.itemPaths);
  const sampler = createSameBranchSampler({ codes: co });

  // 3. MF with the custom sampler.
  const first = await trainMf(data, sampler, data.train, epochs, seed);
  const before = await testMetrics(data, first);
  log(`MF + ${sampler.name}: test recall@20 ${before['recall@20']!.toFixed(4)}, ndcg@20 ${before['ndcg@20']!.toFixed(4)}`);

  // 4. se codes: a balanced k-means tree over the trained item embeddings.
  const seTree = createKmeansTreeBuilder({ k: 4, leafSize: 10 }).build(
    { rows: first.nItems, dim: first.dim, data: Float32Array.from(first.pooledItems()) },
    rng.fork('se-tree'),
  );
  const codes = createDualCodebook(co, codebookFromTree(seTree));

  // 5. Candidates (top-K unobserved per user) judged through the custom judge.
  const candidates = topKCandidates({
    users: first.pooledUsers(),
    items: first.pooledItems(),
    dim: first.dim,
    train: data.train,
    k: options.candidates ?? 10,
  });
  const judge = createCallbackJudge({ name: 'stand-in-llm', complete: options.complete ?? createStandInLlm() });
  const { labels, stats } = await runJudging({ judge, codes, history: data.train, candidates, granularity: 'user', concurrency: 4, retries: 1, backoffMs: 10 });
  const falseNegatives = flaggedPairs(candidates, labels, data.nUsers, data.nItems);
  let plantedHits = 0;
  for (let u = 0; u < data.nUsers; u++) for (const i of csrRow(falseNegatives, u)) if (csrHas(truth.preferences, u, i)) plantedHits++;
  log(`judge ${judge.id}: ${stats.requests} requests, ${stats.positives} of ${stats.candidates} candidates positive (${plantedHits} are planted likes), ${stats.failed} failed`);

  // 6. Retrain: judged false negatives are never sampled as negatives.
  const exclude = csrUnion(data.train, falseNegatives);
  const second = await trainMf(data, sampler, exclude, epochs, seed);
  const after = await testMetrics(data, second);
  log(`MF + ${sampler.name}, judged positives excluded: test recall@20 ${after['recall@20']!.toFixed(4)}, ndcg@20 ${after['ndcg@20']!.toFixed(4)}`);

  return {
    dataset: { users: data.nUsers, items: data.nItems, train: data.train.indices.length },
    before,
    after,
    judging: stats,
    falseNegatives,
    plantedHits,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const preset = process.argv[2] === 'default' ? 'default' : 'tiny';
  const t0 = performance.now();
  await main({ preset, log: (line) => console.log(line) });
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
