#!/usr/bin/env node
// vMotion-like traffic generator for the namespace lab (plain JS, no build step).
//
//   node traffic.mjs run --src-ns NS --dst-ns NS --src-ip IP --dst-ip IP --manifest OUT.json [options]
//   node traffic.mjs agent            (internal: started by `run` inside a namespace via `ip netns exec`)
//
// A Node process cannot switch network namespace, so `run` (root namespace) starts one agent per host
// namespace and drives them over stdin/stdout (one JSON object per line). Agents only ever talk to the
// addresses they are given, which are the lab hosts inside our own namespaces.
//
// Scenarios (--scenario):
//   vmotion  (default) per migration: source opens a big "memory" stream and a smaller one to dst:8000,
//            the destination opens one stream to src:8000 with a little data both ways; all close with
//            FIN. Noise: ping, a TCP 902 (NFC) transfer before, a TCP 9000 transfer between migrations.
//   refused  nothing listens on dst:8000: --attempts SYNs answered by RST.
//   silent   --target-ip never answers: --attempts connects time out after unanswered SYNs.
//
// The manifest records, for every stream, client/server ip:port as actually bound, bytes each way (as
// counted by both ends and checked equal), and start/end times, so tests can hold captures to it.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const CHUNK = Buffer.alloc(64 * 1024, 0x5a); // payload content is irrelevant (vMotion payload is opaque)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Dual-stack listeners report IPv4 peers as ::ffff:a.b.c.d; manifests use the plain address.
const plain = (a) => (typeof a === 'string' && a.startsWith('::ffff:') ? a.slice(7) : a);

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}' (options are --name value)`);
    const k = a.slice(2);
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) out[k] = true;
    else { out[k] = v; i++; }
  }
  return out;
}

// Wait for 'drain' (or 'close'), removing both listeners afterwards so long transfers do not pile up
// listeners on the socket.
function drainOrClose(sock) {
  return new Promise((resolve) => {
    const done = () => { sock.off('drain', done); sock.off('close', done); resolve(); };
    sock.on('drain', done);
    sock.on('close', done);
  });
}

async function writeBytes(sock, n) {
  let left = n;
  while (left > 0 && !sock.destroyed) {
    const k = Math.min(left, CHUNK.length);
    const ok = sock.write(k === CHUNK.length ? CHUNK : CHUNK.subarray(0, k));
    left -= k;
    if (!ok) await drainOrClose(sock);
  }
  return n - left;
}

// ---------------------------------------------------------------- agent (inside a namespace)
async function agent(opts) {
  const maxMs = Number(opts['max-seconds'] ?? 180) * 1000;
  // Hard stop so an agent can never outlive a broken run.
  setTimeout(() => { process.stderr.write('traffic agent: max-seconds reached, exiting\n'); process.exit(3); }, maxMs).unref();
  const servers = [];
  const records = [];
  const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

  const ops = {
    async listen({ port, replyBytes = 0 }) {
      const server = net.createServer({ allowHalfOpen: true }, (sock) => {
        const rec = {
          listenPort: port, local: plain(sock.localAddress), localPort: sock.localPort,
          remote: plain(sock.remoteAddress), remotePort: sock.remotePort,
          start: Date.now() / 1000, received: 0, sent: 0, end: null, error: null,
        };
        sock.on('data', (d) => { rec.received += d.length; });
        // Reply only after the client's FIN, so each direction's byte count is exact and finished.
        sock.on('end', async () => { rec.sent = await writeBytes(sock, replyBytes); sock.end(); });
        sock.on('error', (e) => { rec.error = e.code ?? String(e); });
        sock.on('close', () => { rec.end = Date.now() / 1000; records.push(rec); });
      });
      server.listen({ port, host: '::', ipv6Only: false });
      await once(server, 'listening');
      servers.push(server);
      return { port };
    },
    async connect({ host, port, sendBytes = 0, timeoutMs = 60000, localPort }) {
      const res = {
        local: null, localPort: null, remote: host, remotePort: port, sent: 0, received: 0,
        start: Date.now() / 1000, connected: null, end: null, outcome: 'ok', error: null,
      };
      const sock = net.connect({ host, port, ...(localPort ? { localPort } : {}) });
      sock.setTimeout(timeoutMs);
      sock.on('timeout', () => { res.outcome = 'timeout'; sock.destroy(); });
      sock.on('error', (e) => {
        res.error = e.code ?? String(e);
        if (res.outcome === 'ok') res.outcome = e.code === 'ECONNREFUSED' ? 'refused' : 'error';
      });
      sock.on('data', (d) => { res.received += d.length; });
      sock.on('connect', async () => {
        res.connected = Date.now() / 1000;
        res.local = plain(sock.localAddress); res.localPort = sock.localPort;
        res.remote = plain(sock.remoteAddress); res.remotePort = sock.remotePort;
        res.sent = await writeBytes(sock, sendBytes);
        sock.end(); // FIN after the exact byte count; the peer replies, then FINs too
      });
      // Not events.once: it rejects on 'error', and a refused connect is a result here, not a failure.
      await new Promise((r) => sock.once('close', r));
      res.end = Date.now() / 1000;
      if (res.localPort === null && localPort) res.localPort = localPort;
      return res;
    },
    async report() { return { records: records.splice(0) }; },
    async stop() {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(() => r()))));
      setTimeout(() => process.exit(0), 50);
      return {};
    },
  };

  const rl = createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    let msg;
    try { msg = JSON.parse(line); } catch { send({ id: null, error: `bad command line: ${line}` }); return; }
    try {
      const fn = ops[msg.op];
      if (!fn) throw new Error(`unknown op '${msg.op}'`);
      send({ id: msg.id, ok: true, ...(await fn(msg)) });
    } catch (e) {
      send({ id: msg.id, ok: false, error: String(e?.message ?? e) });
    }
  });
  rl.on('close', () => process.exit(0));
}

// ---------------------------------------------------------------- run (root namespace)
function startAgent(ns, maxSeconds) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, SELF, 'agent', '--max-seconds', String(maxSeconds)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map();
  let next = 1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    let msg;
    try { msg = JSON.parse(line); } catch { process.stderr.write(`agent ${ns}: ${line}\n`); return; }
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg); else p.reject(new Error(`agent in ${ns}: ${msg.error}`));
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`agent in ${ns} exited (${code}) before answering`));
    pending.clear();
  });
  return {
    ns, child,
    call(op, args = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
      });
    },
  };
}

function runPing(ns, target, count) {
  return new Promise((resolve) => {
    const p = spawn('ip', ['netns', 'exec', ns, 'timeout', '10', 'ping', '-n', '-c', String(count), '-i', '0.2', '-W', '1', target], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('close', (code) => {
      const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
      resolve({ transmitted: m ? Number(m[1]) : null, received: m ? Number(m[2]) : null, exitCode: code });
    });
  });
}

const iso = (t) => (t == null ? null : new Date(t * 1000).toISOString());

async function run(o) {
  for (const k of ['src-ns', 'dst-ns', 'src-ip', 'dst-ip', 'manifest']) {
    if (!o[k]) throw new Error(`missing --${k}; see the header of scripts/lab/traffic.mjs`);
  }
  const scenario = o.scenario ?? 'vmotion';
  const num = (k, d) => (o[k] === undefined ? d : Number(o[k]));
  const cfg = {
    migrations: num('migrations', 2), gapS: num('gap-s', 3),
    memoryBytes: num('memory-bytes', 40 * 1024 * 1024), smallBytes: num('small-bytes', 4 * 1024 * 1024),
    reverseBytes: num('reverse-bytes', 16 * 1024), reverseReplyBytes: num('reverse-reply-bytes', 48 * 1024),
    nfcBytes: num('nfc-bytes', 256 * 1024), nfcReplyBytes: num('nfc-reply-bytes', 4 * 1024),
    noise9000Bytes: num('noise9000-bytes', 1024 * 1024), pingCount: num('ping-count', 3),
    attempts: num('attempts', 3), connectTimeoutS: num('connect-timeout-s', 4),
  };
  const maxSeconds = num('timeout-s', 150);
  const overall = setTimeout(() => { process.stderr.write('traffic.mjs: --timeout-s reached, aborting\n'); process.exit(4); }, maxSeconds * 1000);
  overall.unref();

  const srcIp = o['src-ip'], dstIp = o['dst-ip'];
  const src = startAgent(o['src-ns'], maxSeconds + 5);
  const dst = startAgent(o['dst-ns'], maxSeconds + 5);
  const clientRecs = []; // {rec, meta}
  const noise = [];
  const migrations = [];
  const t0 = Date.now() / 1000;

  const connect = async (agentH, fromIp, host, port, sendBytes, meta, extra = {}) => {
    const rec = await agentH.call('connect', { host, port, sendBytes, ...extra });
    clientRecs.push({ rec, meta: { ...meta, clientIp: fromIp } });
    return rec;
  };

  try {
    if (scenario === 'vmotion') {
      await dst.call('listen', { port: 8000, replyBytes: 0 });
      await dst.call('listen', { port: 902, replyBytes: cfg.nfcReplyBytes });
      await dst.call('listen', { port: 9000, replyBytes: 0 });
      await src.call('listen', { port: 8000, replyBytes: cfg.reverseReplyBytes });

      const ping = await runPing(o['src-ns'], dstIp, cfg.pingCount);
      noise.push({ kind: 'icmp-echo', from: srcIp, to: dstIp, ...ping });
      // --nfc-bytes 0 skips it (lab-mtu: the first bulk flow takes the frag-needed, and that should be 8000).
      if (cfg.nfcBytes > 0) await connect(src, srcIp, dstIp, 902, cfg.nfcBytes, { role: 'nfc-902', migration: null });
      await sleep(500);

      let lastEnd = null;
      for (let m = 1; m <= cfg.migrations; m++) {
        if (lastEnd !== null) {
          const wait = lastEnd + cfg.gapS - Date.now() / 1000;
          if (wait > 0) await sleep(wait * 1000);
        }
        const start = Date.now() / 1000;
        const memory = connect(src, srcIp, dstIp, 8000, cfg.memoryBytes, { role: 'memory', migration: m });
        const small = connect(src, srcIp, dstIp, 8000, cfg.smallBytes, { role: 'small', migration: m });
        await sleep(50);
        // The destination opens a stream to the source's 8000 as well (field notes): direction must
        // come from bulk bytes, not from who sent the SYN.
        const reverse = connect(dst, dstIp, srcIp, 8000, cfg.reverseBytes, { role: 'reverse', migration: m });
        const recs = await Promise.all([memory, small, reverse]);
        const end = Date.now() / 1000;
        migrations.push({ index: m, source: srcIp, destination: dstIp, start, end, startIso: iso(start), endIso: iso(end),
          durationS: +(end - start).toFixed(3), streamRoles: ['memory', 'small', 'reverse'],
          bytesSourceToDestination: recs[0].sent + recs[1].sent + recs[2].received,
          bytesDestinationToSource: recs[0].received + recs[1].received + recs[2].sent });
        lastEnd = end;
        if (m === 1 && cfg.migrations > 1) {
          await sleep(700);
          await connect(src, srcIp, dstIp, 9000, cfg.noise9000Bytes, { role: 'noise-9000', migration: null });
        }
      }
      await sleep(300);
    } else if (scenario === 'refused' || scenario === 'silent') {
      const target = scenario === 'silent' ? (o['target-ip'] ?? dstIp) : dstIp;
      if (scenario === 'silent' && !o['target-ip']) throw new Error('--scenario silent needs --target-ip (lab.sh --silent prints SILENT_IP)');
      const ping = await runPing(o['src-ns'], dstIp, cfg.pingCount);
      noise.push({ kind: 'icmp-echo', from: srcIp, to: dstIp, ...ping });
      for (let a = 1; a <= cfg.attempts; a++) {
        // Bind the local port ourselves: a refused/timed-out socket never reports the one it got.
        const localPort = 41000 + a * 7 + Math.floor(Math.random() * 1000) * 10;
        const rec = await connect(src, srcIp, target, 8000, 0, { role: `attempt-${a}`, migration: 1 },
          { timeoutMs: cfg.connectTimeoutS * 1000, localPort });
        if (rec.outcome === 'ok') throw new Error(`${scenario}: connect to ${target}:8000 unexpectedly succeeded`);
        await sleep(300);
      }
      migrations.push({ index: 1, source: srcIp, destination: target, failed: true, outcome: scenario });
    } else {
      throw new Error(`unknown --scenario '${scenario}' (vmotion | refused | silent)`);
    }

    const serverRecs = [...(await src.call('report')).records, ...(await dst.call('report')).records];
    const streams = [];
    let id = 0;
    for (const { rec, meta } of clientRecs) {
      const srv = serverRecs.find((s) => s.remotePort === rec.localPort && s.remote === rec.local && s.localPort === rec.remotePort);
      if (rec.outcome === 'ok') {
        if (!srv) throw new Error(`no server record for ${rec.local}:${rec.localPort} -> ${rec.remote}:${rec.remotePort}`);
        if (srv.received !== rec.sent || srv.sent !== rec.received) {
          throw new Error(`byte mismatch on ${rec.local}:${rec.localPort}->${rec.remote}:${rec.remotePort}: client sent ${rec.sent}/got ${rec.received}, server got ${srv.received}/sent ${srv.sent}`);
        }
      }
      streams.push({
        id: ++id, role: meta.role, migration: meta.migration, protocol: 'tcp', outcome: rec.outcome,
        client: { ip: rec.local ?? meta.clientIp, port: rec.localPort },
        server: { ip: rec.remote, port: rec.remotePort },
        bytesClientToServer: rec.sent, bytesServerToClient: rec.received,
        start: rec.start, end: rec.end, startIso: iso(rec.start), endIso: iso(rec.end),
        ...(rec.error && rec.outcome !== 'ok' ? { error: rec.error } : {}),
      });
    }
    const manifest = {
      schema: 'vmotion-lab-manifest/1',
      generatedBy: 'scripts/lab/traffic.mjs',
      scenario,
      config: cfg,
      hosts: { source: { ns: o['src-ns'], ip: srcIp }, destination: { ns: o['dst-ns'], ip: dstIp } },
      runStart: t0, runStartIso: iso(t0),
      migrations,
      streams,
      noise,
      ...(o.meta ? JSON.parse(o.meta) : {}),
    };
    writeFileSync(o.manifest, JSON.stringify(manifest, null, 2) + '\n');
    process.stderr.write(`traffic.mjs: ${streams.length} streams, ${migrations.length} migration(s) -> ${o.manifest}\n`);
  } finally {
    await Promise.allSettled([src.call('stop'), dst.call('stop')]);
    for (const a of [src, dst]) { a.child.stdin.end(); }
  }
}

const [mode, ...rest] = process.argv.slice(2);
const opts = parseArgs(rest);
if (mode === 'agent') {
  agent(opts);
} else if (mode === 'run') {
  run(opts).then(() => process.exit(0), (e) => { process.stderr.write(`traffic.mjs: ${e.message}\n`); process.exit(1); });
} else {
  process.stderr.write('usage: node traffic.mjs run --src-ns NS --dst-ns NS --src-ip IP --dst-ip IP --manifest OUT.json [...]\n');
  process.exit(2);
}
