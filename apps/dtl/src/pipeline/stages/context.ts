import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { EpochRecordLike } from '../types.ts';
import type { ProgressFn } from '@dtl/core';
import { fingerprintOf } from '../../run-dir/index.ts';
import type { TrainSummary } from '../../training.ts';
import type { PipelineConfig } from '../config.ts';

/** What every stage of `dtl run` is given besides its upstream stages' loaded outputs. */
export interface StageContext {
  readonly config: PipelineConfig;
  readonly runDir: string;
  readonly info: (line: string) => void;
  readonly onEpoch?: ((stage: string, record: EpochRecordLike) => void) | undefined;
  readonly onProgress?: ProgressFn | undefined;
}

/** A stage key: the app's one fingerprint of the parts (same digits as before the run-dir module). */
export function hash(...parts: unknown[]): string {
  return fingerprintOf(parts);
}

/** A content hash of files (name + bytes; a missing file contributes its name only). */
export function fileHash(paths: string[]): string {
  const h = createHash('sha256');
  for (const p of paths) {
    h.update(p.replace(/.*\//, ''));
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex').slice(0, 16);
}

/** What a training stage stores: its summary without the epoch history (that is in its result.json). */
export type TrainStageRecord = Omit<TrainSummary, 'history'>;

export function summaryOf(s: TrainSummary): TrainStageRecord {
  const { history: _history, ...rest } = s;
  return rest;
}
