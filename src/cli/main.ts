import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { GENERATOR } from '../analysis/build-result.js';
import { runAnalyze } from './analyze-command.js';
import { parseRing, runLive } from './live-command.js';
import { runEvidence } from './evidence-command.js';

/** Exit codes (README "Exit codes"). */
export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_INPUT = 3;
/** `--fail-on routed` and at least one migration's path verdict is routed (README: exit code 4, for scripted network checks). */
export const EXIT_ROUTED = 4;

export function parsePort(value: string, previous: number[] | undefined): number[] {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('expected a TCP port 1-65535');
  return [...(previous ?? []), n];
}

export function parsePositiveSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86400) throw new InvalidArgumentError('expected seconds > 0 (e.g. 1 or 0.5)');
  return n;
}

export function parseSignedSeconds(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || Math.abs(n) > 7 * 86400) throw new InvalidArgumentError('expected seconds, e.g. 3.2 or -45 (at most a week)');
  return n;
}

export function buildProgram(onExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('vmotion-analyzer')
    .description('Find VMware vMotion migrations in packet captures: throughput, routed or Layer-2 path, TCP health.')
    .version(GENERATOR.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  withReportOptions(withAnalysisOptions(program.command('analyze')
    .description('analyse capture files (pcap, pcapng, gzip-compressed; "-" reads standard input)')
    .argument('<files...>', 'capture files'), { files: true }))
    .option('--sha256', "include each input file's SHA-256 in the report (evidence bundles always do; costs about as much CPU as the analysis)")
    .option('--no-progress', 'no progress display on stderr')
    .action(async (files: string[], o) => {
      onExitCode(await runAnalyze(files, o));
    });

  withAnalysisOptions(program.command('evidence')
    .description('write an evidence bundle for a support ticket: report.html, report.md, report.json, evidence.pcapng (headers only), manifest.json')
    .argument('<files...>', 'capture files (read twice: standard input is not accepted)')
    .requiredOption('--out <dir>', 'bundle directory (created; an existing non-empty one needs --force)')
    .option('--force', 'replace the bundle files in an existing directory')
    .option('--redact', 'consistent pseudonyms for IP and MAC addresses in every file (MAC vendor prefix and subnet relations kept)')
    .option('--full-payload', 'keep captured payload in evidence.pcapng (default: headers only; vMotion payload is guest memory)'), { files: true })
    .option('--no-progress', 'no progress display on stderr')
    .action(async (files: string[], o, cmd: Command) => {
      // The manifest records the command line as given (argv after the node binary).
      const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
      onExitCode(await runEvidence(files, o, raw.slice(1)));
    });

  withReportOptions(withAnalysisOptions(program.command('live')
    .description('capture live with libpcap (root or CAP_NET_RAW), show migrations as they happen, print the report at the end')
    .option('-i, --interface <iface>', 'interface to capture on (see --list)')
    .option('--list', 'list the interfaces libpcap can open')
    .option('--snaplen <bytes>', 'bytes kept per packet (default 160: headers only)', parseIntArg(1, 262144), 160)
    .option('--buffer-size <MiB>', 'kernel capture buffer', parseIntArg(1, 4096), 32)
    .option('--no-promisc', 'do not put the interface in promiscuous mode')
    .option('--immediate', 'deliver packets immediately (lower latency, more CPU)')
    .option('--bpf <filter>', 'capture filter (default: the vMotion and NFC ports, ARP, ICMP, ICMPv6, also VLAN-tagged, and GRE)')
    .option('--duration <seconds>', 'stop after this many seconds', parsePositiveSeconds)
    .option('--packets <n>', 'stop after this many packets', parseIntArg(1, Number.MAX_SAFE_INTEGER))
    .option('--write <file>', 'record what was captured to pcapng (headers only unless --full-payload)')
    .option('--ring <MB,count>', 'with --write: a new file every MB megabytes, keep the newest count files', (v: string) => {
      try { return parseRing(v); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
    })
    .option('--full-payload', 'with --write: keep packet payload (guest memory!) instead of headers only')
    .option('--evidence <dir>', 'with --write: when the capture ends, write an evidence bundle (as `evidence`) from the recording')
    .option('--force', 'with --evidence: replace the bundle files in an existing directory')
    .option('--redact', 'with --evidence: pseudonyms for IP and MAC addresses in the bundle')
    .option('--no-view', 'no live view (only the final report)')
    .option('--refresh <seconds>', 'live view refresh period', parsePositiveSeconds, 1), { files: false }))
    .action(async (o) => {
      onExitCode(await runLive({ ...o, bufferSize: o.bufferSize * 1024 * 1024 }));
    });
  return program;
}

const repeat = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** The options that shape the analysis itself, the same for analyze, evidence and live. */
function withAnalysisOptions(cmd: Command, o: { files: boolean }): Command {
  cmd
    .option('--port <port>', 'vMotion TCP port (repeatable; default 8000)', parsePort)
    .option('--nfc-port <port>', 'NFC/provisioning TCP port reported apart (repeatable; default 902)', parsePort)
    .option('--gap <seconds>', 'streams of one host pair starting within this idle gap join one migration', parsePositiveSeconds, 1)
    .option('--interval <seconds>', 'throughput series interval', parsePositiveSeconds, 1)
    .option('--host-map <file>', 'which vmknic IPs belong to one host (multi-NIC vMotion): lines "HOST IP [IP...]" or JSON');
  if (o.files) {
    cmd
      .option('--point <name=files>', 'capture point of files (repeatable): pieces of one capture share a point, e.g. --point esx-a=a1.pcap,a2.pcap', repeat)
      .option('--vmkernel-log <file>', 'ESXi vmkernel.log of either host (repeatable; plain or .gz rotations, or a vm-support log directory): attach migration ids, host bandwidth estimates, encrypted flag; split concurrent / join multi-NIC migrations', repeat)
      .option('--log-offset <seconds>', 'host log clock offset: capture time = log time + seconds (default: estimated per host)', parseSignedSeconds)
      .option('--threads <n>', 'worker threads that read and decode files ahead of the analysis (default: CPUs - 1; 0: one thread)', parseIntArg(0, 64));
  }
  return cmd;
}

/** How the report is written, the same for analyze and live. */
function withReportOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown', 'html']).default('table'))
    .option('--streams', 'CSV: one row per stream instead of per migration')
    .option('-v, --verbose', 'table: list every stream')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .addOption(new Option('--fail-on <condition>', 'exit 4 when a migration meets the condition (routed: its path verdict is routed)').choices(['routed']));
}

function parseIntArg(min: number, max: number): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

/** Entry point; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => { code = c; });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    throw err;
  }
  return code;
}
