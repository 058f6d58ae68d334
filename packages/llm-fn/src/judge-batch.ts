/**
 * Offline judging through batch files (OpenAI Batch API / `vllm run-batch` format, JSONL in, JSONL
 * out) — for 10⁵–10⁷ prompts run where the GPUs are, not as a loop of HTTP calls.
 *
 * - {@link writeJudgeBatch} writes one request line per prompt that has no `ok` cache entry:
 *   `{"custom_id": <cache key>, "method": "POST", "url": "/v1/chat/completions", "body": {model,
 *   messages, temperature: 0, response_format?}}`. The prompts are exactly those the live judge sends
 *   (same `buildJudgePrompt`, same cache key), so online and offline results share one cache.
 * - {@link importJudgeBatch} reads a results file (`{"custom_id", "response": {"status_code",
 *   "body": <chat completion>}, "error"}` per line) and validates every reply exactly like a live one
 *   (size cap, `parseJudgments` — schema, ids in range), storing each in the cache in its own
 *   transaction. Unknown or duplicate `custom_id`s, truncated / malformed lines and error lines are
 *   counted and reported, never fatal. A result whose key is already `ok` in the cache is skipped, so
 *   an import killed midway and rerun loses and repeats nothing.
 * - Then {@link runJudging} with `cacheOnly: true` turns the cache into labels — the same outcome and
 *   artifact as the online path.
 *
 * The format, with an example, is documented in `packages/llm-fn/BATCH_FORMAT.md`.
 */
import { createReadStream, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge } from '@dtl/core';
import { createRedactor } from './internal/redact.ts';
import { judgeCallKey } from './judge-cache.ts';
import type { JudgeCache } from './judge-cache.ts';
import { parseJudgments } from './parse-judgments.ts';
import { buildJudgePrompt, estimateTokens } from './prompt.ts';
import type { PromptOptions } from './prompt.ts';
import { DEFAULT_MAX_REPLY_BYTES, planJudging, replyPrefix, replySizeError, validateJudging } from './run-judging.ts';
import type { JudgingPlanOptions } from './run-judging.ts';

/** The JSON schema a batch request asks for (OpenAI structured outputs, strict mode). */
export const JUDGMENTS_JSON_SCHEMA = {
  type: 'object',
  properties: {
    judgments: {
      type: 'array',
      items: {
        type: 'object',
        properties: { index: { type: 'integer' }, label: { type: 'string', enum: ['positive', 'negative'] } },
        required: ['index', 'label'],
        additionalProperties: false,
      },
    },
  },
  required: ['judgments'],
  additionalProperties: false,
} as const;

/** Options of {@link writeJudgeBatch}. */
export interface WriteJudgeBatchOptions extends JudgingPlanOptions {
  /** The live judge whose prompts and cache keys the file must match (a prompt-mode LangChain judge). */
  readonly judge: FalseNegativeJudge;
  /** `body.model` of every line (the model name the engine serves). */
  readonly model: string;
  /** The judge's prompt options (must be the ones it was built with). */
  readonly prompt?: PromptOptions;
  /**
   * `body.response_format`: `json_schema` (default; OpenAI, vLLM ≥ 0.6 guided decoding), `json_object`,
   * or `none` for engines without structured output.
   */
  readonly responseFormat?: 'json_schema' | 'json_object' | 'none';
  /** Requests with an `ok` entry here are not written. */
  readonly cache?: JudgeCache;
  /** Secret values removed from every line (defence in depth: lines hold no secrets). */
  readonly redact?: readonly string[];
}

/** What {@link writeJudgeBatch} wrote. */
export interface WriteJudgeBatchResult {
  /** Requests the candidate set needs. */
  readonly requests: number;
  /** Lines written (distinct prompts without an `ok` cache entry). */
  readonly written: number;
  /** Requests already answered in the cache. */
  readonly cached: number;
  /** Estimated prompt tokens of the written lines. */
  readonly promptTokens: number;
}

/** Writes the batch request file atomically (see the module comment). */
export function writeJudgeBatch(path: string, options: WriteJudgeBatchOptions): WriteJudgeBatchResult {
  validateJudging(options);
  const redact = createRedactor(options.redact);
  const { tasks, requestOf } = planJudging(options);
  const format = options.responseFormat ?? 'json_schema';
  const lines: string[] = [];
  const seen = new Set<string>();
  let cached = 0;
  let promptTokens = 0;
  for (const task of tasks) {
    const request = requestOf(task);
    const key = judgeCallKey(options.judge, request);
    if (options.cache?.get(key)?.status === 'ok') {
      cached++;
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    const p = buildJudgePrompt(request, options.prompt ?? {});
    if (options.judge.key(request) !== `${p.system}\n---\n${p.user}`) {
      throw new DtlError(
        'INVALID_ARGUMENT',
        `batch files need a prompt-mode LangChain judge built with the same prompt options (judge ${options.judge.id} sends a different prompt)`,
      );
    }
    promptTokens += p.estimatedTokens;
    const body: Record<string, unknown> = {
      model: options.model,
      messages: [
        { role: 'system', content: p.system },
        { role: 'user', content: p.user },
      ],
      temperature: 0,
    };
    if (format === 'json_schema') body['response_format'] = { type: 'json_schema', json_schema: { name: 'judgments', strict: true, schema: JUDGMENTS_JSON_SCHEMA } };
    else if (format === 'json_object') body['response_format'] = { type: 'json_object' };
    lines.push(redact(JSON.stringify({ custom_id: key, method: 'POST', url: '/v1/chat/completions', body })));
  }
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, lines.length > 0 ? lines.join('\n') + '\n' : '');
    renameSync(tmp, path);
  } catch (error) {
    throw new DtlError('IO_ERROR', `cannot write the batch request file: ${String((error as Error)?.message ?? error)}`, { location: { file: path }, cause: error });
  }
  return { requests: tasks.length, written: lines.length, cached, promptTokens };
}

/** Options of {@link importJudgeBatch}. */
export interface ImportJudgeBatchOptions extends JudgingPlanOptions {
  readonly judge: FalseNegativeJudge;
  /** Where results are stored (required: the import is its only output). */
  readonly cache: JudgeCache;
  /** Reply cap in UTF-8 bytes (default 256 KiB), as for live replies. */
  readonly maxReplyBytes?: number;
  readonly redact?: readonly string[];
  /** Problems listed in `problems` (default 20); all are counted. */
  readonly maxProblems?: number;
}

/** Counters of an import. */
export interface ImportJudgeBatchStats {
  /** Non-blank lines read. */
  readonly lines: number;
  /** Valid replies stored as `ok`. */
  readonly stored: number;
  /** Results recorded as `failed`: error lines, non-200 responses, unparseable or oversized replies. */
  readonly failed: number;
  /** Of `failed`: replies over the size cap. */
  readonly tooLarge: number;
  /** Lines that are not JSON objects with a string `custom_id` (e.g. truncated). */
  readonly malformed: number;
  /** `custom_id`s that are no request of this candidate set / judge. */
  readonly unknown: number;
  /** Repeated `custom_id`s within the file (the first one counts). */
  readonly duplicate: number;
  /** Results whose request was already `ok` in the cache (e.g. a rerun after a killed import). */
  readonly alreadyCached: number;
  /** `file:line: problem` for the first problems. */
  readonly problems: readonly string[];
}

interface BatchLine {
  readonly custom_id?: unknown;
  readonly response?: { readonly status_code?: unknown; readonly body?: unknown } | null;
  readonly error?: { readonly code?: unknown; readonly message?: unknown } | null;
}

interface CompletionLike {
  readonly choices?: ReadonlyArray<{ readonly message?: { readonly content?: unknown; readonly tool_calls?: ReadonlyArray<{ readonly function?: { readonly arguments?: unknown } }> } }>;
  readonly usage?: { readonly prompt_tokens?: unknown; readonly completion_tokens?: unknown };
}

/** The reply text of a chat completion, as the live path reads it (content, else the first tool call's arguments). */
function replyText(body: unknown): string | undefined {
  const choices = (body as CompletionLike | null | undefined)?.choices;
  const message = Array.isArray(choices) ? choices[0]?.message : undefined;
  if (!message) return undefined;
  const c = message.content;
  if (typeof c === 'string' && c.length > 0) return c;
  if (Array.isArray(c)) {
    const text = c.map((part: unknown) => (typeof part === 'string' ? part : String((part as { text?: unknown })?.text ?? ''))).join('');
    if (text.length > 0) return text;
  }
  const args = message.tool_calls?.[0]?.function?.arguments;
  if (typeof args === 'string' && args.length > 0) return args;
  return typeof c === 'string' ? c : undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Imports a batch results file into the cache (see the module comment). Never throws on bad lines. */
export async function importJudgeBatch(path: string, options: ImportJudgeBatchOptions): Promise<ImportJudgeBatchStats> {
  validateJudging(options);
  const { judge, cache } = options;
  const redact = createRedactor(options.redact);
  const maxReplyBytes = options.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const maxProblems = options.maxProblems ?? 20;
  const { tasks, requestOf } = planJudging(options);
  // custom_id → number of candidates of its request.
  const byKey = new Map<string, { n: number }>();
  for (const task of tasks) {
    const request = requestOf(task);
    const key = judgeCallKey(judge, request);
    if (!byKey.has(key)) byKey.set(key, { n: request.candidates.length });
  }
  const stats = { lines: 0, stored: 0, failed: 0, tooLarge: 0, malformed: 0, unknown: 0, duplicate: 0, alreadyCached: 0 };
  const problems: string[] = [];
  const problem = (line: number, text: string): void => {
    if (problems.length < maxProblems) problems.push(`${path}:${line}: ${redact(text)}`);
  };
  const seen = new Set<string>();
  let stream;
  try {
    stream = createReadStream(path, { encoding: 'utf8' });
    await new Promise<void>((ok, fail) => {
      stream!.once('open', () => ok());
      stream!.once('error', fail);
    });
  } catch (error) {
    throw new DtlError('NOT_FOUND', `cannot read the batch results file: ${String((error as Error)?.message ?? error)}`, { location: { file: path }, cause: error });
  }
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  const failed = (key: string, error: string, raw: string, usage?: { p: number; r: number }): void => {
    stats.failed++;
    cache.put({ key, judgeId: judge.id, status: 'failed', raw: redact(replyPrefix(raw)), labels: [], promptTokens: usage?.p ?? 0, responseTokens: usage?.r ?? 0, ms: 0, attempts: 1, error: redact(error) });
  };
  for await (const text of rl) {
    lineNo++;
    if (text.trim() === '') continue;
    stats.lines++;
    let line: BatchLine;
    try {
      line = JSON.parse(text) as BatchLine;
    } catch {
      stats.malformed++;
      problem(lineNo, `malformed or truncated JSON line (${text.length} chars)`);
      continue;
    }
    if (typeof line !== 'object' || line === null || typeof line.custom_id !== 'string') {
      stats.malformed++;
      problem(lineNo, 'not a batch result (no string custom_id)');
      continue;
    }
    const key = line.custom_id;
    const entry = byKey.get(key);
    if (!entry) {
      stats.unknown++;
      problem(lineNo, `unknown custom_id "${key.slice(0, 80)}" (not a request of this judge and candidate set)`);
      continue;
    }
    if (seen.has(key)) {
      stats.duplicate++;
      problem(lineNo, `duplicate custom_id ${key.slice(0, 16)}… (the first result counts)`);
      continue;
    }
    seen.add(key);
    if (cache.get(key)?.status === 'ok') {
      stats.alreadyCached++;
      continue;
    }
    if (line.error) {
      const e = line.error;
      failed(key, `BATCH_ERROR: ${String(e.code ?? 'error')}: ${String(e.message ?? '')}`, '');
      problem(lineNo, `error line: ${String(e.code ?? '')} ${String(e.message ?? '').slice(0, 200)}`);
      continue;
    }
    const status = num(line.response?.status_code);
    const body = line.response?.body;
    if (status !== 200) {
      const message = String((body as { error?: { message?: unknown } } | undefined)?.error?.message ?? '');
      failed(key, `BATCH_ERROR: HTTP ${status ?? 'no status'}${message ? `: ${message}` : ''}`, '');
      problem(lineNo, `response status ${status ?? 'missing'}`);
      continue;
    }
    const raw = replyText(body);
    const usage = (body as CompletionLike | null | undefined)?.usage;
    const tokens = { p: num(usage?.prompt_tokens) ?? 0, r: num(usage?.completion_tokens) ?? 0 };
    if (raw === undefined) {
      failed(key, 'BATCH_ERROR: response body has no choices[0].message content', '', tokens);
      problem(lineNo, 'no message content');
      continue;
    }
    const tooLarge = replySizeError(raw, maxReplyBytes);
    if (tooLarge !== undefined) {
      stats.tooLarge++;
      failed(key, tooLarge, raw, tokens);
      problem(lineNo, tooLarge);
      continue;
    }
    const parsed = parseJudgments(raw, entry.n);
    if (parsed.method === 'none') {
      failed(key, `PROVIDER_FAILURE: no judgment could be parsed from the reply (${raw.length} chars)`, raw, tokens);
      problem(lineNo, 'no judgment could be parsed from the reply');
      continue;
    }
    // Written at once, in its own transaction: an import killed after this line keeps this result.
    cache.put({
      key,
      judgeId: judge.id,
      status: 'ok',
      raw: redact(raw),
      labels: parsed.labels,
      promptTokens: tokens.p,
      responseTokens: tokens.r || estimateTokens(raw),
      ms: 0,
      attempts: 1,
    });
    stats.stored++;
  }
  return { ...stats, problems };
}
