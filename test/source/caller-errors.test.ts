/**
 * An exception from readCapture's sink or callbacks belongs to the caller (the analysis), not to
 * the file: readCapture throws it back as it was, for plain and gzip input, instead of reporting a
 * "read error" of a capture that is fine. With a decode worker the analysis' exception already
 * ended the run; both paths now do the same (test/cli/threads.test.ts compares them).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/source/read-capture.js';
import { ethTcpFrame, pcapFile } from './capture-writer.js';

let dir = '';
let plain = '';
let gz = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vma-caller-'));
  const bytes = pcapFile({ le: true, nanos: false, linkTypeField: 1, snaplen: 65535 },
    [0, 1, 2, 3, 4, 5].map((i) => ({ sec: 1_700_000_000 + i, frac: 0, data: ethTcpFrame(80, i) })));
  plain = join(dir, 'six.pcap');
  gz = join(dir, 'six.pcap.gz');
  writeFileSync(plain, bytes);
  writeFileSync(gz, gzipSync(bytes));
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

describe('readCapture and its caller', () => {
  for (const which of ['plain', 'gzip'] as const) {
    it(`throws the sink's own error back (${which})`, async () => {
      const boom = new Error('analysis bug');
      let seen = 0;
      const run = readCapture(which === 'plain' ? plain : gz, () => { if (++seen === 3) throw boom; }, { inputIndex: 0 });
      await expect(run).rejects.toBe(boom);
      expect(seen).toBe(3);
    });

    it(`throws a progress callback's error back (${which})`, async () => {
      const boom = new Error('progress bug');
      const run = readCapture(which === 'plain' ? plain : gz, () => undefined, { inputIndex: 0, onProgress: () => { throw boom; } });
      await expect(run).rejects.toBe(boom);
    });
  }

  it('still reports a damaged file in the summary, with the frames before the damage', async () => {
    const cut = join(dir, 'cut.pcap');
    const bytes = pcapFile({ le: true, nanos: false, linkTypeField: 1, snaplen: 65535 },
      [0, 1, 2].map((i) => ({ sec: 1_700_000_000 + i, frac: 0, data: ethTcpFrame(80, i) })));
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    let frames = 0;
    const summary = await readCapture(cut, () => { frames++; }, { inputIndex: 0 });
    expect(frames).toBe(2);
    expect(summary.errors.length).toBeGreaterThan(0);
  });
});
