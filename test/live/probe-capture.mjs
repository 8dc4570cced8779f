// Runs inside the receiver's network namespace: captures on --device with LiveCapture,
// receives one TCP transfer on --port, then stops and prints one JSON line of results.
// Protocol on stdout: "ready" once capturing and listening, then the JSON result.
import net from 'node:net';
import { parseArgs } from 'node:util';
import { LiveCapture } from '../../src/source/live-capture.js';

const { values } = parseArgs({ options: {
  device: { type: 'string' }, port: { type: 'string', default: '8000' }, bytes: { type: 'string' },
  filter: { type: 'string' }, immediate: { type: 'boolean', default: false },
} });
const port = Number(values.port);
const expected = Number(values.bytes);

// Independent of the project's decoders on purpose: Ethernet + IPv4 + TCP by hand.
let payloadToServer = 0, payloadFromServer = 0, tcpFrames = 0, frames = 0;
let nsNonZero = 0, monotonic = true, prevSec = -1, prevNsec = 0, maxOrigLen = 0, maxCapLen = 0;
let offsetsOk = true;
let maxBackNs = 0;
const sink = (f) => {
  frames++;
  if (f.fileOffset !== -1 || f.frameNumber !== frames) offsetsOk = false;
  if (f.tsSec < prevSec || (f.tsSec === prevSec && f.tsNsec < prevNsec)) {
    // The kernel stamps packets per CPU: on several cores a stamp can trail the previous one slightly.
    monotonic = false;
    maxBackNs = Math.max(maxBackNs, (prevSec - f.tsSec) * 1e9 + (prevNsec - f.tsNsec));
  }
  prevSec = f.tsSec; prevNsec = f.tsNsec;
  if (f.tsNsec % 1000 !== 0) nsNonZero++;
  maxOrigLen = Math.max(maxOrigLen, f.originalLength);
  maxCapLen = Math.max(maxCapLen, f.capturedLength);
  const d = f.data, o = f.offset;
  if (f.linkType !== 1 || f.capturedLength < 54) return;
  if (d.readUInt16BE(o + 12) !== 0x0800) return;
  const ip = o + 14;
  const ihl = (d[ip] & 0x0f) * 4;
  if (d[ip + 9] !== 6) return;
  const total = d.readUInt16BE(ip + 2);
  const tcp = ip + ihl;
  const sport = d.readUInt16BE(tcp), dport = d.readUInt16BE(tcp + 2);
  const thl = (d[tcp + 12] >> 4) * 4;
  const payload = total - ihl - thl;
  const seq = d.readUInt32BE(tcp + 4);
  const syn = (d[tcp + 13] & 0x02) !== 0;
  tcpFrames++;
  // Unique bytes from sequence space: a retransmission on a loaded machine must not count twice.
  const dir = dport === port ? toServer : sport === port ? fromServer : null;
  if (dir === null) return;
  if (syn) { dir.isn = seq; return; }
  if (payload <= 0 || dir.isn < 0) return;
  const end = ((seq - dir.isn - 1) >>> 0) + payload;
  if (end > dir.high) dir.high = end;
  if (dport === port) payloadToServer = toServer.high; else payloadFromServer = fromServer.high;
};
const toServer = { isn: -1, high: 0 };
const fromServer = { isn: -1, high: 0 };

const cap = new LiveCapture({ device: values.device, filter: values.filter, immediate: values.immediate }, sink);
cap.start();

let received = 0;
const closed = new Promise((resolve) => {
  const server = net.createServer((sock) => {
    sock.on('data', (b) => { received += b.length; });
    sock.on('end', () => { sock.end(); server.close(); resolve(); });
  });
  server.listen(port, '0.0.0.0', () => console.log('ready'));
});
await closed;
await cap.stop();
await cap.stop();  // idempotent
const stats = cap.stats();
console.log(JSON.stringify({
  received, frames, tcpFrames, payloadToServer, payloadFromServer, nsNonZero, monotonic, maxBackNs, offsetsOk,
  maxOrigLen, maxCapLen, stats, summary: cap.summary, timestampPrecision: cap.timestampPrecision,
}));
