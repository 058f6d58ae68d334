import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { register as registerTrain } from './commands/train.ts';
import { trainConfigFileSchema } from './commands/train-config.ts';
import { pipelineConfigSchema } from './pipeline/config.ts';
import { SAMPLER_OPTIONS_SHAPE } from './samplers.ts';
import { TRAIN_OPTIONS_SHAPE } from './train-vocabulary.ts';

// Issue 17, item 1: one train vocabulary — every key is a `dtl train` flag (help text from the schema),
// a `dtl train --config` key and a `dtl run` train-section key, with the same range everywhere.

function trainCommand(): Command {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerTrain(program);
  const cmd = program.commands.find((c) => c.name() === 'train')!;
  cmd.exitOverride();
  return cmd;
}

const VOCABULARY = { ...TRAIN_OPTIONS_SHAPE, ...SAMPLER_OPTIONS_SHAPE };
const PIPELINE_SET = new Set(['codesCo', 'codesSe', 'codesOffset']); // the pipeline's trees stage sets the code files

describe('the train vocabulary', () => {
  it('every key is a dtl train flag whose help text is the schema description', () => {
    const options = new Map(trainCommand().options.map((o) => [o.attributeName(), o]));
    for (const [key, schema] of Object.entries(VOCABULARY)) {
      const o = options.get(key);
      expect(o, key).toBeDefined();
      expect(o!.description, key).toBe(schema.description);
    }
  });

  it('every key is a dtl run train-section key and a dtl train --config key', () => {
    const section = pipelineConfigSchema.shape.train.unwrap().shape as Record<string, unknown>;
    for (const key of Object.keys(VOCABULARY)) {
      if (!PIPELINE_SET.has(key)) expect(section[key], key).toBeDefined();
      expect((trainConfigFileSchema.shape as Record<string, unknown>)[key], key).toBeDefined();
    }
  });

  it('a value the schema rejects is rejected by the flag too', () => {
    for (const [flag, key, bad] of [
      ['--lr', 'lr', '0'],
      ['--layers', 'layers', '-1'],
      ['--top-n', 'topN', '0'],
      ['--history-penalty', 'historyPenalty', '-0.5'],
      ['--dens-warmup', 'densWarmup', '1.5'],
    ] as const) {
      expect(() => trainCommand().parse(['--data', 'd', '--out', 'o', flag, bad], { from: 'user' }), flag).toThrow(/is not/);
      expect(VOCABULARY[key].safeParse(Number(bad)).success, key).toBe(false);
    }
  });
});
