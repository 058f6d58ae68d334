import { z } from 'zod';
import type { Command } from 'commander';
import { SAMPLER_OPTIONS_SHAPE, samplerConfigFrom } from '../samplers.ts';
import type { SamplerConfig, SamplerName, SamplerOptionKey } from '../samplers.ts';
import { finiteNumber, nonNegativeInt, nonNegativeNumber, positiveInt } from './option-parsers.ts';

/** `topN` → `top-n`. */
export function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The commander flag of a train-vocabulary key, from its zod schema: the flag is the key in kebab
 * case, the help text is the schema's description, the parser is the app's parser of the same range
 * (probed on the schema, so a schema change cannot leave a parser behind). A boolean that defaults
 * to true is a `--no-…` flag.
 */
export function flagOf(key: string, schema: z.ZodType, placeholder?: string): { flags: string; help: string; parse?: (value: string) => number } {
  const help = schema.description ?? '';
  if (schema instanceof z.ZodBoolean) return { flags: key === 'mixing' ? `--no-${kebab(key)}` : `--${kebab(key)}`, help };
  if (schema instanceof z.ZodString) return { flags: `--${kebab(key)} <${placeholder ?? 'file'}>`, help };
  const ok = (n: number): boolean => schema.safeParse(n).success;
  const int = !ok(0.5) && ok(1);
  const parse = ok(-1) ? finiteNumber : int ? (ok(0) ? nonNegativeInt : positiveInt) : nonNegativeNumber;
  return { flags: `--${kebab(key)} <${placeholder ?? (int ? 'n' : 'x')}>`, help, parse };
}

const PLACEHOLDERS: Partial<Record<SamplerOptionKey, string>> = { treePool: 'share' };

/** Adds every sampler's options to a command (`train`), from the registry's option schemas. */
export function addSamplerOptions(cmd: Command): Command {
  for (const [key, schema] of Object.entries(SAMPLER_OPTIONS_SHAPE)) {
    const f = flagOf(key, schema, PLACEHOLDERS[key as SamplerOptionKey]);
    if (f.parse) cmd.option(f.flags, f.help, f.parse);
    else cmd.option(f.flags, f.help);
  }
  return cmd;
}

/** The sampler config of parsed flags (absent flags are absent: the sampler's defaults apply). */
export function samplerConfigFromOptions(name: SamplerName, opts: Record<string, unknown>): SamplerConfig {
  return samplerConfigFrom(name, opts, 'flags');
}
