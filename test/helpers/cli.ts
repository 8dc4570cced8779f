import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CAPTURES = join(ROOT, 'captures');
const BIN = join(ROOT, 'bin', 'vmotion-analyzer.js');

export interface CliRun { code: number; stdout: string; stderr: string }

/** Runs the built CLI (npm test builds dist/ first). */
export function runCli(args: string[], opts: { input?: Buffer | string; cwd?: string; env?: Record<string, string> } = {}): CliRun {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input, env: opts.env ? { ...process.env, ...opts.env } : undefined, maxBuffer: 256 * 1024 * 1024, encoding: 'buffer', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

export function runJson(args: string[]): { code: number; result: any; stderr: string } {
  const r = runCli([...args, '--format', 'json']);
  return { code: r.code, result: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

/** Runs a tool and returns stdout; throws with stderr on failure. */
export function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000 });
  if (r.error) throw new Error(`${cmd} could not run: ${r.error.message} (install it: see .ci/run)`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
