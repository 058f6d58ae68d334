/**
 * A false-negative judge over any LangChain chat model (`BaseChatModel` from `@langchain/core`). This
 * package never imports a provider: the app builds `ChatOpenAI({ configuration: { baseURL } })` (vLLM,
 * llama.cpp server, LM Studio, OpenAI), `ChatOllama`, … and passes it in. Build the model with
 * `maxRetries: 0` so that retries and backoff stay with the runner (which records every attempt).
 *
 * Output modes:
 * - `prompt` (default): the prompt asks for JSON; the reply is parsed leniently (fences, trailing
 *   commas, truncation, regex fallback — see `parseJudgments`) and validated with zod. Works with
 *   every provider and server.
 * - `native`: `model.withStructuredOutput(zodSchema, { includeRaw: true, method })` (default method
 *   `jsonMode`); when the provider's parse yields nothing, the raw text is parsed leniently. Measured
 *   with `ChatOpenAI` 1.5.8 against an OpenAI-compatible server: the default `jsonSchema` method throws a
 *   SyntaxError (raw reply lost) when the server wraps JSON in code fences, `jsonMode` copes — hence
 *   `prompt` is the default.
 */
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge, JudgeRequest, JudgeResult } from '@dtl/core';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { throwIfAborted } from './internal/abort.ts';
import { judgmentsSchema } from './internal/judgment-schema.ts';
import { redactSecrets } from './internal/redact.ts';
import { PROMPT_VERSION, buildJudgePrompt, estimateTokens } from './prompt.ts';
import type { PromptOptions } from './prompt.ts';
import { parseJudgments } from './parse-judgments.ts';

/** Options of {@link createLangChainJudge}. */
export interface LangChainJudgeOptions {
  /** Any LangChain chat model. */
  readonly model: BaseChatModel;
  /** Model name and endpoint for the judge id / cache key, e.g. `openai:gpt-4o-mini@http://host/v1`. Must not hold secrets. */
  readonly modelName: string;
  /** Output mode (default `prompt`). */
  readonly output?: 'prompt' | 'native';
  /** `withStructuredOutput` method in `native` mode (default `jsonMode`). */
  readonly nativeMethod?: 'jsonMode' | 'jsonSchema' | 'functionCalling';
  /** Prompt token budget and estimate (see `buildJudgePrompt`). */
  readonly prompt?: PromptOptions;
}

interface AiMessageLike {
  readonly content?: unknown;
  readonly usage_metadata?: { readonly input_tokens?: number; readonly output_tokens?: number };
  readonly tool_calls?: ReadonlyArray<{ readonly args?: unknown }>;
}

function textOf(message: AiMessageLike): string {
  const c = message.content;
  if (typeof c === 'string' && c.length > 0) return c;
  if (Array.isArray(c)) {
    const text = c.map((part: unknown) => (typeof part === 'string' ? part : (part as { text?: string })?.text ?? '')).join('');
    if (text.length > 0) return text;
  }
  const args = message.tool_calls?.[0]?.args;
  return args !== undefined ? JSON.stringify(args) : '';
}

/** Creates a judge over a LangChain chat model (see the module comment). */
export function createLangChainJudge(options: LangChainJudgeOptions): FalseNegativeJudge {
  const output = options.output ?? 'prompt';
  const method = options.nativeMethod ?? 'jsonMode';
  const id = `langchain:${redactSecrets(options.modelName)}:${PROMPT_VERSION}${output === 'native' ? `:native-${method}` : ''}`;
  const promptOptions = options.prompt ?? {};
  return {
    id,
    key(request: JudgeRequest): string {
      const p = buildJudgePrompt(request, promptOptions);
      return `${p.system}\n---\n${p.user}`;
    },
    async judge(request: JudgeRequest, signal?: AbortSignal): Promise<JudgeResult> {
      throwIfAborted(signal);
      const n = request.candidates.length;
      if (n === 0) throw new DtlError('INVALID_ARGUMENT', 'judge request has no candidates');
      const prompt = buildJudgePrompt(request, promptOptions);
      const messages: Array<[string, string]> = [
        ['system', prompt.system],
        ['human', prompt.user],
      ];
      let message: AiMessageLike;
      let parsedNative: unknown = null;
      try {
        if (output === 'native') {
          const runnable = options.model.withStructuredOutput(judgmentsSchema, { includeRaw: true, method });
          const r = (await runnable.invoke(messages, { signal })) as { raw: AiMessageLike; parsed: unknown };
          message = r.raw;
          parsedNative = r.parsed;
        } else {
          message = (await options.model.invoke(messages, { signal })) as AiMessageLike;
        }
      } catch (error) {
        if (signal?.aborted) throw new DtlError('CANCELLED', 'judge call aborted', { cause: signal.reason });
        throw new DtlError('PROVIDER_FAILURE', `chat model call failed: ${redactSecrets(String((error as Error)?.message ?? error))}`, {
          cause: error,
        });
      }
      const text = textOf(message);
      const raw = text.length > 0 ? text : parsedNative ? JSON.stringify(parsedNative) : '';
      const parsed = parseJudgments(parsedNative ? JSON.stringify(parsedNative) : raw, n);
      const usage = message.usage_metadata;
      const result: JudgeResult = {
        labels: parsed.labels,
        raw,
        promptTokens: Math.round(usage?.input_tokens ?? prompt.estimatedTokens),
        responseTokens: Math.round(usage?.output_tokens ?? estimateTokens(raw)),
      };
      if (parsed.method === 'none') {
        throw new DtlError('PROVIDER_FAILURE', `no judgment could be parsed from the reply (${raw.length} chars)`, {
          cause: { raw: result.raw, promptTokens: result.promptTokens, responseTokens: result.responseTokens },
        });
      }
      return result;
    },
  };
}
