/**
 * The HTML report rendered by a real browser (headless Debian chromium via playwright-core):
 * verdict, chart and tables must be visible, and the page must fetch nothing. The same run
 * produces docs/report-screenshot.png when UPDATE_SCREENSHOT=1.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { chromiumUnavailable, openInChromium } from './chromium.js';

const ROUTED = resolve('captures/lab-routed.pcapng');
const tmp = mkdtempSync(join(tmpdir(), 'vma-html-'));
const haveLab = existsSync(ROUTED);
const why = (await chromiumUnavailable()) ?? (haveLab ? null : 'lab capture captures/lab-routed.pcapng missing');
if (why) {
  if (process.env.CI) throw new Error(`HTML rendering test cannot run in CI: ${why}`);
  console.warn(`skipping HTML rendering tests: ${why}`);
}

async function cli(...args: string[]): Promise<number> {
  return main(['node', 'vmotion-analyzer', ...args, '--no-progress']);
}

describe.runIf(haveLab)('analyze --format markdown | html', () => {
  it('writes the same reports to a file, self-contained', async () => {
    const md = join(tmp, 'r.md'); const html = join(tmp, 'r.html'); const json = join(tmp, 'r.json');
    expect(await cli('analyze', ROUTED, '-f', 'markdown', '-o', md)).toBe(0);
    expect(await cli('analyze', ROUTED, '-f', 'html', '-o', html)).toBe(0);
    expect(await cli('analyze', ROUTED, '-f', 'json', '-o', json)).toBe(0);
    const r: AnalysisResult = JSON.parse(readFileSync(json, 'utf8'));
    const m = readFileSync(md, 'utf8'); const h = readFileSync(html, 'utf8');
    expect(m).toMatch(new RegExp(`^# vMotion analysis: ${r.migrations.length} migration`));
    expect(h.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const mig of r.migrations) {
      expect(m).toContain(`## Migration ${mig.id}:`);
      expect(h).toContain(`id="migration-${mig.id}"`);
    }
    for (const f of r.findings) { expect(m).toContain(f.code); expect(h).toContain(f.code); }
    // No script, no external resource of any kind.
    expect(h).not.toMatch(/<script|<link|<img|@import|url\(|src=|href=/i);
    for (const url of h.match(/https?:\/\/[^"'\s<]+/g) ?? []) expect(url).toBe('http://www.w3.org/2000/svg'); // the SVG namespace name, never fetched
    // Every Markdown table row has as many cells as its header.
    const lines = m.split('\n');
    for (let i = 1; i < lines.length; i++) {
      if (!/^\|(---\|)+$/.test(lines[i])) continue;
      const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      const n = cells(lines[i - 1]);
      for (let j = i + 1; j < lines.length && lines[j].startsWith('|'); j++) expect(cells(lines[j]), lines[j]).toBe(n);
    }
  }, 60_000);
});

describe.runIf(!why)('HTML report in headless Chromium', () => {
  const out = join(tmp, 'bundle');
  let result: AnalysisResult;
  beforeAll(async () => {
    expect(await cli('evidence', ROUTED, '--out', out)).toBe(0);
    result = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  }, 120_000);

  it('renders the verdict first, a chart with data, and the tables; fetches nothing', async () => {
    const page = await openInChromium(join(out, 'report.html'), 1100, 1750); // tall enough to show the summary, findings and the first chart
    try {
      const seen = await page.evaluate(() => {
        const visible = (el: Element | null) => { if (!el) return false; const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
        const first = document.querySelector('section');
        return {
          title: document.querySelector('h1')?.textContent ?? '',
          firstSection: first?.id ?? '',
          summaries: [...document.querySelectorAll('.migration-summary')].map((c) => ({
            visible: visible(c), verdict: c.querySelector('.verdict')?.textContent ?? '', text: c.textContent ?? '',
          })),
          charts: [...document.querySelectorAll('svg.chart')].map((s) => ({
            visible: visible(s), width: s.getBoundingClientRect().width,
            line: s.querySelector('path.line')?.getAttribute('d') ?? '', lineLength: (s.querySelector('path.line') as SVGPathElement | null)?.getTotalLength() ?? 0,
          })),
          tables: Object.fromEntries(['findings', 'hop-evidence', 'streams', 'inputs', 'stream-health'].map((c) => [c,
            [...document.querySelectorAll(`table.${c}`)].filter(visible).reduce((n, t) => n + t.querySelectorAll('tbody tr').length, 0)])),
          scripts: document.scripts.length,
        };
      });
      expect(page.requests).toEqual([]);
      expect(seen.scripts).toBe(0);
      expect(seen.title).toContain(`${result.migrations.length} migration`);
      expect(seen.firstSection).toBe('summary');
      expect(seen.summaries).toHaveLength(result.migrations.length);
      result.migrations.forEach((m, i) => {
        const s = seen.summaries[i];
        expect(s.visible).toBe(true);
        const path = (m as unknown as { path?: { verdict: string } }).path;
        expect(s.verdict).toContain(path ? path.verdict : 'path not analysed');
        expect(s.text).toMatch(/Mbit\/s|Gbit\/s|kbit\/s/);
      });
      expect(seen.charts).toHaveLength(result.migrations.filter((m) => m.series.length > 0).length);
      for (const c of seen.charts) {
        expect(c.visible).toBe(true);
        expect(c.width).toBeGreaterThan(300);
        expect(c.line).toMatch(/^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
        expect(c.lineLength).toBeGreaterThan(100);
      }
      expect(seen.tables.streams).toBe(result.streams.length);
      expect(seen.tables.inputs).toBe(result.inputs.length);
      expect(seen.tables.findings).toBe(result.findings.length);
      const evidence = result.migrations.reduce((n, m) => n + ((m as unknown as { path?: { evidence: unknown[] } }).path?.evidence.length ?? 0), 0);
      expect(seen.tables['hop-evidence']).toBe(evidence);
      const shot = join(tmp, 'report.png');
      await page.screenshot(shot);
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(shot, resolve('docs/report-screenshot.png'));
    } finally {
      await page.close();
    }
  }, 120_000);
});
