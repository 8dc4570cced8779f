#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm run build` (run by npm ci via prepare),
// which also bundles it into dist/bundle/ (start-up ~0.1 s faster). The bundle is used only when no
// compiled module is newer (a bare `tsc` or `tsc --watch` must never leave stale code running): ~1 ms.
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
function bundleIsFresh() {
  try {
    const built = Math.min(statSync(`${dist}bundle/main.js`).mtimeMs, statSync(`${dist}bundle/decode-worker.js`).mtimeMs);
    for (const f of readdirSync(dist, { recursive: true })) {
      if (f.endsWith('.js') && !f.startsWith('bundle') && statSync(dist + f).mtimeMs > built) return false;
    }
    return true;
  } catch {
    return false;
  }
}
const bundled = bundleIsFresh();
// `analyze FILE`: start reading FILE on a worker while the CLI loads (src/decode/early-start.ts).
if (process.argv[2] === 'analyze') {
  try {
    const { startDecodeEarly } = await import(bundled ? '../dist/bundle/early-start.js' : '../dist/decode/early-start.js');
    startDecodeEarly(process.argv);
  } catch {
    // Only a head start: the analysis starts its own worker.
  }
}
const { main } = await import(bundled ? '../dist/bundle/main.js' : '../dist/cli/main.js');
main(process.argv).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`vmotion-analyzer: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 70;
});
