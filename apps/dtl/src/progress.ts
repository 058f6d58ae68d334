import type { ProgressEvent } from '@dtl/core';

/**
 * Progress of long stages on stderr: an updating line on a TTY; in logs (CI, files) one line when a
 * stage starts and then at most one every 5 seconds, plus its last step, so long work shows progress
 * without flooding.
 */
export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr) {
  let lastKey = '';
  let lastPrint = 0;
  let open = false;
  return {
    onProgress(e: ProgressEvent): void {
      const key = e.stage;
      const pct = e.total > 0 ? Math.floor((100 * e.done) / e.total) : 0;
      const line = `${e.detail ?? e.stage} ${e.done}/${e.total} (${pct}%)`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        open = true;
        return;
      }
      const now = performance.now();
      const isNew = key !== lastKey;
      if ((isNew && e.done <= 1) || now - lastPrint > 5000 || (e.done === e.total && now - lastPrint > 5000)) {
        stream.write(line + '\n');
        lastPrint = now;
      }
      lastKey = key;
    },
    /** Clears the TTY progress line before other output. */
    done(): void {
      if (open) stream.write('\r\x1b[K');
      open = false;
    },
  };
}
