import type { ProgressEvent } from '@dtl/core';
import type { Output } from './output.ts';

/**
 * Progress of long stages on stderr: an updating line on a TTY, and a line every 10% otherwise so
 * CI logs show progress without flooding.
 */
export function createProgressReporter(out: Output, stream: NodeJS.WriteStream = process.stderr) {
  let lastKey = '';
  let lastDecile = -1;
  let open = false;
  return {
    onProgress(e: ProgressEvent): void {
      const key = `${e.stage}:${e.detail ?? ''}`;
      const pct = e.total > 0 ? Math.floor((100 * e.done) / e.total) : 0;
      const line = `${e.detail ?? e.stage} ${e.done}/${e.total} (${pct}%)`;
      if (stream.isTTY) {
        stream.write(`\r${line}\x1b[K`);
        open = true;
      } else {
        const decile = Math.floor(pct / 10);
        if (key !== lastKey || decile !== lastDecile) {
          if (decile % 5 === 0 || e.done === e.total) stream.write(line + '\n');
        }
        lastDecile = decile;
      }
      lastKey = key;
      void out;
    },
    done(): void {
      if (open) stream.write('\r\x1b[K');
      open = false;
    },
  };
}
