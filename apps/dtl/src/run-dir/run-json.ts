import { DtlError } from '@dtl/core';
import { writeJsonAtomic } from '@dtl/core/node';
import type { TrainConfig } from '../training.ts';
import type { Protocol } from '../protocol.ts';
import { RUN_FORMAT, runPaths } from './files.ts';
import { readJsonObject } from './read-json.ts';

/** `run.json` of a `dtl train` run: everything that determines it (its fingerprint guards resume). */
export interface RunJson {
  readonly format: typeof RUN_FORMAT;
  readonly version: 1;
  /** The dataset folder (absolute as `dtl train` writes it). */
  readonly data: string;
  readonly config: TrainConfig;
  readonly protocol: Protocol;
  readonly leaky: boolean;
  /** Historical camelCase key (kept: results read it). */
  readonly falseNegatives?: { readonly label: string; readonly use: string; readonly weight?: number | undefined; readonly hash: string } | undefined;
  readonly fingerprint: string;
  readonly created: string;
}

/** Writes `runDir/run.json` atomically. */
export function writeRunJson(runDir: string, run: RunJson): void {
  writeJsonAtomic(runPaths(runDir).runJson, run);
}

/**
 * Reads `runDir/run.json`. The dataset folder (`data`, or `config.data`) is required; `config` is
 * returned as written (a run written by another tool may carry only `data`). Missing file:
 * `NOT_FOUND`; malformed: `INVALID_DATA` naming the file.
 */
export function readRunJson(runDir: string): Partial<Omit<RunJson, 'data' | 'config'>> & { readonly data: string; readonly config: Partial<TrainConfig> } {
  const file = runPaths(runDir).runJson;
  const run = readJsonObject(file, `is ${runDir} a dtl train run?`, 'delete it (and checkpoint.bin) to start the run afresh');
  const config = run.config === undefined ? {} : run.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new DtlError('INVALID_DATA', 'run.json "config" is not an object: not a dtl train run', { location: { file } });
  }
  const data = typeof run.data === 'string' ? run.data : (config as { data?: unknown }).data;
  if (typeof data !== 'string' || data === '') {
    throw new DtlError('INVALID_DATA', 'run.json has no "data" dataset folder (nor config.data): not a dtl train run', { location: { file } });
  }
  if (run.fingerprint !== undefined && typeof run.fingerprint !== 'string') {
    throw new DtlError('INVALID_DATA', 'run.json "fingerprint" is not a string', { location: { file } });
  }
  return { ...(run as Partial<Omit<RunJson, 'data' | 'config'>>), data, config: config as Partial<TrainConfig> };
}
