/** Run tshark -T fields on a capture; rows keyed by field name, each value split on ','. */
import { execFileSync, spawnSync } from 'node:child_process';

export function haveTool(name: string): boolean {
  return spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** In CI a missing tool is a failure; elsewhere the test is skipped with a printed reason. */
export function requireTool(name: string): boolean {
  if (haveTool(name)) return true;
  if (process.env.CI) throw new Error(`${name} is required in CI (install the Debian package)`);
  console.warn(`skipping: ${name} not installed (apt-get install tshark)`);
  return false;
}

export type TsharkRow = Map<string, string[]>;

export function tsharkFields(path: string, fields: string[], extraArgs: string[] = []): TsharkRow[] {
  const args = ['-r', path, '-n', '-o', 'tcp.relative_sequence_numbers:FALSE', ...extraArgs,
    '-T', 'fields', '-E', 'separator=/t', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])];
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l.length > 0).map((line) => {
    const cols = line.split('\t');
    const row: TsharkRow = new Map();
    fields.forEach((f, i) => row.set(f, cols[i] ? cols[i].split(',') : []));
    return row;
  });
}

/** First occurrence of a field as a number (hex allowed), or undefined when absent. */
export function num(row: TsharkRow, field: string, occurrence = 0): number | undefined {
  const v = row.get(field)?.[occurrence];
  if (v === undefined || v === '') return undefined;
  return v.startsWith('0x') ? parseInt(v, 16) : Number(v);
}

export function str(row: TsharkRow, field: string, occurrence = 0): string | undefined {
  return row.get(field)?.[occurrence];
}
