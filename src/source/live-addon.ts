/**
 * Loads the vma_pcap native addon (libpcap live capture) and turns its failures into
 * errors that tell the user exactly what to do. The addon is optional: it is built at
 * install time only where libpcap headers exist, and offline analysis never needs it.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type LiveErrorCode =
  | 'ADDON_MISSING' | 'PERMISSION' | 'NO_DEVICE' | 'IFACE_NOT_UP' | 'BAD_FILTER' | 'ACTIVATE'
  | 'CREATE' | 'FINDALLDEVS' | 'BAD_OPTION' | 'STATE';

/** A live-capture failure with a message phrased for the user (what happened, what to do). */
export class LiveCaptureError extends Error {
  constructor(readonly code: LiveErrorCode, message: string, readonly detail: string | null = null) {
    super(message);
    this.name = 'LiveCaptureError';
  }
}

export interface NativeInterface {
  name: string; description: string | null; addresses: string[];
  up: boolean; running: boolean; loopback: boolean;
}

export interface NativeCaptureOptions {
  device: string; snaplen: number; bufferSize: number; promiscuous: boolean; immediate: boolean;
  filter: string; timeoutMs: number; flushMs: number;
}

export interface NativeStats { received: number; dropped: number; ifDropped: number; captured: number; batches: number }

/** index >= 0: a batch in buffers[index]; index -1: capture ended (endError set if it failed). */
export type NativeMessage = (index: number, count: number, bytes: number, endError?: string | null) => void;

export interface NativeCapture {
  info(): { linkType: number; snaplen: number; tsPrecision: 'nano' | 'micro'; warning: string | null; libVersion: string };
  start(buffers: Buffer[], onMessage: NativeMessage): void;
  stop(): void;
  close(): void;
  stats(): NativeStats;
}

export interface NativeAddon {
  Capture: new (opts: NativeCaptureOptions) => NativeCapture;
  listInterfaces(): NativeInterface[];
  libVersion(): string;
}

const ADDON_FILE = join('build', 'Release', 'vma_pcap.node');
/** Written by scripts/build-native.mjs when the build failed, so the error can say why. */
const FAILURE_FILE = join('build', 'native-build-failure.txt');

export const INSTALL_ADVICE =
  'Install the libpcap headers and rebuild the addon: `apt-get install libpcap-dev` ' +
  '(RHEL/Fedora: `dnf install libpcap-devel`), then rebuild: `npm rebuild -g vmotion-analyzer` ' +
  '(global install), `npm rebuild vmotion-analyzer` (project dependency) or `npm rebuild` (source checkout). ' +
  'Offline analysis of capture files works without it.';

/** The package root: the nearest ancestor of this module that holds binding.gyp. */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

let cached: NativeAddon | LiveCaptureError | undefined;

export function loadAddon(): NativeAddon {
  if (cached === undefined) cached = tryLoad();
  if (cached instanceof LiveCaptureError) throw cached;
  return cached;
}

function tryLoad(): NativeAddon | LiveCaptureError {
  const root = packageRoot();
  const file = root === null ? null : join(root, ADDON_FILE);
  if (file === null || !existsSync(file)) {
    let why = 'the native libpcap addon was not built when vmotion-analyzer was installed';
    const failure = root === null ? null : join(root, FAILURE_FILE);
    if (failure !== null && existsSync(failure)) {
      const first = readFileSync(failure, 'utf8').split('\n').find((l) => l.trim() !== '');
      if (first) why += ` (${first.trim()})`;
    }
    return new LiveCaptureError('ADDON_MISSING', `Live capture is not available: ${why}. ${INSTALL_ADVICE}`);
  }
  try {
    return createRequire(import.meta.url)(file) as NativeAddon;
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    // Typically libpcap.so missing at run time, or an addon built for another Node ABI.
    return new LiveCaptureError('ADDON_MISSING',
      `Live capture is not available: the native addon ${file} failed to load (${text}). ${INSTALL_ADVICE}`, text);
  }
}

const optionalExports = new Map<string, unknown>();

/**
 * A native fast path of the addon (the decode worker's packer, the TCP health pass): the addon's
 * export `name` when it is a function, or null without the addon, in an older build that lacks it,
 * or when the environment variable `off` is '0'; the TypeScript code then does the work, with the
 * same results. Decided once per process.
 */
export function optionalAddonExport<T>(name: string, off: string): T | null {
  if (!optionalExports.has(name)) {
    let found: unknown = null;
    if (process.env[off] !== '0') {
      try {
        const v = (loadAddon() as unknown as Record<string, unknown>)[name];
        if (typeof v === 'function') found = v;
      } catch {
        // No addon: offline analysis works without it.
      }
    }
    optionalExports.set(name, found);
  }
  return optionalExports.get(name) as T | null;
}

/** The node binary to name in a setcap command (setcap needs the real file, not a symlink). */
function nodeBinary(): string {
  try { return realpathSync(process.execPath); } catch { return process.execPath; }
}

/** Maps an error thrown by the addon (with .code) to advice for the user. */
export function explainNativeError(e: unknown, device: string, filter: string): LiveCaptureError {
  const code = (e as { code?: string } | null)?.code;
  const text = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'PERMISSION':
      return new LiveCaptureError('PERMISSION',
        `Cannot capture on "${device}": permission denied (${text}). Run as root, or grant the capture ` +
        `capabilities to node: sudo setcap cap_net_raw,cap_net_admin=eip ${nodeBinary()}`, text);
    case 'NO_DEVICE':
      return new LiveCaptureError('NO_DEVICE',
        `No capture interface named "${device}" (${text}). List the interfaces with: vmotion-analyzer live --list`, text);
    case 'IFACE_NOT_UP':
      return new LiveCaptureError('IFACE_NOT_UP',
        `Interface "${device}" is not up (${text}). Bring it up (ip link set ${device} up) or pick another: vmotion-analyzer live --list`, text);
    case 'BAD_FILTER':
      return new LiveCaptureError('BAD_FILTER',
        `Bad capture filter "${filter}": ${text}. Check the BPF syntax (man 7 pcap-filter), e.g. "tcp port 8000 or arp".`, text);
    case 'CREATE':
    case 'ACTIVATE':
      return new LiveCaptureError('ACTIVATE', `Cannot start capture on "${device}": ${text}`, text);
    default:
      return new LiveCaptureError('ACTIVATE', `Cannot start capture on "${device}": ${text}`, text);
  }
}
