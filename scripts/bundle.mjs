#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/cli/main.js) and the decode worker (dist/decode/decode-worker.js)
 * into dist/bundle/ (a few files instead of ~100 ES modules): start-up loads them in ~0.1 s less,
 * on every run, and the worker boots faster too. Run by `npm run build` after tsc.
 * bin/vmotion-analyzer.js uses the bundle only when no compiled module in dist/ is newer (a bare
 * `tsc` leaves it stale), else the modules. Without rolldown (a production install without dev
 * dependencies) nothing is bundled and the modules are used.
 */
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/bundle`;
let rolldown;
try {
  rolldown = await import('rolldown');
} catch {
  process.stderr.write('vmotion-analyzer: rolldown is not installed: not bundling (the CLI runs from dist/ modules)\n');
  rmSync(out, { recursive: true, force: true });
  process.exit(0);
}
if (!existsSync(`${root}dist/cli/main.js`)) {
  process.stderr.write('vmotion-analyzer: dist/cli/main.js is missing: run tsc first (npm run build)\n');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
await rolldown.build({
  // early-start: loaded by bin/vmotion-analyzer.js before main, to start the decode worker sooner.
  input: { main: `${root}dist/cli/main.js`, 'decode-worker': `${root}dist/decode/decode-worker.js`, 'early-start': `${root}dist/decode/early-start.js` },
  platform: 'node',
  logLevel: 'warn',
  // The worker is found next to the code that starts it (read-decoded.ts: ./decode-worker.js).
  output: { dir: out, format: 'esm', entryFileNames: '[name].js' },
});
