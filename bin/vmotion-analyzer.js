#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ to dist/ by `npm run build` (run by npm ci via prepare).
import { main } from '../dist/cli/main.js';
main(process.argv).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`vmotion-analyzer: internal error: ${err && err.stack ? err.stack : err}\n`);
  process.exitCode = 70;
});
