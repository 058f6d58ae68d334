import { z } from 'zod';
import { DtlError, csrTranspose } from '@dtl/core';
import type { Codebook, DensGates, InteractionData, NegativeSampler } from '@dtl/core';
import {
  AHNS_SAMPLER_DEFAULTS,
  DENS_SAMPLER_DEFAULTS,
  DNS_MN_SAMPLER_DEFAULTS,
  DTL_SAMPLER_DEFAULTS,
  POPULARITY_SAMPLER_DEFAULTS,
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
import { describeCodebook, readCodesOptional } from './code-files.ts';

export { describeCodebook, readCodesFile } from './code-files.ts';

/**
 * The app's candidates per negative when none is given, for every sampler that scores candidates
 * except DENS (whose library default, 6, applies). AHNS's own default is 32; the app's runs and
 * tables use 10 for all, so the app keeps it.
 */
export const APP_CANDIDATES_DEFAULT = DTL_SAMPLER_DEFAULTS.candidates;

const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().min(0);
const nonNegative = z.number().min(0);
const finite = z.number();

/**
 * Every sampler option of the train vocabulary — `dtl train`'s flags (`candidates` = `--candidates`,
 * `topN` = `--top-n`, …), `dtl train --config` keys and `dtl run`'s train-section keys — with its
 * help text (from the libraries' `*_DEFAULTS`). The key order is the order of `SamplerConfig` (run
 * fingerprints hash it). A sampler's registry row lists the keys it reads.
 */
export const SAMPLER_OPTIONS_SHAPE = {
  candidates: positiveInt.describe(`candidates per negative for dns, dnsmn, mixgcf, ahns, dtl (default ${APP_CANDIDATES_DEFAULT}), dens (default ${DENS_SAMPLER_DEFAULTS.candidates})`),
  topN: positiveInt.describe(`DNS(M,N): choose among the top N of M candidates (default ${DNS_MN_SAMPLER_DEFAULTS.topN})`),
  popAlpha: finite.describe(`popularity sampler exponent on item degree (default ${POPULARITY_SAMPLER_DEFAULTS.alpha})`),
  ahnsAlpha: finite.describe(`AHNS α (default ${AHNS_SAMPLER_DEFAULTS.alpha.toFixed(1)})`),
  ahnsBeta: finite.describe(`AHNS β (default ${AHNS_SAMPLER_DEFAULTS.beta})`),
  ahnsP: finite.describe(`AHNS p (default ${AHNS_SAMPLER_DEFAULTS.p})`),
  densGamma: nonNegative.describe('DENS: weight of the gating loss the model adds to BPR (default 0.3)'),
  densWarmup: nonNegativeInt.describe(`DENS: epochs over which the full-candidate score term fades out (default ${DENS_SAMPLER_DEFAULTS.warmup})`),
  alphaCo: nonNegative.describe(`DTL weight of the collaborative-structure tree view (default ${DTL_SAMPLER_DEFAULTS.alphaCo})`),
  alphaSe: nonNegative.describe(`DTL weight of the latent-semantic tree view (default ${DTL_SAMPLER_DEFAULTS.alphaSe})`),
  mixing: z.boolean().describe('DTL: MixGCF-style mixed negatives (default true; false picks real items)'),
  alphaNegate: z.boolean().describe('DTL: subtract the tree views (α → −α): penalise candidates close to the positive, the likeliest false negatives'),
  fnBand: finite.describe('DTL: penalise candidates whose tree agreement (min over trees of the prefix similarity) with the positive is ≥ x, in (0, 1] (default off)'),
  fnBandPenalty: nonNegative.describe('DTL: penalty of a candidate in the fnBand top band (default 1 + |alpha-co| + |alpha-se|: below every candidate outside the band)'),
  historyPenalty: nonNegative.describe("DTL: penalise β × max tree agreement of a candidate with the user's observed items (default 0, off)"),
  treePool: nonNegative.describe("DTL: share in [0, 1] of candidates drawn from the positive's sibling subtree in one tree among items far in the other (default off)"),
  codesCo: z.string().describe("DTL: co-tree codes in the authors' format `item: 0-2-1-3`"),
  codesSe: z.string().describe("DTL: se-tree codes in the authors' format"),
  codesOffset: nonNegativeInt.describe("subtract N from item ids in code files (the authors' files use n_users = 15138)"),
} as const;

export type SamplerOptionKey = keyof typeof SAMPLER_OPTIONS_SHAPE;
/** The sampler options as values: each optional (absent = the sampler's default). */
export type SamplerOptions = { readonly [K in SamplerOptionKey]?: z.infer<(typeof SAMPLER_OPTIONS_SHAPE)[K]> | undefined };

/** A sampler by name with its options, as `dtl train` records it in run.json (`config.sampler`). */
export interface SamplerConfig extends SamplerOptions {
  readonly name: SamplerName;
  /** Already-loaded codebooks (take precedence over files). */
  readonly codebooks?: { readonly co?: Codebook | undefined; readonly se?: Codebook | undefined } | undefined;
}

/** What some samplers need from the model they train. */
export interface SamplerModelContext {
  /** The model's DENS gates (models built with the `dens` option). */
  readonly densGates?: (() => DensGates | undefined) | undefined;
}

/** What a registry row's `create` receives besides the options. */
export interface SamplerContext extends SamplerModelContext {
  readonly data: InteractionData;
  readonly onInfo: (line: string) => void;
}

/** One row of the sampler registry: the one place a name maps to a library factory. */
export interface SamplerEntry {
  /** One line for help texts. */
  readonly summary: string;
  /** The train-vocabulary keys this sampler reads (the others are ignored for it). */
  readonly options: readonly SamplerOptionKey[];
  /**
   * What the sampler needs from the rest of the run: `codebooks` — the item codes of the trees
   * (the pipeline's pretrain stage, which has none yet, cannot use it); `densGates` — the model
   * must train DENS gates (MF / LightGCN turn them on when this is set).
   */
  readonly needs: { readonly codebooks?: boolean; readonly densGates?: boolean };
  create(options: SamplerConfig, context: SamplerContext): NegativeSampler;
}

const DTL_OPTIONS = ['candidates', 'alphaCo', 'alphaSe', 'mixing', 'alphaNegate', 'fnBand', 'fnBandPenalty', 'historyPenalty', 'treePool', 'codesCo', 'codesSe', 'codesOffset'] as const;

/**
 * The sampler registry. Adding a sampler is its library file plus one row here (docs/ADDING_A_SAMPLER.md);
 * its name then reaches `dtl train --sampler`, `dtl run`'s config, the experiment grids and the checks.
 */
export const SAMPLERS = {
  rns: {
    summary: 'uniform random negatives (BPR)',
    options: [],
    needs: {},
    create: () => createRnsSampler(),
  },
  pop: {
    summary: 'popularity-weighted negatives, ∝ degree^popAlpha',
    options: ['popAlpha'],
    needs: {},
    create: (o, { data }) => {
      const t = csrTranspose(data.train);
      const degrees = new Float64Array(data.nItems);
      for (let i = 0; i < data.nItems; i++) degrees[i] = t.indptr[i + 1]! - t.indptr[i]!;
      return createPopularitySampler({ degrees, alpha: o.popAlpha });
    },
  },
  dns: {
    summary: 'DNS: the highest-scored of M candidates',
    options: ['candidates'],
    needs: {},
    create: (o) => createDnsSampler({ candidates: o.candidates ?? APP_CANDIDATES_DEFAULT }),
  },
  dnsmn: {
    summary: 'DNS(M,N): a random one of the top N of M candidates',
    options: ['candidates', 'topN'],
    needs: {},
    create: (o) => createDnsMnSampler({ candidates: o.candidates ?? APP_CANDIDATES_DEFAULT, topN: o.topN }),
  },
  mixgcf: {
    summary: 'MixGCF: positive mixing + hop mixing over M candidates',
    options: ['candidates'],
    needs: {},
    create: (o) => createMixGcfSampler({ candidates: o.candidates ?? APP_CANDIDATES_DEFAULT }),
  },
  ahns: {
    summary: 'AHNS: hardness adapted to the positive score',
    options: ['candidates', 'ahnsAlpha', 'ahnsBeta', 'ahnsP'],
    needs: {},
    create: (o) => createAhnsSampler({ candidates: o.candidates ?? APP_CANDIDATES_DEFAULT, alpha: o.ahnsAlpha, beta: o.ahnsBeta, p: o.ahnsP }),
  },
  dens: {
    summary: 'DENS: disentangled gates (the model trains them)',
    options: ['candidates', 'densGamma', 'densWarmup'],
    needs: { densGates: true },
    create: (o, { densGates: getGates }) => {
      const gates = getGates?.();
      if (!getGates || !gates) throw new DtlError('INVALID_ARGUMENT', 'sampler dens needs a model that trains DENS gates (--model mf or lightgcn)');
      return createDensSampler({ gates: () => getGates() ?? gates, candidates: o.candidates, warmup: o.densWarmup });
    },
  },
  dtl: {
    summary: 'DTL multi-view: preference scores + tree similarity (DTL-NS)',
    options: DTL_OPTIONS,
    needs: { codebooks: true },
    create: createDtl,
  },
} as const satisfies Record<string, SamplerEntry>;

export type SamplerName = keyof typeof SAMPLERS;
/** Samplers the app can build by name (the registry's keys, in its order). */
export const SAMPLER_NAMES = Object.keys(SAMPLERS) as [SamplerName, ...SamplerName[]];

export function isSamplerName(name: string): name is SamplerName {
  return Object.hasOwn(SAMPLERS, name);
}

/** The registry row of a sampler; INVALID_ARGUMENT naming the choices for an unknown one. */
export function samplerEntry(name: string, registry: Readonly<Record<string, SamplerEntry>> = SAMPLERS): SamplerEntry {
  if (!Object.hasOwn(registry, name)) throw new DtlError('INVALID_ARGUMENT', `unknown sampler "${name}"; one of ${Object.keys(registry).join(', ')}`);
  return registry[name]!;
}

function treePool(co: Codebook | undefined, se: Codebook | undefined, share: number): NegativeSampler {
  if (!co || !se) throw new DtlError('INVALID_ARGUMENT', 'sampler dtl: --tree-pool needs both trees\' codes (--codes-co and --codes-se)');
  return createTreePoolSampler({ codes: { co, se }, share });
}

function createDtl(config: SamplerConfig, { data, onInfo }: SamplerContext): NegativeSampler {
  const offset = config.codesOffset ?? 0;
  const co = config.codebooks?.co ?? readCodesOptional(config.codesCo, offset, data.nItems);
  const se = config.codebooks?.se ?? readCodesOptional(config.codesSe, offset, data.nItems);
  const alphaCo = config.alphaCo ?? DTL_SAMPLER_DEFAULTS.alphaCo;
  const alphaSe = config.alphaSe ?? DTL_SAMPLER_DEFAULTS.alphaSe;
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
    candidates: config.candidates ?? APP_CANDIDATES_DEFAULT,
    mixing: config.mixing ?? DTL_SAMPLER_DEFAULTS.mixing,
  });
}

/**
 * Builds the configured sampler through its registry row; `data.train` supplies item degrees for
 * popularity sampling. `onInfo` receives what was loaded for the DTL sampler (per code file: items
 * covered, tree depth) and which views are off.
 */
export function buildSampler(
  config: SamplerConfig,
  data: InteractionData,
  model: SamplerModelContext = {},
  onInfo: (line: string) => void = () => {},
  registry: Readonly<Record<string, SamplerEntry>> = SAMPLERS,
): NegativeSampler {
  return samplerEntry(String(config.name), registry).create(config, { data, densGates: model.densGates, onInfo });
}

/**
 * A sampler config from train-vocabulary values, keys in {@link SAMPLER_OPTIONS_SHAPE} order, absent
 * values left out (so a run's fingerprint only holds what was set). `from: 'flags'` reads commander's
 * values, where a boolean flag's default is "not given": `mixing` only when `--no-mixing`,
 * `alphaNegate` only when `--alpha-negate`. `from: 'config'` keeps the values as the schema gave them.
 */
export function samplerConfigFrom(name: SamplerName, values: Readonly<Record<string, unknown>>, from: 'flags' | 'config'): SamplerConfig {
  const out: Record<string, unknown> = { name };
  for (const key of Object.keys(SAMPLER_OPTIONS_SHAPE) as SamplerOptionKey[]) {
    let v = values[key];
    if (from === 'flags' && key === 'mixing') v = v === false ? false : undefined;
    if (key === 'alphaNegate') v = v === true ? true : undefined;
    if (v === undefined) continue;
    const kind = SAMPLER_OPTIONS_SHAPE[key];
    if (kind instanceof z.ZodString ? typeof v === 'string' : kind instanceof z.ZodBoolean ? typeof v === 'boolean' : typeof v === 'number') out[key] = v;
  }
  return out as unknown as SamplerConfig;
}
