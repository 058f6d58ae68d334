import { writeJsonAtomic } from '@dtl/core/node';
import type { PipelineResult } from '../pipeline/run-pipeline.ts';
import { runPaths } from './files.ts';
import { readJsonObject } from './read-json.ts';

/** Writes `runDir/pipeline.json` atomically (rewritten after every stage of `dtl run`). */
export function writePipelineJson(runDir: string, value: PipelineResult | Record<string, unknown>): void {
  writeJsonAtomic(runPaths(runDir).pipelineJson, value);
}

/** Reads `runDir/pipeline.json` (`NOT_FOUND` / `INVALID_DATA` naming the file). */
export function readPipelineJson(runDir: string): PipelineResult {
  return readJsonObject(runPaths(runDir).pipelineJson, `is ${runDir} a dtl run pipeline directory?`) as unknown as PipelineResult;
}
