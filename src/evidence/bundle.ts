/**
 * The evidence bundle for a support ticket: report.html, report.md, report.json,
 * evidence.pcapng, manifest.json and SHA256SUMS in one directory. Every file is written
 * atomically; an existing bundle is replaced only with `force`; inputs are only read.
 */
import { mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { AnalysisResult } from '../analysis/result.js';
import { linkTypeName } from '../source/link-types.js';
import { renderHtml } from '../report/html-report.js';
import { renderJson } from '../report/json-report.js';
import { renderMarkdown } from '../report/markdown-report.js';
import type { ReportContext } from '../report/report-model.js';
import { writeFileAtomic } from '../report/write-output.js';
import { DEFAULT_SELECTION, packetComment, selectEvidence, type Selection, type SelectionOptions } from './frame-selection.js';
import { describeOutput, MANIFEST_VERSION, sha256sums, type Manifest, type ManifestFile } from './manifest.js';
import { PcapngWriter } from './pcapng-writer.js';
import { Redactor } from './redact.js';

export const BUNDLE_FILES = ['report.html', 'report.md', 'report.json', 'evidence.pcapng', 'manifest.json', 'SHA256SUMS'] as const;

export interface BundleOptions {
  outDir: string;
  force: boolean;
  redact: boolean;
  /** Keep captured payload in evidence.pcapng (off by default: vMotion payload is guest memory). */
  fullPayload?: boolean;
  commandLine: string[];
  selection?: Partial<SelectionOptions>;
  /** Fixed key for reproducible pseudonyms (tests); random otherwise. */
  redactionKey?: Buffer;
  now?: Date;
}

export interface BundleSummary {
  outDir: string;
  files: ManifestFile[];
  selection: Selection;
  manifest: Manifest;
}

/** Thrown for problems the user fixes (existing bundle, output inside the inputs...). */
export class BundleError extends Error {}

/** Refuses to write over an existing bundle (or any non-empty directory) unless forced. */
export function prepareOutDir(outDir: string, inputs: string[], force: boolean): void {
  let entries: string[] | null = null;
  try {
    if (!statSync(outDir).isDirectory()) throw new BundleError(`${outDir} exists and is not a directory: choose another --out`);
    entries = readdirSync(outDir);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new BundleError(`cannot use ${outDir}: ${(err as Error).message}`);
  }
  if (entries && entries.length > 0 && !force) {
    throw new BundleError(`${outDir} is not empty (${entries.slice(0, 4).join(', ')}${entries.length > 4 ? ', …' : ''}): give a new directory, or --force to replace the bundle files in it`);
  }
  if (entries === null) {
    try { mkdirSync(outDir, { recursive: true }); } catch (err) { throw new BundleError(`cannot create ${outDir}: ${(err as Error).message}`); }
  }
  // Never replace an input: an input named like a bundle file inside --out would be overwritten.
  const outs = new Set(BUNDLE_FILES.map((f) => resolve(outDir, f)));
  for (const p of inputs) {
    if (p === '-') continue;
    let real = resolve(p);
    try { real = realpathSync(p); } catch { /* reported by the reader */ }
    if (outs.has(real)) throw new BundleError(`input ${p} would be overwritten by the bundle: choose another --out`);
  }
}

export async function writeEvidenceBundle(paths: string[], analysed: AnalysisResult, opts: BundleOptions): Promise<BundleSummary> {
  prepareOutDir(opts.outDir, paths, opts.force);
  const redactor = opts.redact ? new Redactor(opts.redactionKey) : null;
  const selection = await selectEvidence(analysed, { ...DEFAULT_SELECTION, ...opts.selection, redactor, fullPayload: !!opts.fullPayload });
  const scrub = (s: string): string => (redactor ? redactor.text(s) : s);
  // One redacted result feeds every view, so all files agree on every pseudonym.
  const result: AnalysisResult = redactor ? JSON.parse(scrub(JSON.stringify(analysed))) : analysed;
  const analysedAt = (opts.now ?? new Date()).toISOString();

  const pcap = new PcapngWriter(`${result.generator.name} ${result.generator.version} (evidence)`);
  const ifaces = new Map<string, number>();
  for (const p of selection.packets) {
    const key = `${p.input}/${p.linkType}`;
    let id = ifaces.get(key);
    if (id === undefined) {
      const inp = analysed.inputs[p.input]; // original text, pseudonymised once by scrub()
      id = pcap.addInterface({
        linkType: p.linkType,
        name: scrub(`input ${p.input}: ${basename(analysed.inputs[p.input].path)}`),
        description: scrub(`packets from ${inp.path} (input ${p.input}, ${inp.format}, ${linkTypeName(p.linkType)}, sha256 ${inp.sha256 ?? 'n/a'}); ${opts.fullPayload ? 'full captured bytes' : 'headers only'}`),
        snaplen: inp.snaplen ?? 0,
      });
      ifaces.set(key, id);
    }
    pcap.addPacket({ interfaceId: id, tsSec: p.tsSec, tsNsec: p.tsNsec, data: p.data, originalLength: p.originalLength, comment: scrub(packetComment(p, analysed.inputs[p.input].path)) });
  }

  const ctx: ReportContext = {
    redacted: !!redactor,
    generatedAt: analysedAt,
    evidence: { file: 'evidence.pcapng', packets: selection.packets.length, fullPayload: !!opts.fullPayload, missing: selection.missing, overBudget: selection.overBudget },
    bundleFiles: [...BUNDLE_FILES],
  };
  const contents: Array<[string, Buffer | string]> = [
    ['report.json', renderJson(result)],
    // Rendered from the already pseudonymised result: scrubbing again would map pseudonyms twice.
    ['report.md', renderMarkdown(result, ctx)],
    ['report.html', renderHtml(result, ctx)],
    ['evidence.pcapng', pcap.toBuffer()],
  ];
  const files = contents.map(([f, data]) => describeOutput(f, data));
  const manifest: Manifest = {
    manifestVersion: MANIFEST_VERSION,
    tool: { ...result.generator },
    commandLine: opts.commandLine.map(scrub),
    analysedAt,
    redacted: !!redactor,
    fullPayload: !!opts.fullPayload,
    inputs: result.inputs.map((i) => ({ path: i.path, sha256: i.sha256, sizeBytes: i.sizeBytes, format: i.format })),
    outputs: files,
    evidence: { packets: selection.packets.length, missingCitedFrames: selection.missing.length, leftOutOverBudget: selection.overBudget },
    verify: 'sha256sum -c SHA256SUMS (in this directory); inputs: sha256sum the original capture files and compare with inputs[].sha256',
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const sums = sha256sums([...files, describeOutput('manifest.json', manifestText)]);
  // Outputs first, manifest and sums last: a bundle with SHA256SUMS is complete.
  for (const [f, data] of contents) writeFileAtomic(join(opts.outDir, f), data);
  writeFileAtomic(join(opts.outDir, 'manifest.json'), manifestText);
  writeFileAtomic(join(opts.outDir, 'SHA256SUMS'), sums);
  return { outDir: opts.outDir, files, selection, manifest };
}
