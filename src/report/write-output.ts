import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file atomically: a temporary file beside it, then rename, so a reader never sees a
 * half-written report and a full disk leaves the old file intact.
 */
export function writeFileAtomic(path: string, data: string | Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd >= 0) try { closeSync(fd); } catch { /* already failing */ }
    try { unlinkSync(tmp); } catch { /* nothing to clean */ }
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'ENOSPC' ? ' (disk full: free space or write elsewhere with -o)'
      : e.code === 'EACCES' || e.code === 'EPERM' ? ' (permission denied: choose a writable path with -o)'
        : e.code === 'ENOENT' ? ' (the directory does not exist)' : '';
    throw new Error(`cannot write ${path}: ${e.message}${hint}`);
  }
}
