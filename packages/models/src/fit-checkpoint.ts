import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DtlError } from '@dtl/core';
import type { ModelState } from '@dtl/core';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import type { EarlyStoppingState, Metrics, Parameters } from './early-stopping.ts';

/**
 * The checkpoint of a {@link fit} run, `checkpoint.bin` in its checkpoint directory: the model's
 * state tensors, the best-epoch parameters beside them as `best.<parameter name>`, and a meta record
 * (fingerprint, epoch, history, early-stopping state) checked field by field on read. The file format
 * itself is `checkpoint.ts`.
 */
export const FIT_CHECKPOINT_FILE = 'checkpoint.bin';

/** Where {@link fit} keeps its checkpoint in `dir`. */
export function fitCheckpointPath(dir: string): string {
  return join(dir, FIT_CHECKPOINT_FILE);
}

/** What a fit checkpoint records besides tensors. `history` entries are the loop's epoch records. */
export interface FitCheckpointMeta<R extends { readonly epoch: number } = { readonly epoch: number }> extends EarlyStoppingState {
  readonly fingerprint: string | undefined;
  readonly model: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly step: number;
  /** Last epoch trained. */
  readonly epoch: number;
  readonly history: readonly R[];
  /** The run ended (stopped early or reached its last epoch). */
  readonly finished: boolean;
}

/** A loaded fit checkpoint: meta, the model state to `setState`, the best parameters (if stored). */
export interface FitCheckpoint<R extends { readonly epoch: number }> {
  readonly meta: FitCheckpointMeta<R>;
  readonly state: ModelState;
  readonly bestParameters: Parameters | undefined;
}

// Checkpoints store the best-epoch parameters beside the state as `best.<parameter name>`.
const BEST_PREFIX = 'best.';

function prefixed(parameters: Parameters): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(parameters)) out[BEST_PREFIX + name] = t;
  return out;
}

/**
 * The best-epoch parameters a {@link fit} checkpoint holds (its `best.*` tensors, by parameter
 * name), or undefined when it holds none. Pass the result to {@link restoreBest}.
 */
export function bestParametersOf(tensors: Readonly<Record<string, Float32Array>>): Record<string, Float32Array> | undefined {
  let out: Record<string, Float32Array> | undefined;
  for (const [name, t] of Object.entries(tensors)) {
    if (name.startsWith(BEST_PREFIX)) (out ??= {})[name.slice(BEST_PREFIX.length)] = t;
  }
  return out;
}

/** Writes a fit checkpoint (atomically, see `writeCheckpoint`). */
export function saveFitCheckpoint<R extends { readonly epoch: number }>(path: string, state: ModelState, meta: FitCheckpointMeta<R>, bestParameters: Parameters): void {
  writeCheckpoint(path, { meta: meta as unknown as Record<string, unknown>, tensors: { ...state.tensors, ...prefixed(bestParameters) } });
}

/**
 * Reads the fit checkpoint at `path`, or undefined when there is none. A checkpoint written with
 * another `fingerprint` (when one is given) is `STATE_MISMATCH`; malformed meta is `INVALID_DATA`.
 */
export function loadFitCheckpoint<R extends { readonly epoch: number }>(path: string, fingerprint: string | undefined): FitCheckpoint<R> | undefined {
  if (!existsSync(path)) return undefined;
  const ckpt = readCheckpoint(path);
  const meta = checkpointMeta<R>(ckpt.meta, path);
  if (fingerprint !== undefined && meta.fingerprint !== fingerprint) {
    throw new DtlError('STATE_MISMATCH', `checkpoint ${path} was written by a run with other settings; use a new run directory or remove it`);
  }
  const tensors: Record<string, Float32Array> = {};
  for (const [name, t] of Object.entries(ckpt.tensors)) if (!name.startsWith(BEST_PREFIX)) tensors[name] = t;
  return {
    meta,
    state: { model: meta.model, config: meta.config as Record<string, unknown>, step: meta.step, tensors },
    bestParameters: bestParametersOf(ckpt.tensors),
  };
}

/** The resume state of a checkpoint, checked field by field (a hand-edited or foreign file is a DtlError, never a TypeError). */
function checkpointMeta<R extends { readonly epoch: number }>(raw: Readonly<Record<string, unknown>>, file: string): FitCheckpointMeta<R> {
  const bad = (field: string): never => {
    throw new DtlError('INVALID_DATA', `checkpoint meta.${field} is missing or malformed; delete the checkpoint to restart the run`, { location: { file } });
  };
  const int = (k: string): void => {
    if (!Number.isSafeInteger(raw[k]) || (raw[k] as number) < 0) bad(k);
  };
  if (typeof raw['model'] !== 'string') bad('model');
  for (const k of ['step', 'epoch', 'bestEpoch', 'sinceBest']) int(k);
  if (typeof raw['bestValue'] !== 'number' && raw['bestValue'] !== null) bad('bestValue');
  if (!Array.isArray(raw['history']) || !raw['history'].every((h) => h !== null && typeof h === 'object' && Number.isSafeInteger((h as { epoch?: unknown }).epoch))) bad('history');
  if (raw['config'] === null || typeof raw['config'] !== 'object') bad('config');
  if (typeof raw['finished'] !== 'boolean') bad('finished');
  // JSON has no -Infinity: a run with no evaluation yet stores its best value as null.
  return { ...(raw as unknown as FitCheckpointMeta<R>), bestValue: raw['bestValue'] === null ? -Infinity : (raw['bestValue'] as number) };
}

