import { humanBytes } from '../report/units.js';

/** Progress on stderr for long files, only when stderr is a terminal (never pollutes logs or pipes). */
export function makeProgress(enabled: boolean): { update: (path: string, read: number, total: number | null) => void; done: () => void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(path, read, total) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      const pct = total ? ` ${((read / total) * 100).toFixed(0)}%` : '';
      process.stderr.write(`\r\x1b[2K${path}:${pct} ${humanBytes(read)}${total ? ` of ${humanBytes(total)}` : ''}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}
