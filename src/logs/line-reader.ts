import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/**
 * Streams a text log line by line, plain or gzip (vm-support rotates vmkernel.log into
 * vmkernel.0.gz, vmkernel.1.gz...; detected by the 1f 8b magic, not the name). Memory is bounded:
 * a line longer than maxLineBytes is cut there (counted), the rest of it skipped. CRLF and a
 * last line without a newline are handled.
 */
export interface LineReadSummary {
  compressed: boolean;
  /** Lines delivered. */
  lines: number;
  /** Lines cut at maxLineBytes. */
  longLines: number;
  /** Bytes read from the file (compressed bytes for gzip). */
  bytesRead: number;
  /** Set when the file could not be read completely; lines before it were delivered. */
  error: { message: string; offset: number } | null;
}

export const MAX_LINE_BYTES = 64 * 1024;

export async function readLines(path: string, onLine: (line: string, lineNo: number) => void, maxLineBytes = MAX_LINE_BYTES): Promise<LineReadSummary> {
  const summary: LineReadSummary = { compressed: false, lines: 0, longLines: 0, bytesRead: 0, error: null };
  const buf = Buffer.allocUnsafe(maxLineBytes);
  let used = 0;
  let skipping = false;
  let textBytes = 0;

  const emit = (): void => {
    let end = used;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    summary.lines++;
    onLine(buf.toString('utf8', 0, end), summary.lines);
    used = 0;
  };
  const feed = (chunk: Buffer): void => {
    textBytes += chunk.length;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const stop = nl < 0 ? chunk.length : nl;
      if (!skipping) {
        const take = Math.min(stop - start, maxLineBytes - used);
        chunk.copy(buf, used, start, start + take);
        used += take;
        if (take < stop - start) { skipping = true; summary.longLines++; }
      }
      if (nl < 0) break;
      emit();
      skipping = false;
      start = nl + 1;
    }
  };

  await new Promise<void>((resolve) => {
    const raw = createReadStream(path, { highWaterMark: 1 << 20 });
    let decided = false;
    let gunzip: ReturnType<typeof createGunzip> | null = null;
    const fail = (message: string): void => {
      if (summary.error === null) summary.error = { message, offset: summary.bytesRead };
    };
    let finished = false;
    const finish = (): void => { if (finished) return; finished = true; if (used > 0) emit(); resolve(); };
    raw.on('error', (err) => { fail(`${path}: ${err.message}`); gunzip?.destroy(); finish(); });
    raw.on('data', (chunk: string | Buffer) => {
      const b = chunk as Buffer;
      summary.bytesRead += b.length;
      if (!decided) {
        decided = true;
        if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
          summary.compressed = true;
          gunzip = createGunzip();
          gunzip.on('data', (d: Buffer) => feed(d));
          gunzip.on('error', (err) => {
            fail(`${path}: the gzip data is cut off or corrupt after ${textBytes} decompressed bytes (${err.message}); lines before it were read`);
            raw.destroy();
            finish();
          });
          gunzip.on('end', finish);
        }
      }
      if (gunzip === null) feed(b);
      else if (!gunzip.write(b)) { raw.pause(); gunzip.once('drain', () => raw.resume()); }
    });
    raw.on('end', () => { if (gunzip) gunzip.end(); else finish(); });
  });
  return summary;
}
