/** The worker-thread SHA-256 must equal sha256sum's digest, and fail soft on unreadable paths. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../src/analysis/sha256-file.js';

const dir = mkdtempSync(join(tmpdir(), 'vma-sha-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sha256File (worker thread)', () => {
  it('matches sha256sum on a file larger than one read block, and on an empty file', async () => {
    const big = join(dir, 'big.bin');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    writeFileSync(big, data);
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    for (const f of [big, empty]) {
      const ref = execFileSync('sha256sum', [f], { encoding: 'utf8' }).split(' ')[0];
      expect(await sha256File(f)).toBe(ref);
    }
  });

  it('resolves null for a missing file or a directory', async () => {
    expect(await sha256File(join(dir, 'nope.pcap'))).toBeNull();
    expect(await sha256File(dir)).toBeNull();
  });
});
