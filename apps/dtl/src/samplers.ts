import { DtlError, csrTranspose } from '@dtl/core';
import type { Codebook, DensGates, InteractionData, NegativeSampler } from '@dtl/core';
import { readFileSync } from 'node:fs';
import { parseCodeText } from '@dtl/encoding';
import { printable } from '@dtl/data';
import {
  createAhnsSampler,
  createDensSampler,
  createDnsMnSampler,
  createDnsSampler,
  createDtlSampler,
  createMixGcfSampler,
  createPopularitySampler,
  createRnsSampler,
  createTreePoolSampler,
} from '@dtl/sampler';

/** Samplers the app can build by name. `dens` also turns on the model's DENS gates (MF / LightGCN). */
export const SAMPLER_NAMES = ['rns', 'pop', 'dns', 'dnsmn', 'mixgcf', 'ahns', 'dens', 'dtl'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

export interface SamplerConfig {
  readonly name: SamplerName;
  /** Candidates per negative for dns/dnsmn/mixgcf/ahns/dtl (default 10). */
  readonly candidates?: number | undefined;
  /** DNS(M,N): keep the top N of M candidates (default 5). */
  readonly topN?: number | undefined;
  /** Popularity exponent (default 0.75). */
  readonly popAlpha?: number | undefined;
  /** AHNS α, β, p (defaults 1.0, 0.1, −2). */
  readonly ahnsAlpha?: number | undefined;
  readonly ahnsBeta?: number | undefined;
  readonly ahnsP?: number | undefined;
  /** DENS: weight γ of the gating loss (default 0.3) and warmup epochs (default 100). */
  readonly densGamma?: number | undefined;
  readonly densWarmup?: number | undefined;
  /** DTL view weights (defaults 0.1 / 0.3). */
  readonly alphaCo?: number | undefined;
  readonly alphaSe?: number | undefined;
  /** DTL: subtract the tree views instead of adding them (α → −α: penalise closeness to the positive). */
  readonly alphaNegate?: boolean | undefined;
  /** DTL false-negative-aware penalties (packages/sampler/src/fn-aware.ts): top band of tree agreement with the positive. */
  readonly fnBand?: number | undefined;
  readonly fnBandPenalty?: number | undefined;
  /** DTL: weight β of the penalty on tree agreement with the user's history (default 0, off). */
  readonly historyPenalty?: number | undefined;
  /** DTL: share in [0, 1] of candidates drawn from the positive's sibling subtree in one tree, far in the other (default off). */
  readonly treePool?: number | undefined;
  /** DTL: mix like MixGCF (default true); false picks real items. */
  readonly mixing?: boolean | undefined;
  /** DTL code files in the authors' format `item: 0-2-1-3`, with `codesOffset` added to item ids. */
  readonly codesCo?: string | undefined;
  readonly codesSe?: string | undefined;
  readonly codesOffset?: number | undefined;
  /** Already-loaded codebooks (take precedence over files). */
  readonly codebooks?: { readonly co?: Codebook | undefined; readonly se?: Codebook | undefined } | undefined;
}

export function isSamplerName(name: string): name is SamplerName {
  return (SAMPLER_NAMES as readonly string[]).includes(name);
}

function readCodes(path: string | undefined, offset: number, nItems: number): Codebook | undefined {
  return path ? readCodesFile(path, { offset, nItems }) : undefined;
}

/**
 * Reads a code file (the authors' format, `readCodeFile` of @dtl/encoding) the way every app command
 * does: a missing file is NOT_FOUND, and invisible characters quoted in an error are spelled out
 * (`\u{feff}`), so the message shows what is in the file. (The BOM and int32 guards live in
 * `parseCodeText` itself.)
 */
export function readCodesFile(path: string, options: { readonly offset?: number; readonly nItems?: number } = {}): Codebook {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DtlError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR', code === 'ENOENT' ? 'code file not found' : `cannot read code file (${code ?? String(cause)})`, { location: { file: path }, cause });
  }
  try {
    return parseCodeText(text, { ...options, file: path }).codebook;
  } catch (error) {
    if (!(error instanceof DtlError)) throw error;
    const where = error.location ? `${error.location.file}${error.location.line !== undefined ? `:${error.location.line}` : ''}: ` : '';
    const message = error.message.startsWith(where) ? error.message.slice(where.length) : error.message;
    throw new DtlError(error.code, printable(message, { max: 300 }), { ...(error.location ? { location: error.location } : {}), cause: error });
  }
}

/** What some samplers need from the model they train. */
export interface SamplerModelContext {
  /** The model's DENS gates (models built with the `dens` option). */
  readonly densGates?: (() => DensGates | undefined) | undefined;
}

/** `8,439 of 8,439 items have a code, depth 3–5 (mean 4.12)`: what a code file gave the sampler. */
export function describeCodebook(codebook: Codebook): string {
  let covered = 0;
  let min = Infinity;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < codebook.nItems; i++) {
    const depth = codebook.offsets[i + 1]! - codebook.offsets[i]!;
    if (depth === 0) continue;
    covered++;
    sum += depth;
    if (depth < min) min = depth;
    if (depth > max) max = depth;
  }
  const depth = covered ? `depth ${min === max ? min : `${min}–${max}`} (mean ${(sum / covered).toFixed(2)})` : 'no codes';
  return `${covered} of ${codebook.nItems} items have a code, ${depth}`;
}

function treePool(co: Codebook | undefined, se: Codebook | undefined, share: number): NegativeSampler {
  if (!co || !se) throw new DtlError('INVALID_ARGUMENT', 'sampler dtl: --tree-pool needs both trees\' codes (--codes-co and --codes-se)');
  return createTreePoolSampler({ codes: { co, se }, share });
}

/**
 * Builds the configured sampler; `train` supplies item degrees for popularity sampling. `onInfo`
 * receives what was loaded for the DTL sampler (per code file: items covered, tree depth) and which
 * views are off.
 */
export function buildSampler(config: SamplerConfig, data: InteractionData, model: SamplerModelContext = {}, onInfo: (line: string) => void = () => {}): NegativeSampler {
  const candidates = config.candidates ?? 10;
  switch (config.name) {
    case 'rns':
      return createRnsSampler();
    case 'pop': {
      const t = csrTranspose(data.train);
      const degrees = new Float64Array(data.nItems);
      for (let i = 0; i < data.nItems; i++) degrees[i] = t.indptr[i + 1]! - t.indptr[i]!;
      return createPopularitySampler({ degrees, alpha: config.popAlpha });
    }
    case 'dns':
      return createDnsSampler({ candidates });
    case 'dnsmn':
      return createDnsMnSampler({ candidates, topN: config.topN ?? 5 });
    case 'mixgcf':
      return createMixGcfSampler({ candidates });
    case 'ahns':
      return createAhnsSampler({ candidates, alpha: config.ahnsAlpha, beta: config.ahnsBeta, p: config.ahnsP });
    case 'dens': {
      const getGates = model.densGates;
      const gates = getGates?.();
      if (!getGates || !gates) throw new DtlError('INVALID_ARGUMENT', 'sampler dens needs a model that trains DENS gates (--model mf or lightgcn)');
      return createDensSampler({ gates: () => getGates() ?? gates, candidates: config.candidates ?? 6, warmup: config.densWarmup });
    }
    case 'dtl': {
      const offset = config.codesOffset ?? 0;
      const co = config.codebooks?.co ?? readCodes(config.codesCo, offset, data.nItems);
      const se = config.codebooks?.se ?? readCodes(config.codesSe, offset, data.nItems);
      const alphaCo = config.alphaCo ?? 0.1;
      const alphaSe = config.alphaSe ?? 0.3;
      if (!co && !se && alphaCo + alphaSe > 0) {
        throw new DtlError('INVALID_ARGUMENT', 'sampler dtl needs item codes: pass --codes-co/--codes-se (or set both alphas to 0)');
      }
      // A view whose codes are missing must be switched off explicitly (alpha 0, the ablation), never
      // silently: the run would otherwise be an ablation its author did not ask for.
      const views = [
        { name: 'co', codes: co, alpha: alphaCo, file: config.codebooks?.co ? 'given codebook' : config.codesCo },
        { name: 'se', codes: se, alpha: alphaSe, file: config.codebooks?.se ? 'given codebook' : config.codesSe },
      ] as const;
      for (const [v, other] of [[views[0], views[1]], [views[1], views[0]]] as const) {
        if (!v.codes && v.alpha > 0) {
          throw new DtlError(
            'INVALID_ARGUMENT',
            `sampler dtl: --codes-${other.name} was given but not --codes-${v.name}, so the ${v.name} view (alpha ${v.alpha}) would silently be off; ` +
              `pass --codes-${v.name} too, or --alpha-${v.name} 0 to run the ${other.name}-only ablation`,
          );
        }
      }
      for (const v of views) {
        if (v.codes) onInfo(`dtl ${v.name} codes (${v.file}): ${describeCodebook(v.codes)}${v.alpha === 0 ? `; view off (alpha-${v.name} 0)` : `, alpha ${v.alpha}`}`);
        else onInfo(`dtl ${v.name} view off: no codes, alpha-${v.name} 0 (ablation)`);
      }
      const sign = config.alphaNegate === true ? -1 : 1;
      if (sign < 0) onInfo('dtl tree views negated: candidates close to the positive are penalised (alpha-negate)');
      return createDtlSampler({
        codes: { co, se },
        alphaCo: co ? sign * alphaCo : 0,
        alphaSe: se ? sign * alphaSe : 0,
        fnBand: config.fnBand,
        fnBandPenalty: config.fnBandPenalty,
        historyPenalty: config.historyPenalty,
        ...(config.treePool !== undefined ? { candidateSampler: treePool(co, se, config.treePool) } : {}),
        candidates,
        mixing: config.mixing ?? true,
      });
    }
    default:
      throw new DtlError('INVALID_ARGUMENT', `unknown sampler "${String((config as { name: unknown }).name)}"; one of ${SAMPLER_NAMES.join(', ')}`);
  }
}
