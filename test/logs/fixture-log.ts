import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES } from '../helpers/cli.js';

/**
 * vmkernel.log text generated from a template so its times and IPs match a lab capture: the
 * lines are shaped on published examples (docs/esxi-logs.md) and surrounded by the usual noise.
 */
export interface LabMigration { index: number; source: string; destination: string; start: number; end: number }

export function labManifest(name: string): { migrations: LabMigration[]; streams: any[]; source: string; destination: string } {
  const m = JSON.parse(readFileSync(join(CAPTURES, `${name}.manifest.json`), 'utf8'));
  return { migrations: m.migrations, streams: m.streams, source: m.hosts.source.ip, destination: m.hosts.destination.ip };
}

export interface LogSpec {
  ts: string;
  sourceIps: string[];
  destinationIps: string[];
  /** Capture-clock start and end of the migration's traffic. */
  start: number;
  end: number;
  bandwidthMBps?: number;
}

export type Format = '6.x' | '8.x';
export type Side = 'source' | 'destination';

/** host clock = capture clock - offsetSeconds (so the analyzer should find +offsetSeconds). */
export function vmkernelLog(specs: LogSpec[], opts: { format: Format; side: Side; offsetSeconds: number; from?: number; to?: number; crlf?: boolean; encrypted?: boolean; syslogPrefix?: boolean }): string {
  const lines: Array<[number, string]> = [];
  const pfx = (t: number, cpu: string): string => {
    const iso = new Date(Math.round((t - opts.offsetSeconds) * 1000)).toISOString();
    if (opts.format === '8.x') return `${iso} In(182) vmkernel: ${cpu})`;
    return opts.syslogPrefix ? `${iso} esx01.lab.local vmkernel: ${cpu})` : `${iso} ${cpu})`;
  };
  const S = opts.side === 'source' ? 'S' : 'D';
  const from = opts.from ?? Math.min(...specs.map((s) => s.start)) - 30;
  const to = opts.to ?? Math.max(...specs.map((s) => s.end)) + 30;
  // Kernel noise every ~1.7 s across the whole span.
  const noise = [
    'cpu2:2097866)ScsiDeviceIO: 4325: Cmd(0x45b8c1a7e2c8) 0x85, CmdSN 0x4b1 from world 2099823 to dev "naa.600508b1001c5e5e" failed H:0x0 D:0x2 P:0x0 Valid sense data: 0x5 0x20 0x0.',
    'cpu7:2097623)NetqueueBal: 5032: vmnic2: device Up notification, reset logical space needed',
    'cpu0:2098455)Tcpip_Vmk: 1288: Affinitizing 10.99.0.5 to world 2100211, Success',
    'cpu5:2100934)VSCSI: 6602: handle 8193(vscsi0:0):Destroying Device for world 2100933 (pendCom 0)',
    'cpu3:2097212)Migrate: 104: World 2098123 (vmx-vthread-7) moved to cartel 2098119',
  ];
  let k = 0;
  for (let t = from; t < to; t += 1.7) { const n = noise[k++ % noise.length]; lines.push([t, pfx(t, n.slice(0, n.indexOf(')'))) + n.slice(n.indexOf(')') + 1)]); }
  for (const s of specs) {
    const t0 = s.start - 0.03;
    const ips = (list: string[]) => list.join(',');
    if (opts.format === '6.x') {
      const dir = opts.side === 'source' ? 'Source' : 'Dest';
      lines.push([t0, `${pfx(t0, 'cpu4:2758489')}Migrate: vm 2758492: 3284: Setting VMOTION info: ${dir} ts = ${s.ts}, src ip = <${ips(s.sourceIps)}> dest ip = <${ips(s.destinationIps)}> Dest wid = 1830931 using SHARED swap${opts.encrypted ? ', encrypted' : ''}`]);
    } else {
      const who = opts.side === 'source' ? 'Source vmmLeaderID = 2118927' : 'Dest vmmLeaderID = 2109446';
      const wid = opts.side === 'source' ? '2109446' : '0';
      lines.push([t0, `${pfx(t0, 'cpu12:2098351 opID=d5991c6f')}Migrate: 314: vmotion: ${who}, ts = ${s.ts}, srcIP = <${ips(s.sourceIps)}> dstIP = <${ips(s.destinationIps)}> Dest wid = ${wid} using SHARED swap${opts.encrypted ? ', encrypted' : ''}`]);
    }
    const own = opts.side === 'source' ? s.sourceIps : s.destinationIps;
    own.forEach((ip, i) => lines.push([t0 + 0.002, `${pfx(t0 + 0.002, 'cpu4:2758489')}VMotion: 2734: ${s.ts} ${S}: Set ip address '${ip}' worldlet affinity to send World ID ${2772001 + i}`]));
    // The pre-copy estimate is the sender's (published examples are all `S:`): source logs only.
    if (s.bandwidthMBps !== undefined && opts.side === 'source') {
      const tp = s.end - 0.2;
      lines.push([tp, `${pfx(tp, 'cpu3:427570')}VMotion: 3878: ${s.ts} ${S}: Stopping pre-copy: only 3491 pages left to send, which can be sent within the switchover time goal of 0.500 seconds (network bandwidth ~${s.bandwidthMBps.toFixed(3)} MB/s, 1049920% t2d)`]);
    }
    // Published neighbour line (virtuallypeculiar.com, 2015): noise that names the VM's world, not the id.
    lines.push([t0 + 0.002, `${pfx(t0 + 0.002, 'cpu4:2758489')}Hbr: 3340: Migration start received (worldID=2758492) (migrateType=1) (event=0) (isSource=${opts.side === 'source' ? 1 : 0}) (sharedConfig=1)`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  const eol = opts.crlf ? '\r\n' : '\n';
  return lines.map((l) => l[1]).join(eol) + eol;
}

/** The lab manifest's migrations as log specs with made-up ids (6.x-sized or 8.x 64-bit ones). */
export function specsFrom(ms: LabMigration[], idBase: string, bandwidthMBps?: number): LogSpec[] {
  return ms.map((m, i) => ({
    ts: (BigInt(idBase) + BigInt(i * 7919)).toString(), sourceIps: [m.source], destinationIps: [m.destination], start: m.start, end: m.end, bandwidthMBps,
  }));
}
