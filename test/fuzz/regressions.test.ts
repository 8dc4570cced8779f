/**
 * Every input the fuzzer ever broke the pipeline with (test/fuzz/fixtures/*.cap, each with a
 * .txt note saying what it broke) goes through the real file path (readCapture -> Analyzer with
 * the standard analyses -> buildResult -> every view) and must yield a report that tells the
 * truth about it. Fixtures with a known cause also assert the specific fix.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeFiles } from '../../src/analysis/analyze-files.js';
import { DEFAULT_OPTIONS } from '../../src/analysis/analyzer.js';
import type { AnalysisResult } from '../../src/analysis/result.js';
import { renderJson } from '../../src/report/json-report.js';
import { renderTable } from '../../src/report/table-report.js';
import { renderMigrationsCsv, renderStreamsCsv } from '../../src/report/csv-report.js';
import { MAX_INTERVALS } from '../../src/analysis/migration-intervals.js';

const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.cap')).sort();

function numbersFinite(v: unknown, where: string): void {
  if (typeof v === 'number') { expect(Number.isFinite(v), `${where} = ${v}`).toBe(true); return; }
  if (v === null || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) numbersFinite(x, `${where}.${k}`);
}

async function analyse(file: string): Promise<{ result: AnalysisResult; json: string }> {
  const result = await analyzeFiles([join(DIR, file)], DEFAULT_OPTIONS);
  const json = renderJson(result);
  renderTable(result, { verbose: true });
  renderMigrationsCsv(result);
  renderStreamsCsv(result);
  return { result, json };
}

describe('fuzzer regression fixtures', () => {
  it('has fixtures, each with a note saying what it broke', () => {
    expect(fixtures.length).toBeGreaterThan(0);
    for (const f of fixtures) expect(readFileSync(join(DIR, f.replace(/\.cap$/, '.txt')), 'utf8')).toMatch(/^seed \d+ index \d+: /);
  });

  for (const f of fixtures) {
    it(`${f}: analysed to a truthful report`, async () => {
      const { result, json } = await analyse(f);
      const inp = result.inputs[0];
      expect(inp.path).toBe(join(DIR, f));
      numbersFinite(result, 'result');
      expect(JSON.parse(json).inputs[0].packets).toBe(inp.packets);
      if (inp.error) {
        expect(inp.error.message.startsWith(`${join(DIR, f)}: `)).toBe(true);
        expect(inp.error.offset).toBeGreaterThanOrEqual(-1);
        expect(inp.error.offset).toBeLessThanOrEqual(inp.sizeBytes ?? 0);
        const code = inp.failed ? 'CAPTURE_UNREADABLE' : inp.cutOff ? 'CAPTURE_TRUNCATED_FILE' : 'CAPTURE_MALFORMED_FRAMES';
        expect(result.findings.map((x) => x.code)).toContain(code);
      }
    });
  }

  it('crash-1-14372: a pcapng timestamp beyond year 9999 skips that record with a warning (was: RangeError in isoTime)', async () => {
    const { result } = await analyse('crash-1-14372.cap');
    const inp = result.inputs[0];
    // Frame 15 claims 1.7e15 s since 1970 (tshark shows it as 1700000000014000.000000000).
    expect(inp.lastPacketTime).toMatch(/^2023-/);
    const msg = result.findings.map((x) => x.message).join('\n');
    expect(msg).toMatch(/timestamp outside the years 0000-9999/);
  });

  it('slow-1-10028: one packet days after its stream cannot blow the series up (was: 762885 points, 31 s)', async () => {
    const { result, json } = await analyse('slow-1-10028.cap');
    expect(result.migrations.length).toBeGreaterThan(0);
    for (const m of result.migrations) {
      expect(m.activeSeconds).toBeGreaterThan(700_000);
      expect(m.series.length).toBeLessThanOrEqual(MAX_INTERVALS);
      // Coarser points (a whole number of intervals each) instead of one per second, covering
      // what the fine series can hold (MAX_BUCKETS tenths of an interval, about 29 hours).
      expect(m.series.length).toBeGreaterThan(1);
      // The migration reports the widened interval its series really uses: a whole multiple of --interval (1 s).
      const step = (Date.parse(m.series[1].time) - Date.parse(m.series[0].time)) / 1000;
      expect(m.intervalSeconds).toBeGreaterThan(result.options.intervalSeconds);
      expect(step).toBeCloseTo(m.intervalSeconds, 6);
      expect(m.intervalSeconds % result.options.intervalSeconds).toBeCloseTo(0, 6);
      expect(step * m.series.length).toBeGreaterThan(100_000);
    }
    expect(json.length).toBeLessThan(5 * 1024 * 1024);
  });
});
