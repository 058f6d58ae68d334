import { z } from 'zod';
import { Option } from 'commander';
import type { Command } from 'commander';
import { SAMPLER_OPTIONS_SHAPE, samplerConfigFrom } from '../samplers.ts';
import type { SamplerConfig, SamplerName } from '../samplers.ts';
import { finiteNumber, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber } from './option-parsers.ts';
import { TRAIN_FLAG_PLACEHOLDERS, TRAIN_OPTIONS_SHAPE } from '../train-vocabulary.ts';

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
  const parse = ok(-1) ? finiteNumber : int ? (ok(0) ? nonNegativeInt : positiveInt) : ok(0) ? nonNegativeNumber : positiveNumber;
  return { flags: `--${kebab(key)} <${placeholder ?? (int ? 'n' : 'x')}>`, help, parse };
}

/** Adds every sampler's options to a command (`train`), from the registry's option schemas. */
export function addSamplerOptions(cmd: Command): Command {
  for (const [key, schema] of Object.entries(SAMPLER_OPTIONS_SHAPE)) {
    const f = flagOf(key, schema, TRAIN_FLAG_PLACEHOLDERS[key]);
    if (f.parse) cmd.option(f.flags, f.help, f.parse);
    else cmd.option(f.flags, f.help);
  }
  return cmd;
}

/** The sampler config of parsed flags (absent flags are absent: the sampler's defaults apply). */
export function samplerConfigFromOptions(name: SamplerName, opts: Record<string, unknown>): SamplerConfig {
  return samplerConfigFrom(name, opts, 'flags');
}

/**
 * Adds the training flags (`--epochs`, `--lr`, …, `--negatives`) from {@link TRAIN_OPTIONS_SHAPE}: help
 * text and range from the schema, defaults from `defaults` (train-defaults.ts).
 */
export function addTrainingOptions(cmd: Command, defaults: Readonly<Record<string, unknown>>): Command {
  for (const [key, schema] of Object.entries(TRAIN_OPTIONS_SHAPE)) {
    if (schema instanceof z.ZodEnum) {
      cmd.addOption(new Option(`--${kebab(key)} <${TRAIN_FLAG_PLACEHOLDERS[key] ?? 'name'}>`, schema.description ?? '').choices(schema.options as string[]).default(defaults[key]));
      continue;
    }
    const f = flagOf(key, schema, TRAIN_FLAG_PLACEHOLDERS[key]);
    cmd.option(f.flags, f.help, f.parse!, defaults[key] as number);
  }
  return cmd;
}
