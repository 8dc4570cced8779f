import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { GENERATOR } from '../analysis/build-result.js';
import { runAnalyze } from './analyze-command.js';
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

export function buildProgram(onExitCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('vmotion-analyzer')
    .description('Find VMware vMotion migrations in packet captures: throughput, routed or Layer-2 path, TCP health.')
    .version(GENERATOR.version)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program.command('analyze')
    .description('analyse capture files (pcap, pcapng, gzip-compressed; "-" reads standard input)')
    .argument('<files...>', 'capture files')
    .option('--port <port>', 'vMotion TCP port (repeatable; default 8000)', parsePort)
    .option('--nfc-port <port>', 'NFC/provisioning TCP port reported apart (repeatable; default 902)', parsePort)
    .option('--gap <seconds>', 'streams of one host pair starting within this idle gap join one migration', parsePositiveSeconds, 1)
    .option('--interval <seconds>', 'throughput series interval', parsePositiveSeconds, 1)
    .option('--point <name=files>', 'capture point of files (repeatable): pieces of one capture share a point, e.g. --point esx-a=a1.pcap,a2.pcap', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--host-map <file>', 'which vmknic IPs belong to one host (multi-NIC vMotion): lines "HOST IP [IP...]" or JSON')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'csv', 'markdown', 'html']).default('table'))
    .option('--streams', 'CSV: one row per stream instead of per migration')
    .option('-v, --verbose', 'table: list every stream')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('--no-progress', 'no progress display on stderr')
    .addOption(new Option('--fail-on <condition>', 'exit 4 when a migration meets the condition (routed: its path verdict is routed)').choices(['routed']))
    .action(async (files: string[], o) => {
      onExitCode(await runAnalyze(files, o));
    });

  program.command('evidence')
    .description('write an evidence bundle for a support ticket: report.html, report.md, report.json, evidence.pcapng (headers only), manifest.json')
    .argument('<files...>', 'capture files (read twice: standard input is not accepted)')
    .requiredOption('--out <dir>', 'bundle directory (created; an existing non-empty one needs --force)')
    .option('--force', 'replace the bundle files in an existing directory')
    .option('--redact', 'consistent pseudonyms for IP and MAC addresses in every file (MAC vendor prefix and subnet relations kept)')
    .option('--full-payload', 'keep captured payload in evidence.pcapng (default: headers only; vMotion payload is guest memory)')
    .option('--port <port>', 'vMotion TCP port (repeatable; default 8000)', parsePort)
    .option('--nfc-port <port>', 'NFC/provisioning TCP port reported apart (repeatable; default 902)', parsePort)
    .option('--gap <seconds>', 'streams of one host pair starting within this idle gap join one migration', parsePositiveSeconds, 1)
    .option('--interval <seconds>', 'throughput series interval', parsePositiveSeconds, 1)
    .option('--point <name=files>', 'capture point of files (repeatable), as for analyze', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .option('--host-map <file>', 'which vmknic IPs belong to one host (multi-NIC vMotion)')
    .option('--no-progress', 'no progress display on stderr')
    .action(async (files: string[], o, cmd: Command) => {
      // The manifest records the command line as given (argv after the node binary).
      const raw = (cmd.parent as unknown as { rawArgs?: string[] } | null)?.rawArgs ?? process.argv;
      onExitCode(await runEvidence(files, o, raw.slice(1)));
    });
  return program;
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
