#!/usr/bin/env node
// Builds the optional live-capture addon (build/Release/vma_pcap.node) with node-gyp.
// Runs as the package's install script, so it must never fail the install: offline
// analysis works without the addon, and `live` explains how to get it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const failureFile = join(root, 'build', 'native-build-failure.txt');
const advice = [
  'Live capture (`vmotion-analyzer live`) needs the libpcap headers. Install them and rebuild:',
  '  apt-get install libpcap-dev        (RHEL/Fedora: dnf install libpcap-devel)',
  '  npm rebuild -g vmotion-analyzer   (global install)',
  '  npm rebuild vmotion-analyzer      (project dependency)',
  '  npm rebuild                       (source checkout; or: npm run build:native)',
  'Offline analysis of capture files works without it.',
];

function skip(reason, log = '') {
  mkdirSync(dirname(failureFile), { recursive: true });
  writeFileSync(failureFile, `${reason}\n\n${log}`);
  console.warn(`\nvmotion-analyzer: live capture addon NOT built: ${reason}`);
  for (const line of advice) console.warn(line);
  console.warn('');
  process.exit(0);
}

if (process.env.VMA_SKIP_NATIVE) skip('VMA_SKIP_NATIVE is set');
if (process.platform === 'win32') skip('live capture is supported on Linux and macOS only');

// node-gyp from our devDependencies, else the copy bundled with npm (npm exports its path).
function findNodeGyp() {
  try {
    return createRequire(join(root, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    const fromNpm = process.env.npm_config_node_gyp;
    return fromNpm && existsSync(fromNpm) ? fromNpm : null;
  }
}
const nodeGyp = findNodeGyp();
if (nodeGyp === null) skip('node-gyp was not found (neither in node_modules nor bundled with npm)');

const args = [nodeGyp, 'rebuild'];
// Build against the headers that came with this node when they are installed, instead
// of letting node-gyp download them (machines without internet access).
if (!process.env.npm_config_nodedir) {
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
}

const pcapHeader = ['/usr/include/pcap/pcap.h', '/usr/local/include/pcap/pcap.h', '/opt/homebrew/include/pcap/pcap.h']
  .some((p) => existsSync(p)) || process.platform === 'darwin';

console.log('vmotion-analyzer: building the live capture addon (node-gyp rebuild)...');
const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: process.env });
if (run.error || run.status !== 0) {
  const log = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  const tail = log.trim().split('\n').slice(-15).join('\n');
  const reason = pcapHeader
    ? `node-gyp failed (exit ${run.status ?? 'none'})`
    : 'libpcap headers (pcap/pcap.h) are not installed';
  if (pcapHeader) console.warn(tail);
  skip(reason, log);
}
rmSync(failureFile, { force: true });
console.log('vmotion-analyzer: live capture addon built: build/Release/vma_pcap.node');
