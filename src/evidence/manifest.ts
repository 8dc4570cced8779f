/**
 * manifest.json: what produced the bundle and the SHA-256 of every input and output, so the
 * reader on the other side of a ticket can check nothing was altered. SHA256SUMS holds the same
 * output hashes (plus manifest.json's) in the format `sha256sum -c` reads.
 */
import { createHash } from 'node:crypto';

export const MANIFEST_VERSION = 1;

export interface ManifestFile { file: string; sha256: string; sizeBytes: number }

export interface Manifest {
  manifestVersion: typeof MANIFEST_VERSION;
  tool: { name: string; version: string };
  commandLine: string[];
  analysedAt: string;
  redacted: boolean;
  /** True when evidence.pcapng keeps payload (--full-payload). */
  fullPayload: boolean;
  inputs: Array<{ path: string; sha256: string | null; sizeBytes: number | null; format: string }>;
  outputs: ManifestFile[];
  evidence: { packets: number; missingCitedFrames: number; leftOutOverBudget: number };
  verify: string;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function describeOutput(file: string, data: Buffer | string): ManifestFile {
  return { file, sha256: sha256Hex(data), sizeBytes: Buffer.byteLength(data) };
}

/** `sha256sum -c` format: hash, two spaces (text mode marker ' '), file name. */
export function sha256sums(files: ManifestFile[]): string {
  return files.map((f) => `${f.sha256}  ${f.file}\n`).join('');
}
