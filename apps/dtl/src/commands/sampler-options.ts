import type { Command } from 'commander';
import type { SamplerConfig, SamplerName } from '../samplers.ts';
import { finiteNumber, nonNegativeInt, nonNegativeNumber, positiveInt } from './option-parsers.ts';

/** A parsed numeric option (the parsers below reject anything else at parse time). */
function numberOrUndefined(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Adds every sampler's options to a command (`train`, `run`). */
export function addSamplerOptions(cmd: Command): Command {
  return cmd
    .option('--candidates <n>', 'candidates per negative for dns, dnsmn, mixgcf, ahns, dtl (default 10), dens (default 6)', positiveInt)
    .option('--top-n <n>', 'DNS(M,N): choose among the top N of M candidates (default 5)', positiveInt)
    .option('--pop-alpha <x>', 'popularity sampler exponent on item degree (default 0.75)', finiteNumber)
    .option('--ahns-alpha <x>', 'AHNS α (default 1.0)', finiteNumber)
    .option('--ahns-beta <x>', 'AHNS β (default 0.1)', finiteNumber)
    .option('--ahns-p <x>', 'AHNS p (default -2)', finiteNumber)
    .option('--dens-gamma <x>', 'DENS: weight of the gating loss the model adds to BPR (default 0.3)', nonNegativeNumber)
    .option('--dens-warmup <n>', 'DENS: epochs over which the full-candidate score term fades out (default 100)', nonNegativeInt)
    .option('--alpha-co <x>', 'DTL weight of the collaborative-structure tree view (default 0.1)', nonNegativeNumber)
    .option('--alpha-se <x>', 'DTL weight of the latent-semantic tree view (default 0.3)', nonNegativeNumber)
    .option('--alpha-negate', 'DTL: subtract the tree views (α → −α): penalise candidates close to the positive, the likeliest false negatives')
    .option('--fn-band <x>', 'DTL: penalise candidates whose tree agreement (min over trees of the prefix similarity) with the positive is ≥ x, in (0, 1] (default off)', finiteNumber)
    .option('--fn-band-penalty <x>', 'DTL: penalty of a candidate in the --fn-band top band (default 1 + |alpha-co| + |alpha-se|: below every candidate outside the band)', nonNegativeNumber)
    .option('--history-penalty <x>', "DTL: penalise β × max tree agreement of a candidate with the user's observed items (default 0, off)", nonNegativeNumber)
    .option('--tree-pool <share>', "DTL: share in [0, 1] of candidates drawn from the positive's sibling subtree in one tree among items far in the other (default off)", nonNegativeNumber)
    .option('--no-mixing', 'DTL: pick real items instead of MixGCF-style mixed negatives')
    .option('--codes-co <file>', "DTL: co-tree codes in the authors' format `item: 0-2-1-3`")
    .option('--codes-se <file>', "DTL: se-tree codes in the authors' format")
    .option('--codes-offset <n>', 'subtract N from item ids in code files (the authors\' files use n_users = 15138)', nonNegativeInt);
}

export function samplerConfigFromOptions(name: SamplerName, opts: Record<string, unknown>): SamplerConfig {
  return {
    name,
    candidates: numberOrUndefined(opts.candidates),
    topN: numberOrUndefined(opts.topN),
    popAlpha: numberOrUndefined(opts.popAlpha),
    ahnsAlpha: numberOrUndefined(opts.ahnsAlpha),
    ahnsBeta: numberOrUndefined(opts.ahnsBeta),
    ahnsP: numberOrUndefined(opts.ahnsP),
    densGamma: numberOrUndefined(opts.densGamma),
    densWarmup: numberOrUndefined(opts.densWarmup),
    alphaCo: numberOrUndefined(opts.alphaCo),
    alphaSe: numberOrUndefined(opts.alphaSe),
    mixing: opts.mixing === false ? false : undefined,
    alphaNegate: opts.alphaNegate === true ? true : undefined,
    fnBand: numberOrUndefined(opts.fnBand),
    fnBandPenalty: numberOrUndefined(opts.fnBandPenalty),
    historyPenalty: numberOrUndefined(opts.historyPenalty),
    treePool: numberOrUndefined(opts.treePool),
    codesCo: opts.codesCo as string | undefined,
    codesSe: opts.codesSe as string | undefined,
    codesOffset: numberOrUndefined(opts.codesOffset),
  };
}
