import { DtlError } from '@dtl/core';
import { writeJsonAtomic } from '@dtl/core/node';
import { existsSync } from 'node:fs';
import type { TrainSummary } from '../training.ts';
import { runPaths } from './files.ts';
import { readJsonObject } from './read-json.ts';

/** `result.json` of a finished `dtl train` run: the {@link TrainSummary}. */
export type ResultJson = TrainSummary;

/** Writes `runDir/result.json` atomically. */
export function writeResultJson(runDir: string, result: ResultJson): void {
  writeJsonAtomic(runPaths(runDir).resultJson, result);
}

/**
 * Reads `runDir/result.json`, or `undefined` when the run has not finished (no file). A file that is
 * not a JSON object, or whose `epochs_run` / `best_epoch` are not numbers, is `INVALID_DATA` naming it.
 */
export function readResultJson(runDir: string): ResultJson | undefined {
  const file = runPaths(runDir).resultJson;
  if (!existsSync(file)) return undefined;
  const r = readJsonObject(file, 'the result of a finished dtl train run');
  for (const key of ['best_epoch', 'epochs_run'] as const) {
    if (typeof r[key] !== 'number') throw new DtlError('INVALID_DATA', `result.json "${key}" is not a number`, { location: { file } });
  }
  return r as unknown as ResultJson;
}
