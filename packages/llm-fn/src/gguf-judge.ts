/**
 * A false-negative judge on a local GGUF model through `node-llama-cpp` (imported dynamically, so this
 * package works without it). It uses `LlamaCompletion` with our own plain prompt template and a
 * JSON-schema grammar that fixes the answer's shape and index order — the model only chooses each
 * label — which was far faster than `LlamaChatSession` on small CPUs. Calls are serialized (one
 * context sequence); `threads: 1` by default because more threads on a busy 2-core machine made
 * generation orders of magnitude slower (architecture.md, toolchain facts).
 *
 * Call `dispose()` when done.
 */
import { basename } from 'node:path';
import { statSync } from 'node:fs';
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge, JudgeRequest, JudgeResult } from '@dtl/core';
import { throwIfAborted } from './internal/abort.ts';
import { orderedJudgmentsJsonSchema } from './internal/judgment-schema.ts';
import { PROMPT_VERSION, buildJudgePrompt } from './prompt.ts';
import type { JudgePrompt, PromptOptions } from './prompt.ts';
import { parseJudgments } from './parse-judgments.ts';

/** Options of {@link createGgufJudge}. */
export interface GgufJudgeOptions {
  /** Path of the `.gguf` file. */
  readonly modelPath: string;
  /** CPU threads (default 1). */
  readonly threads?: number;
  /** Context size in tokens (default 2048, capped by the model's training context). */
  readonly contextSize?: number;
  /** Max generated tokens for n candidates (default `24 + 40·n`, capped at half the context). */
  readonly maxTokens?: (nCandidates: number) => number;
  /**
   * Prompt options; the token budget defaults to `contextSize − maxTokens(20)`, and a prompt whose real
   * token count (the model's tokenizer) still exceeds the room left is rebuilt with a smaller budget.
   */
  readonly prompt?: PromptOptions;
  /** Renders system + user into the completion text (default: `system`, blank line, `user`, blank line, `JSON answer:`). */
  readonly template?: (prompt: JudgePrompt) => string;
  /** A name for the judge id (default: the file's base name and byte size). */
  readonly modelName?: string;
}

/** A GGUF judge holds native resources: dispose it. */
export interface GgufJudge extends FalseNegativeJudge {
  dispose(): Promise<void>;
}

const defaultTemplate = (p: JudgePrompt): string => `${p.system}\n\n${p.user}\n\nJSON answer:\n`;

type NodeLlamaCpp = typeof import('node-llama-cpp');

/** Loads the model and returns the judge (see the module comment). */
export async function createGgufJudge(options: GgufJudgeOptions): Promise<GgufJudge> {
  let mod: NodeLlamaCpp;
  try {
    mod = await import('node-llama-cpp');
  } catch (error) {
    throw new DtlError('UNSUPPORTED', 'the GGUF judge needs the optional package node-llama-cpp (3.21.x); install it (npm i node-llama-cpp@3.21.1, or pnpm add node-llama-cpp@3.21.1 --filter @dtl/app)', { cause: error });
  }
  let size: number;
  try {
    size = statSync(options.modelPath).size;
  } catch (error) {
    throw new DtlError('NOT_FOUND', `GGUF model not found: ${options.modelPath}`, { cause: error });
  }
  const llama = await mod.getLlama({ gpu: false, build: 'never', logLevel: mod.LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: options.modelPath }).catch((error: unknown) => {
    throw new DtlError('INVALID_DATA', `cannot load GGUF model: ${String((error as Error)?.message ?? error)}`, {
      location: { file: options.modelPath },
      cause: error,
    });
  });
  const contextSize = Math.min(options.contextSize ?? 2048, model.trainContextSize);
  const context = await model.createContext({ contextSize, threads: options.threads ?? 1 });
  const completion = new mod.LlamaCompletion({ contextSequence: context.getSequence() });
  const maxTokensOf = (n: number): number =>
    Math.max(8, Math.min(Math.floor(contextSize / 2), options.maxTokens ? options.maxTokens(n) : 24 + 40 * n));
  const template = options.template ?? defaultTemplate;
  const grammars = new Map<number, Awaited<ReturnType<typeof llama.createGrammarForJsonSchema>>>();
  const name = options.modelName ?? `${basename(options.modelPath)}#${size}`;
  const id = `gguf:${name}:${PROMPT_VERSION}`;

  /** The completion text for a request: fits the context with the model's own tokenizer. */
  const render = (request: JudgeRequest): { text: string; tokens: number } => {
    const room = contextSize - maxTokensOf(request.candidates.length);
    let budget = options.prompt?.tokenBudget ?? room;
    for (let attempt = 0; attempt < 6; attempt++) {
      const text = template(buildJudgePrompt(request, { ...options.prompt, tokenBudget: Math.max(1, budget) }));
      const tokens = model.tokenize(text).length;
      if (tokens <= room) return { text, tokens };
      budget = Math.floor((budget * room) / tokens) - 8;
    }
    throw new DtlError('INVALID_ARGUMENT', `prompt does not fit the ${contextSize}-token context even with its history truncated`);
  };

  let queue: Promise<unknown> = Promise.resolve();
  const judge = async (request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> => {
    throwIfAborted(signal);
    const n = request.candidates.length;
    const { text, tokens } = render(request);
    let grammar = grammars.get(n);
    if (!grammar) {
      grammar = await llama.createGrammarForJsonSchema(orderedJudgmentsJsonSchema(n) as never);
      grammars.set(n, grammar);
    }
    throwIfAborted(signal);
    let raw: string;
    try {
      raw = await completion.generateCompletion(text, {
        grammar,
        maxTokens: maxTokensOf(n),
        temperature: 0,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw new DtlError('CANCELLED', 'judge call aborted', { cause: signal.reason });
      throw new DtlError('PROVIDER_FAILURE', `llama.cpp generation failed: ${String((error as Error)?.message ?? error)}`, { cause: error });
    }
    const parsed = parseJudgments(raw, n);
    if (parsed.method === 'none') {
      throw new DtlError('PROVIDER_FAILURE', `no judgment could be parsed from the completion (${raw.length} chars)`);
    }
    return { labels: parsed.labels, raw, promptTokens: tokens, responseTokens: model.tokenize(raw).length };
  };

  return {
    id,
    key(request: JudgeRequest): string {
      return render(request).text;
    },
    judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
      if (request.candidates.length === 0) {
        return Promise.reject(new DtlError('INVALID_ARGUMENT', 'judge request has no candidates'));
      }
      // One sequence: run calls one after another.
      const run = queue.then(() => judge(request, signal));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      await queue;
      completion.dispose();
      await context.dispose();
      await model.dispose();
    },
  };
}
