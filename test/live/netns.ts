/**
 * A pair of network namespaces joined by one veth, for live-capture tests and the
 * benchmark: traffic stays between hosts this test created, never leaves the machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface NetnsPair {
  a: string; b: string;       // namespace names
  devA: string; devB: string; // veth ends (inside a and b)
  ipA: string; ipB: string;
}

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
}

/** Creates vma-live-<tag>-a / -b with 10.99.<subnet>.1/.2 on a veth pair. */
export function createNetnsPair(tag: string, subnet: number): NetnsPair {
  const pair: NetnsPair = {
    a: `vma-live-${tag}-a`, b: `vma-live-${tag}-b`, devA: 'vma0', devB: 'vma1',
    ipA: `10.99.${subnet}.1`, ipB: `10.99.${subnet}.2`,
  };
  deleteNetnsPair(pair);  // leftovers of an interrupted run
  ip(['netns', 'add', pair.a]);
  ip(['netns', 'add', pair.b]);
  ip(['link', 'add', pair.devA, 'netns', pair.a, 'type', 'veth', 'peer', 'name', pair.devB, 'netns', pair.b]);
  for (const [ns, dev, addr] of [[pair.a, pair.devA, pair.ipA], [pair.b, pair.devB, pair.ipB]]) {
    ip(['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev]);
    ip(['-n', ns, 'link', 'set', dev, 'up']);
    ip(['-n', ns, 'link', 'set', 'lo', 'up']);
  }
  return pair;
}

export function deleteNetnsPair(pair: Pick<NetnsPair, 'a' | 'b'>): void {
  deleteNetns(pair.a);  // deleting a namespace also deletes the veth end inside it
  deleteNetns(pair.b);
}

/** Why live tests cannot run here, or null when they can. */
export function netnsUnavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces and capture need root)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `\`ip netns\` is not usable: ${r.error?.message ?? r.stderr}`;
  return null;
}
