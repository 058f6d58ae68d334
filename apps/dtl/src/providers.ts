/**
 * Builds false-negative judges from the `--llm` spec. Only the app imports provider packages
 * (`@langchain/openai`, `@langchain/ollama`) and reads the environment (`OPENAI_API_KEY`, never printed
 * and never part of a judge id, cache key or artifact); `@dtl/llm-fn` only sees a `BaseChatModel`.
 *
 * Specs: `rule` | `openai:<model>@<baseURL>` (or `openai:<model>` for api.openai.com) |
 * `ollama:<model>[@<baseURL>]` | `gguf:<path>`.
 */
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge } from '@dtl/core';
import { createGgufJudge, createLangChainJudge, createRuleJudge } from '@dtl/llm-fn';
import type { PromptOptions, RuleJudgeOptions } from '@dtl/llm-fn';

export type LlmSpec =
  | { readonly kind: 'rule' }
  | { readonly kind: 'openai'; readonly model: string; readonly baseURL?: string | undefined }
  | { readonly kind: 'ollama'; readonly model: string; readonly baseURL?: string | undefined }
  | { readonly kind: 'gguf'; readonly path: string };

/** Parses `--llm` (see the module comment); INVALID_ARGUMENT on anything else. */
export function parseLlmSpec(text: string): LlmSpec {
  if (text === 'rule') return { kind: 'rule' };
  const m = /^(openai|ollama|gguf):(.+)$/.exec(text);
  if (!m) throw new DtlError('INVALID_ARGUMENT', `--llm must be rule | openai:<model>@<baseURL> | ollama:<model> | gguf:<path>, got "${text}"`);
  const kind = m[1] as 'openai' | 'ollama' | 'gguf';
  const rest = m[2]!;
  if (kind === 'gguf') return { kind, path: rest };
  const at = rest.search(/@https?:\/\//);
  const model = at < 0 ? rest : rest.slice(0, at);
  const baseURL = at < 0 ? undefined : rest.slice(at + 1);
  if (model === '') throw new DtlError('INVALID_ARGUMENT', `--llm ${kind}: empty model name`);
  return { kind, model, baseURL };
}

/** Settings the app passes to every judge. */
export interface JudgeSettings {
  /** Environment (for OPENAI_API_KEY); pass `process.env`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly rule?: RuleJudgeOptions;
  readonly prompt?: PromptOptions;
  /** Per-request timeout also given to the HTTP client, ms. */
  readonly timeoutMs?: number;
  /** GGUF CPU threads (default 1). */
  readonly threads?: number;
}

/** A judge plus what to call when done. */
export interface AppJudge {
  readonly judge: FalseNegativeJudge;
  dispose(): Promise<void>;
}

/** Instantiates the provider for `spec`. Provider-level retries are off: the runner retries and records. */
export async function createJudge(spec: LlmSpec, settings: JudgeSettings): Promise<AppJudge> {
  const none = async (): Promise<void> => {};
  switch (spec.kind) {
    case 'rule':
      return { judge: createRuleJudge(settings.rule), dispose: none };
    case 'openai': {
      const model = new ChatOpenAI({
        model: spec.model,
        temperature: 0,
        maxRetries: 0,
        apiKey: settings.env['OPENAI_API_KEY'] ?? 'not-needed',
        ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
        ...(spec.baseURL ? { configuration: { baseURL: spec.baseURL } } : {}),
      });
      const judge = createLangChainJudge({
        model,
        modelName: `openai:${spec.model}@${spec.baseURL ?? 'https://api.openai.com/v1'}`,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: none };
    }
    case 'ollama': {
      const model = new ChatOllama({ model: spec.model, temperature: 0, maxRetries: 0, ...(spec.baseURL ? { baseUrl: spec.baseURL } : {}) });
      const judge = createLangChainJudge({
        model,
        modelName: `ollama:${spec.model}@${spec.baseURL ?? 'http://127.0.0.1:11434'}`,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: none };
    }
    case 'gguf': {
      const judge = await createGgufJudge({
        modelPath: spec.path,
        threads: settings.threads ?? 1,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: () => judge.dispose() };
    }
  }
}
