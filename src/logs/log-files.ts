import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * --vmkernel-log arguments -> log files. A directory (e.g. var/run/log of an extracted vm-support
 * bundle) stands for its vmkernel logs: vmkernel.log and the rotations vmkernel.N.gz / vmkernel.N.log.
 * Throws, naming the argument, when a path does not exist or a directory holds no vmkernel log.
 */
const ROTATION_RE = /^vmkernel(\.\d+)?\.(log|gz|log\.gz)$/;

export function expandLogPaths(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    let st;
    try { st = statSync(arg); } catch {
      throw new Error(`--vmkernel-log ${arg}: no such file or directory (give vmkernel.log, a rotation such as vmkernel.0.gz, or the log directory of a vm-support bundle)`);
    }
    if (!st.isDirectory()) { out.push(arg); continue; }
    const found = readdirSync(arg).filter((n) => ROTATION_RE.test(n)).sort(rotationOrder).map((n) => join(arg, n));
    if (found.length === 0) throw new Error(`--vmkernel-log ${arg}: the directory holds no vmkernel.log or vmkernel.N.gz`);
    out.push(...found);
  }
  return [...new Set(out)];
}

/** Oldest first: vmkernel.9.gz ... vmkernel.0.gz, then vmkernel.log (order only affects line listings). */
function rotationOrder(a: string, b: string): number {
  const n = (x: string): number => { const m = /^vmkernel\.(\d+)\./.exec(x); return m ? Number(m[1]) : -1; };
  return n(b) - n(a) || a.localeCompare(b);
}
