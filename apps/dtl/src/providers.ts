/**
 * Builds false-negative judges from the `--llm` spec. Only the app imports provider packages
 * (`@langchain/openai`, `@langchain/ollama`, `node-llama-cpp` through `@dtl/llm-fn`), each with a
 * dynamic `import()` inside {@link createJudge}, so commands that never judge (and `dtl --help`) never
 * load them. Only the app reads the environment (`OPENAI_API_KEY`, never printed and never part of a
 * judge id, cache key or artifact; its value is handed to the runner as a redaction list).
 *
 * Specs, exactly one of:
 * - `rule`
 * - `openai:<model>` (api.openai.com) or `openai:<model>@<baseURL>`
 * - `ollama:<model>` (http://127.0.0.1:11434) or `ollama:<model>@<baseURL>`
 * - `gguf:<path>`
 *
 * `<model>` is non-empty and made of letters, digits and `. _ - / : +` (no `@`, no spaces);
 * `<baseURL>` is an absolute `http://` or `https://` URL with a host, without user-info, query or
 * fragment, e.g. `http://127.0.0.1:8000/v1`. Anything else is INVALID_ARGUMENT before any request.
 */
import { DtlError } from '@dtl/core';
import type { FalseNegativeJudge } from '@dtl/core';
import { DEFAULT_MAX_REPLY_BYTES, createCappedFetch, createGgufJudge, createLangChainJudge, createRuleJudge } from '@dtl/llm-fn';
import type { PromptOptions, RuleJudgeOptions } from '@dtl/llm-fn';

export type LlmSpec =
  | { readonly kind: 'rule' }
  | { readonly kind: 'openai'; readonly model: string; readonly baseURL?: string | undefined }
  | { readonly kind: 'ollama'; readonly model: string; readonly baseURL?: string | undefined }
  | { readonly kind: 'gguf'; readonly path: string };

const FORMS = 'rule | openai:<model> | openai:<model>@<http(s)://host[:port]/path> | ollama:<model>[@<http(s)://host[:port]>] | gguf:<path>';
const MODEL_RE = /^[A-Za-z0-9._\-/:+]+$/;

function specError(text: string, why: string): DtlError {
  return new DtlError('INVALID_ARGUMENT', `--llm "${text}": ${why}; expected ${FORMS}`);
}

/** Validates a base URL of a spec: absolute http(s), a host, no user-info / query / fragment / junk. */
function parseBaseUrl(text: string, url: string): string {
  if (url === '') throw specError(text, 'empty base URL after "@"');
  if (!/^https?:\/\//i.test(url)) throw specError(text, `base URL "${url}" must start with http:// or https://`);
  if (/[\\\s]/.test(url)) throw specError(text, 'base URL contains a backslash or whitespace');
  if (/[^\x21-\x7e]/.test(url)) throw specError(text, 'base URL must be printable ASCII (write international host names in their xn-- punycode form)');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw specError(text, `base URL "${url}" is not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw specError(text, `base URL scheme must be http or https, got ${u.protocol}`);
  if (u.hostname === '') throw specError(text, 'base URL has no host');
  if (u.username !== '' || u.password !== '' || url.includes('@')) {
    throw specError(text, 'base URL must not contain "@" / user:password@ (pass the key in OPENAI_API_KEY)');
  }
  if (url.includes('?') || url.includes('#')) throw specError(text, 'base URL must not have a query or fragment');
  // The host as written must be the host as parsed (no IPv4 shorthand like 127.1, no %-escapes, no
  // IDN mapping): what is printed before the first call is then literally what the user typed.
  const written = (/^https?:\/\/([^/]*)/i.exec(url)?.[1] ?? '').toLowerCase();
  const defaultPort = u.protocol === 'https:' ? '443' : '80';
  if (written !== u.host && written !== `${u.host}:${defaultPort}`) {
    throw specError(text, `base URL host "${written}" is read as "${u.host}"; write the host as "${u.host}"`);
  }
  return url.replace(/\/+$/, '');
}

/** Parses `--llm` (see the module comment); INVALID_ARGUMENT on anything that is not exactly one form. */
export function parseLlmSpec(text: string): LlmSpec {
  if (text === 'rule') return { kind: 'rule' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) throw specError(text.replace(/[\u0000-\u001f\u007f]/g, '?'), 'contains control characters');
  const m = /^(openai|ollama|gguf):(.*)$/s.exec(text);
  if (!m) {
    const kind = /^([^:]*):/.exec(text)?.[1];
    throw specError(text, kind !== undefined ? `unknown kind "${kind}"` : 'not one of the forms');
  }
  const kind = m[1] as 'openai' | 'ollama' | 'gguf';
  const rest = m[2]!;
  if (kind === 'gguf') {
    if (rest.trim() === '') throw specError(text, 'empty GGUF path');
    if (rest !== rest.trim()) throw specError(text, 'GGUF path has leading or trailing whitespace');
    return { kind, path: rest };
  }
  const at = rest.indexOf('@');
  const model = at < 0 ? rest : rest.slice(0, at);
  if (model === '') throw specError(text, 'empty model name');
  if (!MODEL_RE.test(model)) throw specError(text, `model name "${model}" may only hold letters, digits and . _ - / : +`);
  if (at < 0) return { kind, model, baseURL: undefined };
  return { kind, model, baseURL: parseBaseUrl(text, rest.slice(at + 1)) };
}

/** The endpoint a judge will talk to (origin and path; no secrets), or a local description. */
export function judgeEndpoint(spec: LlmSpec): string {
  return judgeEntry(spec).endpoint(spec);
}

/** Loads an optional provider package, or an UNSUPPORTED DtlError naming the package to install. */
export async function loadProvider<T>(name: string, load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new DtlError('UNSUPPORTED', `${what} needs the optional package ${name}; install it (pnpm add ${name} --filter @dtl/app, or npm i ${name})`, { cause: error });
  }
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
  /** Reply cap in bytes (default 256 KiB); the HTTP body is cut off at 4× this plus 64 KiB (JSON envelope). */
  readonly maxReplyBytes?: number;
}

/** Secret values of the environment a judge may send (the runner and cache redact them). */
export function judgeSecrets(env: Readonly<Record<string, string | undefined>>): string[] {
  const key = env['OPENAI_API_KEY'];
  return key !== undefined && key !== '' ? [key] : [];
}

/** A judge plus what to call when done. */
export interface AppJudge {
  readonly judge: FalseNegativeJudge;
  dispose(): Promise<void>;
}

/** The HTTP body cap of remote judges: 4× the reply cap plus 64 KiB (JSON envelope). */
function httpCap(settings: JudgeSettings): number {
  return 4 * (settings.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES) + 64 * 1024;
}

/** The judge's settings a registry row builds from (the spec of its own kind). */
type SpecOf<K extends LlmSpec['kind']> = Extract<LlmSpec, { kind: K }>;

/** One row of the judge registry: the one place an `--llm` kind maps to its factory. */
export interface JudgeEntry<K extends LlmSpec['kind'] = LlmSpec['kind']> {
  readonly summary: string;
  /** What the judge needs: the network (a host is printed before the first call), an optional package. */
  readonly needs: { readonly network: boolean; readonly package?: string };
  endpoint(spec: SpecOf<K>): string;
  create(spec: SpecOf<K>, settings: JudgeSettings): Promise<AppJudge>;
}

const none = async (): Promise<void> => {};

function remoteEndpoint(spec: SpecOf<'openai'> | SpecOf<'ollama'>): string {
  const url = new URL(spec.baseURL ?? (spec.kind === 'openai' ? OPENAI_DEFAULT_URL : OLLAMA_DEFAULT_URL));
  return `${spec.kind} model "${spec.model}" at host ${url.host} (${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')})`;
}

const OPENAI_DEFAULT_URL = 'https://api.openai.com/v1';
const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';

/** The judge registry, by `--llm` kind (the forms are parsed by {@link parseLlmSpec}). */
export const JUDGES: { readonly [K in LlmSpec['kind']]: JudgeEntry<K> } = {
  rule: {
    summary: 'deterministic rule on the two trees\' code similarity',
    needs: { network: false },
    endpoint: () => 'local rule judge (no network)',
    create: async (_spec, settings) => ({ judge: createRuleJudge(settings.rule), dispose: none }),
  },
  openai: {
    summary: 'any OpenAI-compatible server (vLLM, llama.cpp server, LM Studio, OpenAI)',
    needs: { network: true, package: '@langchain/openai' },
    endpoint: remoteEndpoint,
    create: async (spec, settings) => {
      const { ChatOpenAI } = await loadProvider('@langchain/openai', () => import('@langchain/openai'), 'the openai: judge');
      const model = new ChatOpenAI({
        model: spec.model,
        temperature: 0,
        maxRetries: 0,
        apiKey: settings.env['OPENAI_API_KEY'] ?? 'not-needed',
        ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
        configuration: { ...(spec.baseURL ? { baseURL: spec.baseURL } : {}), fetch: createCappedFetch(httpCap(settings)) },
      });
      const judge = createLangChainJudge({
        model,
        modelName: `openai:${spec.model}@${spec.baseURL ?? OPENAI_DEFAULT_URL}`,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: none };
    },
  },
  ollama: {
    summary: 'an Ollama server',
    needs: { network: true, package: '@langchain/ollama' },
    endpoint: remoteEndpoint,
    create: async (spec, settings) => {
      const { ChatOllama } = await loadProvider('@langchain/ollama', () => import('@langchain/ollama'), 'the ollama: judge');
      const model = new ChatOllama({
        model: spec.model,
        temperature: 0,
        maxRetries: 0,
        fetch: createCappedFetch(httpCap(settings)),
        ...(spec.baseURL ? { baseUrl: spec.baseURL } : {}),
      });
      const judge = createLangChainJudge({
        model,
        modelName: `ollama:${spec.model}@${spec.baseURL ?? OLLAMA_DEFAULT_URL}`,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: none };
    },
  },
  gguf: {
    summary: 'a local GGUF model through node-llama-cpp (JSON-schema grammar)',
    needs: { network: false, package: 'node-llama-cpp' },
    endpoint: (spec) => `local GGUF model ${spec.path} (no network)`,
    create: async (spec, settings) => {
      const judge = await createGgufJudge({
        modelPath: spec.path,
        threads: settings.threads ?? 1,
        ...(settings.prompt ? { prompt: settings.prompt } : {}),
      });
      return { judge, dispose: () => judge.dispose() };
    },
  },
};

function judgeEntry<K extends LlmSpec['kind']>(spec: SpecOf<K>): JudgeEntry<K> {
  return JUDGES[spec.kind as K] as unknown as JudgeEntry<K>;
}

/** Instantiates the judge of `spec` through its registry row. Provider-level retries are off: the runner retries and records. */
export async function createJudge(spec: LlmSpec, settings: JudgeSettings): Promise<AppJudge> {
  return judgeEntry(spec).create(spec, settings);
}
