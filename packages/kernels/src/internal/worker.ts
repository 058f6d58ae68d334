/** Worker-thread entry of the pool: runs registry tasks by name and posts back the result. */
import { parentPort } from 'node:worker_threads';
import { tasks } from './tasks.ts';

interface Job {
  readonly id: number;
  readonly task: string;
  readonly args: unknown;
}

const port = parentPort;
if (port) {
  port.on('message', (job: Job) => {
    try {
      const fn = (tasks as Record<string, ((args: unknown) => unknown) | undefined>)[job.task];
      if (!fn) throw Object.assign(new Error(`unknown task "${job.task}"`), { code: 'NOT_FOUND' });
      port.postMessage({ id: job.id, ok: true, result: fn(job.args) });
    } catch (error) {
      const e = error as { message?: unknown; code?: unknown; stack?: unknown };
      port.postMessage({
        id: job.id,
        ok: false,
        message: String(e?.message ?? error),
        code: typeof e?.code === 'string' ? e.code : undefined,
        stack: typeof e?.stack === 'string' ? e.stack : undefined,
      });
    }
  });
}
