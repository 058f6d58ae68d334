/**
 * The task registry of the worker pool. A task is a named, pure, synchronous function of one
 * structured-cloneable argument object whose big inputs and outputs are typed arrays backed by
 * SharedArrayBuffers (posted to the worker without copying). Tasks write their results into shared
 * output arrays (or return a small value). To add a parallel kernel: write it as a pure function
 * over typed arrays in its own file under `src/internal/` and add one entry to this table; the
 * pool's `run(name, args)` is typed from it.
 *
 * Everything imported from here is loaded inside worker threads: keep it free of `@dtl/*` imports
 * and of side effects.
 */
import { threadId } from 'node:worker_threads';
import { topKRange, type TopKRangeArgs } from './top-k-kernel.ts';

export const tasks = {
  /** Masked top-K for users `[start, end)` of `userIds`, written into `outItems` / `outScores`. */
  topKRange: (args: TopKRangeArgs): void => topKRange(args),
  /** Returns the worker's thread id (diagnostics and pool tests). */
  ping: (_args: Record<string, never>): number => threadId,
};

export type Tasks = typeof tasks;
