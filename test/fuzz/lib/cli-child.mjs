/**
 * Runs the CLI (`analyze ...`) from the transpiled sources in this process and reports its own
 * peak resident memory (VmHWM) on stderr as "VMHWM <kB>", so a parent can hold it to a budget.
 * Usage: node cli-child.mjs <distDir> analyze <args...>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [distDir, ...args] = process.argv.slice(2);
const { main } = await import(join(distDir, 'cli', 'main.js'));
let code;
try {
  code = await main(['node', 'vmotion-analyzer', ...args]);
} catch (err) {
  process.stderr.write(`vmotion-analyzer: internal error: ${err?.stack ?? err}\n`);
  code = 70;
}
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stderr.write(`VMHWM ${hwm ? hwm[1] : -1}\n`);
process.exitCode = code;
