import { describe, expect, it } from 'vitest';
import { pipelineConfigSchema } from './config.ts';
import { pipelineConfigHelp } from './config-help.ts';

// Issue 17, item 1: `dtl run --help` describes the config from the schema, so a key cannot be missing from it.

describe('dtl run --help config text', () => {
  it('lists every top-level key and every train-section key with its default', () => {
    const help = pipelineConfigHelp();
    for (const key of Object.keys(pipelineConfigSchema.shape)) expect(help).toMatch(new RegExp(`^  ${key} `, 'm'));
    const train = pipelineConfigSchema.shape.train.unwrap().shape;
    for (const key of Object.keys(train)) expect(help, key).toMatch(new RegExp(`\\b${key}[ ?(]`));
    expect(help).toContain('epochs (300)');
    expect(help).toContain('sampler (dtl; rns|pop|dns|dnsmn|mixgcf|ahns|dens|dtl)');
    expect(help).toContain('fnBand?');
    expect(help).toMatch(/baseline +a plain-sampler model/);
  });
});
