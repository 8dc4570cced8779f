import { readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { newInputSummary, type InputSummary } from './capture-source.js';
import type { FrameSink } from './frame.js';
import type { PcapRecordRuns } from './pcap-reader.js';
import { CaptureParser } from './capture-parser.js';

export interface ReadCaptureOptions {
  inputIndex: number;
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  chunkSize?: number;
  /**
   * Called whenever the bytes of the frames delivered so far may change next (see CaptureParser):
   * until then a sink may keep frame.data/offset and decode them in a batch.
   */
  onRelease?: () => void;
  /**
   * Read file chunks with blocking reads on this thread instead of libuv's thread pool. For a decode
   * worker (nothing else runs on its thread): a pooled read needs a third thread scheduled on two
   * busy cores, and was seen taking 1-7 ms for 1 MiB from the page cache, starving the analysis.
   */
  syncReads?: boolean;
  /** Frames and consumes runs of classic pcap records itself (the decode worker's native packer). */
  pcapRuns?: PcapRecordRuns;
}

const DEFAULT_CHUNK = 1024 * 1024;

/**
 * An exception from the caller's sink or callbacks (the analysis), not from reading the file.
 * readCapture rethrows the caller's own error: a bug in the analysis must not be reported as a
 * damaged input, and it then ends the run as it does when the analysis reads a decode worker's
 * records (src/decode/read-decoded.ts).
 */
class CallerError {
  constructor(readonly error: unknown) {}
}

/**
 * Reads one capture file ('-' = standard input), plain or gzip-compressed (detected by the 1f 8b
 * magic, inflated as a stream), and hands every frame to `sink`. Never throws for input problems:
 * they end up in summary.errors. An exception from `sink` or a callback is the caller's, and is
 * thrown back as it was. onProgress reports raw (compressed) bytes read from the file.
 */
export async function readCapture(path: string, sink: FrameSink, opts: ReadCaptureOptions): Promise<InputSummary> {
  const summary = newInputSummary(path);
  const chunkSize = Math.max(4096, opts.chunkSize ?? DEFAULT_CHUNK);
  // Kept here, not only thrown: a stream pipeline (gzip) replaces the error it was stopped with.
  let callerFailure: CallerError | null = null;
  const failed = (err: unknown): CallerError => (callerFailure = new CallerError(err));
  const callerSink: FrameSink = (frame) => {
    try { sink(frame); } catch (err) { throw failed(err); }
  };
  const release = opts.onRelease;
  const callerRelease = release === undefined ? undefined : (): void => {
    try { release(); } catch (err) { throw failed(err); }
  };
  const progress = opts.onProgress;
  const onProgress = (bytesRead: number, totalBytes: number | null): void => {
    try { progress?.(bytesRead, totalBytes); } catch (err) { throw failed(err); }
  };
  const parser = new CaptureParser(summary, opts.inputIndex, callerSink, callerRelease, opts.pcapRuns ?? null);
  let fh: FileHandle | null = null;
  let rawRead = 0;
  let total: number | null = null;
  let source: AsyncIterable<Buffer>;
  try {
    if (path === '-') {
      source = process.stdin;
    } else {
      fh = await open(path, 'r');
      const st = await fh.stat();
      if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      total = st.isFile() ? st.size : null;
      source = fileChunks(fh, chunkSize, opts.syncReads === true);
    }
  } catch (err) {
    await fh?.close().catch(() => undefined);
    summary.errors.push({ message: openErrorMessage(path, err), offset: -1, fatal: true });
    return summary;
  }

  const it = source[Symbol.asyncIterator]();
  let gzipped = false;
  try {
    // Read until the first two bytes are known (a pipe may deliver a single byte), to pick plain or gzip.
    let first: Buffer | null = null;
    while (first === null || first.length < 2) {
      const r = await it.next();
      if (r.done) break;
      if (r.value.length > 0) first = first === null ? Buffer.from(r.value) : Buffer.concat([first, r.value]);
    }
    if (first === null) {
      parser.end();
      return summary;
    }
    rawRead += first.length;
    onProgress(rawRead, total);
    gzipped = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    if (!gzipped) {
      parser.push(first);
      while (!parser.failed) {
        const r = await it.next();
        if (r.done) break;
        rawRead += r.value.length;
        parser.push(r.value);
        onProgress(rawRead, total);
      }
    } else {
      summary.compression = 'gzip';
      // zlib keeps references to its input while the file reader reuses its buffer: copy each chunk.
      const head = first;
      const compressed = Readable.from((async function* () {
        yield Buffer.from(head);
        while (true) {
          const r = await it.next();
          if (r.done) return;
          rawRead += r.value.length;
          onProgress(rawRead, total);
          yield Buffer.from(r.value);
        }
      })(), { objectMode: false });
      const gunzip = createGunzip({ chunkSize });
      try {
        await pipeline(compressed, gunzip, async (inflated: AsyncIterable<Buffer>) => {
          for await (const chunk of inflated) {
            parser.push(chunk);
            if (parser.failed) return; // no point inflating the rest
          }
        });
      } catch (err) {
        if (callerFailure !== null) throw callerFailure;
        if (parser.failed) { parser.end(); return summary; } // stopped on purpose; the parser error says why
        const code = (err as NodeJS.ErrnoException).code;
        const message = code === 'Z_BUF_ERROR' || /unexpected end/i.test(String((err as Error).message))
          ? `${path}: the gzip data ends early (decompressed offset ${summary.bytesRead}): the file was cut off; ` +
            'frames up to that point were read'
          : `${path}: corrupt gzip data after ${summary.bytesRead} decompressed bytes (${(err as Error).message}); ` +
            'frames up to that point were read; re-copy or re-compress the file';
        summary.errors.push({ message, offset: summary.bytesRead, fatal: summary.packets === 0 && summary.bytesRead === 0 });
        if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(String((err as Error).message))) summary.cutOff = true;
      }
    }
    parser.end();
  } catch (err) {
    if (callerFailure !== null) throw (callerFailure as CallerError).error;
    summary.errors.push({
      message: `${path}: read error after ${rawRead} bytes (${(err as Error).message}); frames up to that point were read`,
      offset: summary.bytesRead, fatal: summary.packets === 0,
    });
    parser.end();
  } finally {
    await it.return?.().catch(() => undefined);
  }
  return summary;
}

/**
 * Reads a file in large chunks into one reused buffer (the parser never keeps a pushed chunk).
 * Consumers that keep chunks (the gzip path) copy them.
 */
async function* fileChunks(fh: FileHandle, size: number, sync: boolean): AsyncGenerator<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  try {
    while (true) {
      const bytesRead = sync ? readSync(fh.fd, buf, 0, size, null) : (await fh.read(buf, 0, size, null)).bytesRead;
      if (bytesRead === 0) return;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}

function openErrorMessage(path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return `${path}: no such file: check the path`;
    case 'EACCES': case 'EPERM': return `${path}: permission denied: make the file readable (or run with access to it)`;
    case 'EISDIR': return `${path}: is a directory: give the capture file inside it`;
    default: return `${path}: cannot open (${(err as Error).message}): check the path and permissions`;
  }
}
