import { Worker, type WorkerOptions } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { DtlError, type DtlErrorCode } from '@dtl/core';
import type { Tasks } from './internal/tasks.ts';

/** A registered task name (see `src/internal/tasks.ts`). */
export type TaskName = keyof Tasks;
export type TaskArgs<N extends TaskName> = Parameters<Tasks[N]>[0];
export type TaskResult<N extends TaskName> = ReturnType<Tasks[N]>;

/** Options of {@link createWorkerPool}. */
export interface WorkerPoolOptions {
  /** Number of worker threads; default `min(2, os.availableParallelism())`. */
  readonly size?: number | undefined;
}

/**
 * A fixed set of worker threads running registry tasks. Large inputs and outputs should be typed
 * arrays over SharedArrayBuffers (see `toSharedFloat32`): they are shared, not copied.
 */
export interface WorkerPool {
  readonly size: number;
  /** Runs one task on the next free worker (FIFO queue); rejects with the task's error as a DtlError. */
  run<N extends TaskName>(task: N, args: TaskArgs<N>): Promise<TaskResult<N>>;
  /** Terminates every worker and rejects queued jobs (CANCELLED). Idempotent. */
  close(): Promise<void>;
}

interface Pending {
  readonly id: number;
  readonly task: string;
  readonly args: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  readonly worker: Worker;
  job: Pending | undefined;
}

const ERROR_CODES = new Set<string>([
  'INVALID_DATA', 'INVALID_ARGUMENT', 'PROVIDER_FAILURE', 'NOT_FOUND', 'NO_VALID_NEGATIVE',
  'IO_ERROR', 'TIMEOUT', 'CANCELLED', 'UNSUPPORTED', 'STATE_MISMATCH',
]);

/**
 * Where the worker entry is and how to start it. Built JS (`dist/worker-pool.js`) spawns
 * `dist/internal/worker.js` directly. From TypeScript sources (vitest, `pnpm dtl` under tsx) the
 * entry is `src/internal/worker.ts`; on Node 20 tsx's `--import` hook registers itself only on the
 * main thread, so the worker is a tiny `eval` bootstrap that calls tsx's `register()` API inside the
 * worker and then imports the `.ts` entry (with the `@dtl/source` condition, no build step needed).
 */
function workerSpec(): { entry: URL | string; options: WorkerOptions } {
  const here = import.meta.url;
  if (!/\.ts$/.test(new URL(here).pathname)) return { entry: new URL('./internal/worker.js', here), options: {} };
  let api: string;
  try {
    const pkgJson = createRequire(here).resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: Record<string, { import?: { default?: string } }> };
    const rel = pkg.exports?.['./esm/api']?.import?.default ?? './dist/esm/api/index.mjs';
    api = new URL(rel, pathToFileURL(pkgJson)).href;
  } catch (cause) {
    throw new DtlError('UNSUPPORTED', 'worker pool: running from TypeScript sources needs the "tsx" package to load the worker; build the package or install tsx', { cause });
  }
  const entry = new URL('./internal/worker.ts', here).href;
  const boot =
    `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })` +
    `.catch((e) => { process.stderr.write('dtl worker boot failed: ' + (e && e.stack || e) + '\\n'); process.exit(70); });`;
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  if (!execArgv.some((a) => a.includes('@dtl/source'))) execArgv.push('--conditions=@dtl/source');
  return { entry: boot, options: { eval: true, execArgv } };
}

/**
 * Creates a lazy worker pool: no thread starts until the first `run`, and at most `size` ever run.
 * Idle workers are unref'ed, so a forgotten `close()` never keeps the process alive; `close()` ends
 * them for good.
 */
export function createWorkerPool(options: WorkerPoolOptions = {}): WorkerPool {
  const size = options.size ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(size) || size < 1) {
    throw new DtlError('INVALID_ARGUMENT', `createWorkerPool: size must be a positive integer, got ${size}`);
  }
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;
  let spec: ReturnType<typeof workerSpec> | undefined;

  const fail = (slot: Slot, error: unknown): void => {
    const job = slot.job;
    slot.job = undefined;
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    void slot.worker.terminate();
    if (job) job.reject(error instanceof DtlError ? error : new DtlError('PROVIDER_FAILURE', `worker pool: worker failed during task "${job.task}": ${String((error as Error)?.message ?? error)}`, { cause: error }));
    pump();
  };

  const spawn = (): Slot => {
    spec ??= workerSpec();
    const worker = new Worker(spec.entry, spec.options);
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (msg: { id: number; ok: boolean; result?: unknown; message?: string; code?: string; stack?: string }) => {
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      slot.job = undefined;
      worker.unref();
      if (msg.ok) job.resolve(msg.result);
      else {
        const code = (msg.code && ERROR_CODES.has(msg.code) ? msg.code : 'INVALID_ARGUMENT') as DtlErrorCode;
        const error = new DtlError(code, `worker task "${job.task}" failed: ${msg.message ?? 'unknown error'}`);
        if (msg.stack) error.stack = `${error.name}: ${error.message}\n--- in worker ---\n${msg.stack}`;
        job.reject(error);
      }
      pump();
    });
    worker.on('error', (error) => fail(slot, error));
    worker.on('exit', (code) => {
      if (!closed && slots.includes(slot)) fail(slot, new Error(`worker exited with code ${code}`));
    });
    worker.unref();
    slots.push(slot);
    return slot;
  };

  const pump = (): void => {
    while (!closed && queue.length > 0) {
      let slot = slots.find((s) => s.job === undefined);
      if (!slot && slots.length < size) slot = spawn();
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, task: job.task, args: job.args });
    }
  };

  return {
    size,
    run<N extends TaskName>(task: N, args: TaskArgs<N>): Promise<TaskResult<N>> {
      if (closed) return Promise.reject(new DtlError('CANCELLED', `worker pool: run("${task}") after close()`));
      return new Promise<TaskResult<N>>((resolve, reject) => {
        queue.push({ id: nextId++, task, args, resolve: resolve as (v: unknown) => void, reject });
        try {
          pump();
        } catch (error) {
          queue.pop();
          reject(error);
        }
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(new DtlError('CANCELLED', `worker pool closed before task "${job.task}" ran`));
      const all = slots.splice(0);
      for (const slot of all) slot.job?.reject(new DtlError('CANCELLED', `worker pool closed during task "${slot.job.task}"`));
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
