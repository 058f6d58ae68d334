import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from './config-file.ts';
import { readGrid } from './experiment/grid.ts';
import { readTrainConfigFile } from './commands/train-config.ts';
import { readPipelineConfig } from './pipeline/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'dtl-config-file-'));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('one reader for every config file (dtl run, dtl train --config, experiment grids)', () => {
  it('accepts a byte-order mark in YAML and JSON alike', () => {
    expect(readConfigFile(write('bom.yaml', '\uFEFFa: 1\n'))).toEqual({ a: 1 });
    expect(readConfigFile(write('bom.json', '\uFEFF{"a": 1}'))).toEqual({ a: 1 });
    expect(readTrainConfigFile(write('train-bom.json', '\uFEFF{"epochs": 3}'))).toMatchObject({ epochs: 3 });
    expect(readGrid(write('grid-bom.json', '\uFEFF{"cells": [{"name": "RNS", "args": []}]}')).cells).toHaveLength(1);
  });

  it('treats YAML warnings as errors in every reader, naming the file', () => {
    const tagged = 'epochs: !foo 3\n'; // an unresolved tag: a warning of the YAML parser
    for (const read of [readConfigFile, readTrainConfigFile, readGrid, readPipelineConfig] as const) {
      const path = write(`tag-${read.name}.yaml`, tagged);
      expect(() => read(path)).toThrow(expect.objectContaining({ code: 'INVALID_DATA', message: expect.stringContaining(path) }));
    }
  });

  it('a missing file is NOT_FOUND and a broken one INVALID_DATA, both naming the file', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => readConfigFile(missing)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining(missing) }));
    const broken = write('broken.json', '{"a": ');
    expect(() => readGrid(broken)).toThrow(expect.objectContaining({ code: 'INVALID_DATA', message: expect.stringMatching(/broken\.json.*not valid JSON/) }));
  });
});
