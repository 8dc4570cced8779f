/**
 * Every output format is a view of the one result: what the hosts' vmkernel.log says of a migration
 * (its id, encryption, their bandwidth estimate), the ESXi logs read, and the mirror sessions an
 * input came through appear in the table, Markdown and HTML reports alike, not only in JSON.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAPTURES, ROOT, runCli } from '../helpers/cli.js';
import { renderTable } from '../../src/report/table-report.js';
import { renderMarkdown } from '../../src/report/markdown-report.js';
import { renderHtml } from '../../src/report/html-report.js';
import type { AnalysisResult } from '../../src/analysis/result.js';

const LOG = join(ROOT, 'test', 'logs', 'fixtures', 'esxi6-source-vmkernel.log');
let result: AnalysisResult;

beforeAll(() => {
  const r = runCli(['analyze', join(CAPTURES, 'lab-l2.pcap'), '--vmkernel-log', LOG, '-f', 'json', '--no-progress']);
  expect(r.code, r.stderr).toBe(0);
  result = JSON.parse(r.stdout);
  // A mirror session as an ERSPAN capture reports it (decoding is tested in test/decode/tunnels.test.ts).
  result.inputs[0].tunnels = [{ type: 'erspan-ii', outerSrc: '192.0.2.1', outerDst: '192.0.2.9', sessionId: 7, frames: 1234 }];
});

const views: Array<[string, (r: AnalysisResult) => string]> = [
  ['table', (r) => renderTable(r, { verbose: false })],
  ['markdown', (r) => renderMarkdown(r)],
  ['html', (r) => renderHtml(r)],
];

describe('log and tunnel facts in every report view', () => {
  for (const [name, render] of views) {
    it(`${name}: migration ids from vmkernel.log, the logs read, the mirror session`, () => {
      const out = render(result);
      const ids = result.migrations.map((m) => m.log?.migrationId);
      expect(ids).toEqual(['1795692211305920', '1795692216211873']);
      for (const id of ids) expect(out).toContain(`id ${id}`);
      expect(out).toContain('source log esxi6-source-vmkernel.log:');
      expect(out).toContain(`${result.logMigrations!.length} migration(s) in the logs, 2 found in the capture`);
      expect(out).toMatch(/clock of host 10\.80\.0\.2: capture = log \+ 2\.5\d\d s \(estimated from 2 migration\(s\)\)/);
      expect(out).toContain('mirrored via ERSPAN-II 192.0.2.1 → 192.0.2.9 session 7 (1,234 frames)');
    });
  }

  it('without logs or tunnels, no empty sections appear', () => {
    const plain = runCli(['analyze', join(CAPTURES, 'lab-l2.pcap'), '-f', 'markdown', '--no-progress']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('ESXi logs');
    expect(plain.stdout).not.toContain('Host log');
    expect(plain.stdout).not.toContain('mirrored via');
  });
});
