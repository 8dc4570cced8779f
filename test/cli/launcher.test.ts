/**
 * bin/vmotion-analyzer.js runs the bundle (dist/bundle/, faster start-up) only while no compiled
 * module is newer than it: after a bare `tsc` (or `tsc --watch`) the modules run, never stale code.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vma-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stub = (name: string) => `export async function main() { process.stdout.write('${name}'); return 0; }\n`;
function setTime(path: string, seconds: number): void { utimesSync(path, seconds, seconds); }
function run(): string {
  const r = spawnSync(process.execPath, [join(dir, 'bin', 'vmotion-analyzer.js')], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('launcher', () => {
  mkdirSync(join(dir, 'bin')); mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'decode')); mkdirSync(join(dir, 'dist', 'bundle'));
  copyFileSync(join(ROOT, 'bin', 'vmotion-analyzer.js'), join(dir, 'bin', 'vmotion-analyzer.js'));
  writeFileSync(join(dir, 'dist', 'cli', 'main.js'), stub('modules'));
  writeFileSync(join(dir, 'dist', 'decode', 'packet.js'), '');
  writeFileSync(join(dir, 'dist', 'bundle', 'main.js'), stub('bundle'));
  writeFileSync(join(dir, 'dist', 'bundle', 'decode-worker.js'), '');

  it('runs the bundle when it is the newest build', () => {
    for (const f of ['cli/main.js', 'decode/packet.js']) setTime(join(dir, 'dist', f), 1_700_000_000);
    for (const f of ['bundle/main.js', 'bundle/decode-worker.js']) setTime(join(dir, 'dist', f), 1_700_000_100);
    expect(run()).toBe('bundle');
  });

  it('runs the modules when any of them was compiled after the bundle, or the worker bundle is missing', () => {
    setTime(join(dir, 'dist', 'decode', 'packet.js'), 1_700_000_200);
    expect(run()).toBe('modules');
    setTime(join(dir, 'dist', 'decode', 'packet.js'), 1_700_000_000);
    expect(run()).toBe('bundle');
    rmSync(join(dir, 'dist', 'bundle', 'decode-worker.js'));
    expect(run()).toBe('modules');
  });
});
