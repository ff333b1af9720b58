/**
 * Debian Chromium (/usr/bin/chromium), headless with a fresh profile, started by the harness
 * in its own process group and driven through playwright-core over CDP (loopback only).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { removeAtExit, spawnGroup, type GroupProcess } from './procs';

/** Where the browser binary is; CHROMIUM_PATH overrides the Debian default. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium from touching the network beyond loopback (see the machine notes). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

/** A running headless Chromium with one Playwright page. */
export interface HeadlessBrowser {
  readonly pid: number;
  readonly profileDir: string;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  stop(): Promise<void>;
}

/** Launches Chromium and connects playwright-core to it; the page has the given viewport. */
export async function startChromium(viewport = { width: 1400, height: 900 }, timeoutMs = 30_000): Promise<HeadlessBrowser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const profileDir = removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), 'gov-chromium-')));
  const proc: GroupProcess = spawnGroup('chromium', CHROMIUM_PATH, [
    ...CHROMIUM_FLAGS,
    `--user-data-dir=${profileDir}`,
    `--window-size=${viewport.width},${viewport.height}`,
    'about:blank',
  ]);
  let browser: Browser | undefined;
  try {
    const m = await proc.waitForOutput(/DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/, timeoutMs);
    browser = await chromium.connectOverCDP(m[1], { timeout: timeoutMs });
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const b = browser;
    return {
      pid: proc.pid,
      profileDir,
      browser: b,
      context,
      page,
      async stop() {
        try {
          await Promise.race([b.close(), new Promise((r) => setTimeout(r, 3000))]).catch(() => undefined);
          await proc.kill();
        } finally {
          fs.rmSync(profileDir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await proc.kill().catch(() => undefined);
    fs.rmSync(profileDir, { recursive: true, force: true });
    throw err;
  }
}
