/** Captures a short real TCP transfer on the loopback interface with tcpdump (needs root). */
import { spawn } from 'node:child_process';
import net from 'node:net';

export async function captureLoopback(file: string, packets = 60): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const server = net.createServer((c) => { c.on('data', () => undefined); c.on('end', () => c.end()); c.on('error', () => undefined); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const dump = spawn('tcpdump', ['-U', '-i', 'lo', '-s', '128', '-c', String(packets), '-w', file, `tcp port ${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((r) => dump.on('close', (code) => r(code)));
  const listening = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 5000);
    dump.stderr.on('data', (d: Buffer) => { if (d.toString().includes('listening on')) { clearTimeout(t); resolve(true); } });
    dump.on('error', () => { clearTimeout(t); resolve(false); });
  });
  if (listening) {
    const c = net.connect(port, '127.0.0.1');
    await new Promise<void>((r) => c.on('connect', () => r()));
    // Varied segment sizes (some above the 128-byte snaplen, so some frames are truncated).
    for (let i = 0; i < packets; i++) {
      c.write(Buffer.alloc(20 + i * 53, i));
      await new Promise((r) => setTimeout(r, 1));
    }
    c.end();
  }
  // Bounded: tcpdump stops by itself after `packets`; interrupt it if traffic fell short.
  const guard = setTimeout(() => dump.kill('SIGINT'), 4000);
  const code = await exited;
  clearTimeout(guard);
  server.close();
  return listening && (code === 0 || code === null);
}
