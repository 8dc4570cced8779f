/** Headless Chromium (Debian `chromium`) driven by playwright-core, for rendering the HTML report. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The reason Chromium tests cannot run here, or null. In CI nothing may be missing. */
export async function chromiumUnavailable(): Promise<string | null> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found (apt-get install -y chromium)`;
  try { await import('playwright-core'); } catch { return 'playwright-core is not installed (npm devDependency)'; }
  return null;
}

export interface RenderedPage {
  evaluate<T>(fn: () => T): Promise<T>;
  screenshot(path: string): Promise<void>;
  /** A region of the full page (y from the top, in CSS pixels). */
  screenshotRegion(path: string, y: number, height: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens a local file in a fresh, isolated headless Chromium profile with the network cut off. */
export async function openInChromium(file: string, width = 1100, height = 900): Promise<RenderedPage & { requests: string[] }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'vma-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width, height },
  });
  const page = context.pages()[0] ?? await context.newPage();
  // Every request other than the report itself is recorded: a self-contained report makes none.
  const requests: string[] = [];
  const fileUrl = `file://${file}`;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url !== fileUrl) { requests.push(url); return route.abort(); }
    return route.continue();
  });
  await page.goto(fileUrl, { waitUntil: 'load' });
  return {
    requests,
    evaluate: (fn) => page.evaluate(fn),
    screenshot: async (path) => { await page.screenshot({ path }); },
    screenshotRegion: async (path, y, h) => { await page.screenshot({ path, fullPage: true, clip: { x: 0, y, width, height: h } }); },
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}
