import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@dtl/core/node';
import { STAGES_DIR } from '../run-dir/index.ts';

/** What the pipeline records about one stage. */
export interface StageRecord {
  /** Seconds this invocation spent (0 when skipped). */
  readonly seconds: number;
  readonly skipped: boolean;
  /** Content hash of the stage's inputs and settings. */
  readonly key: string;
  /** Seconds of the run that produced the stored output. */
  readonly producedInSeconds: number;
}

interface StageFile<T> {
  readonly key: string;
  readonly seconds: number;
  readonly finishedAt: string;
  readonly output: T;
}

/**
 * Runs a stage unless `stages/<name>/stage.json` records the same input key, in which case its
 * stored output is returned. The record is written last and atomically, so a stage killed midway
 * is simply run again (stages resume inside, e.g. from checkpoints or the judge cache).
 */
export async function runStage<T>(
  runDir: string,
  name: string,
  key: string,
  work: (dir: string) => Promise<T>,
  options: { readonly keep?: readonly string[] } = {},
): Promise<{ output: T; record: StageRecord }> {
  const dir = join(runDir, STAGES_DIR, name);
  const file = join(dir, 'stage.json');
  if (existsSync(file)) {
    try {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as StageFile<T>;
      if (stored.key === key) return { output: stored.output, record: { seconds: 0, skipped: true, key, producedInSeconds: stored.seconds } };
    } catch {
      // A corrupt record means the stage did not finish: run it again.
    }
  }
  // A stage started with the same key resumes in place (checkpoints, caches); one started with other
  // inputs is cleared first, except for files that are safe to reuse across inputs (`keep`, e.g. the
  // judge's content-addressed call cache).
  const startedFile = join(dir, 'started.json');
  if (existsSync(dir)) {
    let startedKey: string | undefined;
    try {
      startedKey = (JSON.parse(readFileSync(startedFile, 'utf8')) as { key?: string }).key;
    } catch {
      startedKey = undefined;
    }
    if (startedKey !== key) {
      for (const entry of readdirSync(dir)) if (!(options.keep ?? []).includes(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(startedFile, JSON.stringify({ key, startedAt: new Date().toISOString() }) + '\n');
  const t0 = performance.now();
  const output = await work(dir);
  const seconds = (performance.now() - t0) / 1000;
  const record: StageFile<T> = { key, seconds, finishedAt: new Date().toISOString(), output };
  writeJsonAtomic(file, record);
  return { output, record: { seconds, skipped: false, key, producedInSeconds: seconds } };
}

/**
 * A stage of `dtl run`: its key (a fingerprint of its inputs and settings), its work, and the
 * `load` of what it wrote when it is skipped — so the next stage receives objects (a dataset,
 * codebooks, false-negative pairs), never file paths to re-read. `run` returns the record stored in
 * `stage.json` (JSON) and the loaded objects it already has in memory.
 */
export interface PipelineStage<I, R, L> {
  readonly name: string;
  /** Files of the stage folder reused across changed inputs (e.g. the judge's call cache). */
  readonly keep?: readonly string[];
  key(input: I): string;
  run(input: I, dir: string): Promise<{ readonly record: R; readonly loaded: L }>;
  load(input: I, record: R, dir: string): L | Promise<L>;
}

/** What a stage hands on: its loaded output, its stored record, its key and its timing. */
export interface StageOutput<R, L> {
  readonly loaded: L;
  readonly record: R;
  readonly key: string;
  readonly stage: StageRecord;
}

/** Runs a {@link PipelineStage} through {@link runStage}: its work when its key changed, else its `load`. */
export async function runPipelineStage<I, R, L>(runDir: string, stage: PipelineStage<I, R, L>, input: I): Promise<StageOutput<R, L>> {
  const key = stage.key(input);
  let fresh: { loaded: L } | undefined;
  const { output, record } = await runStage(
    runDir,
    stage.name,
    key,
    async (dir) => {
      const r = await stage.run(input, dir);
      fresh = { loaded: r.loaded };
      return r.record;
    },
    stage.keep ? { keep: stage.keep } : {},
  );
  const loaded = fresh ? fresh.loaded : await stage.load(input, output, join(runDir, STAGES_DIR, stage.name));
  return { loaded, record: output, key, stage: record };
}
