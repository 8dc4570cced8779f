import Table from 'cli-table3';
import { Analyzer } from '../analysis/analyzer.js';
import { buildResult } from '../analysis/build-result.js';
import { attachStandardAnalyses } from '../analysis/standard-analyses.js';
import { headerCutLength } from '../evidence/header-cut.js';
import { PcapngRecorder } from '../record/pcapng-recorder.js';
import { defaultLiveFilter, LiveCapture, LiveCaptureError } from '../source/live-capture.js';
import { analyzerOptionsFrom, failOnExit, renderReport, writeReport, type AnalyzeCliOptions } from './analyze-command.js';
import { renderLiveLine, renderLiveScreen } from './live-view.js';
import { runEvidence } from './evidence-command.js';
import { prepareOutDir } from '../evidence/bundle.js';
import { tuneV8 } from './v8-tuning.js';

export interface LiveCliOptions extends Omit<AnalyzeCliOptions, 'point' | 'progress' | 'vmkernelLog' | 'logOffset'> {
  interface?: string;
  list?: boolean;
  snaplen: number;
  bufferSize: number;
  promisc: boolean;
  immediate?: boolean;
  bpf?: string;
  duration?: number;
  packets?: number;
  write?: string;
  ring?: { fileBytes: number; files: number };
  fullPayload?: boolean;
  view: boolean;
  refresh: number;
  /** Write an evidence bundle from the --write recording when the capture ends. */
  evidence?: string;
  force?: boolean;
  redact?: boolean;
}

/** `--ring 100,10`: files of 100 MB, keep 10. */
export function parseRing(value: string): { fileBytes: number; files: number } {
  const m = /^(\d+(?:\.\d+)?)\s*,\s*(\d+)$/.exec(value);
  if (!m || Number(m[1]) <= 0 || Number(m[2]) < 1) throw new Error('--ring expects SIZE_MB,COUNT, e.g. --ring 100,10');
  return { fileBytes: Math.round(Number(m[1]) * 1e6), files: Number(m[2]) };
}

/** `live`: capture, show the live view, print the final report. Returns the exit code. */
export async function runLive(o: LiveCliOptions): Promise<number> {
  const avail = LiveCapture.isAvailable();
  if (!avail.ok) {
    process.stderr.write(`vmotion-analyzer live: ${avail.reason}\n`);
    return 3;
  }
  tuneV8(); // live capture runs no decode worker whose start-up it could slow
  if (o.list) {
    const t = new Table({ head: ['Interface', 'Description', 'Addresses', 'State'], style: { head: [], border: [] } });
    for (const i of LiveCapture.listInterfaces()) {
      t.push([i.name, i.description ?? '', i.addresses.join('\n'), [i.up ? 'up' : 'down', i.running ? 'running' : '', i.loopback ? 'loopback' : ''].filter(Boolean).join(', ')]);
    }
    process.stdout.write(`${t.toString()}\n`);
    return 0;
  }
  if (!o.interface) {
    process.stderr.write('vmotion-analyzer live: name the interface with -i IFACE (list them with: vmotion-analyzer live --list)\n');
    return 2;
  }
  if (o.evidence && (!o.write || o.ring)) {
    process.stderr.write('vmotion-analyzer live: --evidence DIR needs --write FILE (one file, no --ring): the bundle is cut from that recording\n');
    return 2;
  }
  if (o.evidence) {
    try { prepareOutDir(o.evidence, [o.write!], !!o.force); } catch (err) {
      process.stderr.write(`vmotion-analyzer live: ${(err as Error).message}\n`);
      return 2;
    }
  }
  let options;
  try {
    options = analyzerOptionsFrom({ ...o, progress: false });
  } catch (err) {
    process.stderr.write(`vmotion-analyzer: ${(err as Error).message}\n`);
    return 2;
  }
  const analyzer = new Analyzer(options);
  const enrichers = attachStandardAnalyses(analyzer);
  const device = o.interface;
  const index = analyzer.addInput({ path: `live:${device}`, point: `live:${device}`, sha256: null, sizeBytes: null });

  let recorder: PcapngRecorder | null = null;
  let capture: LiveCapture;
  let stopRequested: (() => void) | null = null;
  const stopped = new Promise<void>((resolve) => { stopRequested = resolve; });
  let frames = 0;
  const limit = o.packets ?? Infinity;
  const statsNow = () => { const s = capture.stats(); return { ifRecv: s.received, ifDrop: s.ifDropped, osDrop: s.dropped }; };
  const keepBytes = o.fullPayload ? (f: { capturedLength: number }) => f.capturedLength : (f: Parameters<typeof headerCutLength>[0]) => headerCutLength(f, analyzer.lastPacket);
  try {
    capture = new LiveCapture({
      device, snaplen: o.snaplen, bufferSize: o.bufferSize, promiscuous: o.promisc, immediate: !!o.immediate,
      filter: o.bpf ?? defaultLiveFilter([...options.vmotionPorts, ...options.nfcPorts]), inputIndex: index,
    }, (frame) => {
      if (frames >= limit) return;
      analyzer.onFrame(frame);
      recorder?.write(frame, statsNow);
      if (++frames >= limit) stopRequested?.();
    });
    capture.start();
  } catch (err) {
    process.stderr.write(`vmotion-analyzer live: ${err instanceof LiveCaptureError || err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof LiveCaptureError && err.code === 'BAD_OPTION' ? 2 : 3;
  }
  analyzer.finishInput(index, capture.summary);
  // Batches reach JavaScript through the event loop, so none can arrive before this synchronous
  // block ends: the recorder (which needs the link type libpcap reported) misses no frame.
  if (o.write) {
    try {
      recorder = new PcapngRecorder({
        path: o.write, linkType: capture.summary.interfaces[0].linkType, snaplen: capture.summary.interfaces[0].snaplen,
        interfaceName: device, keepBytes, ring: o.ring ?? null, userAppl: 'vmotion-analyzer live',
      });
    } catch (err) {
      await capture.stop();
      process.stderr.write(`vmotion-analyzer live: cannot write ${o.write}: ${(err as Error).message}\n`);
      return 3;
    }
  }

  const started = Date.now();
  const tty = !!process.stdout.isTTY;
  const showView = o.view;
  const refresh = setInterval(() => {
    if (!showView) return;
    const result = buildResult(analyzer, enrichers);
    const s = capture.stats();
    const st = { device, elapsedSeconds: (Date.now() - started) / 1000, packets: frames, dropped: s.dropped + s.ifDropped, writing: recorder?.currentPath ?? null };
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${renderLiveScreen(result, st)}`);
    else process.stderr.write(renderLiveLine(result, st));
  }, Math.max(100, o.refresh * 1000));
  const onSignal = () => stopRequested?.();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = o.duration ? setTimeout(() => stopRequested?.(), o.duration * 1000) : null;
  const ended = capture.done.then(() => undefined, () => undefined);

  await Promise.race([stopped, ended]);
  clearInterval(refresh);
  if (timer) clearTimeout(timer);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  let failure: unknown = null;
  try { await capture.stop(); } catch (err) { failure = err; }
  const final = capture.stats();
  recorder?.close({ ifRecv: final.received, ifDrop: final.ifDropped, osDrop: final.dropped });
  if (tty && showView) process.stdout.write('\x1b[H\x1b[2J');

  const result = buildResult(analyzer, enrichers);
  if (!writeReport(renderReport(result, o), o.output)) return 3;
  if (recorder) process.stderr.write(`vmotion-analyzer live: wrote ${recorder.packets} packets to ${recorder.files.join(', ')}${o.fullPayload ? '' : ' (headers only)'}\n`);
  if (failure !== null) {
    process.stderr.write(`vmotion-analyzer live: capture failed: ${(failure as Error).message ?? failure}\n`);
    return 3;
  }
  if (o.evidence) {
    // The recording holds every captured frame in order, so its analysis is the live one (tested);
    // the bundle is cut from it exactly as `evidence` does from any capture file.
    const code = await runEvidence([o.write!], {
      out: o.evidence, force: !!o.force, redact: !!o.redact, port: o.port, nfcPort: o.nfcPort, gap: o.gap,
      interval: o.interval, hostMap: o.hostMap, progress: false,
    }, process.argv.slice(1));
    if (code !== 0) return code;
  }
  return failOnExit(result, o.failOn);
}
