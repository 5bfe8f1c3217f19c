// Chromium (Debian's, /usr/bin/chromium) driven by playwright-core for the web console's tests, and the console's
// build: the tests serve dist/console, built here when it is missing or older than its sources.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildConsole, CONSOLE_OUTPUT, CONSOLE_SOURCE } from '../../scripts/build-console.js';

export const CHROMIUM = process.env['GATEHOUSE_CHROMIUM'] ?? '/usr/bin/chromium';

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/console unless it is there and newer than every file of src/console. */
export async function ensureConsoleBuilt(): Promise<void> {
  let built = 0;
  try {
    built = statSync(join(CONSOLE_OUTPUT, 'app.js')).mtimeMs;
    statSync(join(CONSOLE_OUTPUT, 'index.html'));
  } catch {
    built = 0;
  }
  if (built === 0 || built < newestSource(CONSOLE_SOURCE)) await buildConsole();
}

/** One headless Chromium for the suite this is called in, launched after the console is built. */
export function useBrowser(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  before(async () => {
    await ensureConsoleBuilt();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  });
  after(async () => {
    await browser?.close();
  });
  return {
    get browser() {
      if (browser === undefined) throw new Error('the browser runs only between the suite hooks');
      return browser;
    },
  };
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests that left for any other origin than the server's: the console must make none. */
  readonly foreignRequests: string[];
  /** Errors the page's scripts threw and CSP violations the browser reported. */
  readonly pageErrors: string[];
}

/** A fresh browser context (its own sessionStorage) on the console of `endpoint`, at the given viewport. */
export async function openConsole(browser: Browser, endpoint: string, viewport = { width: 1280, height: 900 }): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(`${endpoint}/`)) foreignRequests.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${endpoint}/console`);
  return { context, page, foreignRequests, pageErrors };
}

/** axe-core's serious and critical violations on the page as it is now, as readable lines (empty when none). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** True when the page is wider than its viewport (it would scroll sideways). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  // Runs in the page: the test's TypeScript has no DOM types, so the page's document is reached through globalThis.
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });
}

/** A page's main heading, as every console page has one. */
export const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name, exact: true });

/** Signs in as `account`'s root user with `password` and waits for the users page, where sign-in lands. */
export async function signInAsRoot(page: Page, account: string, password: string): Promise<void> {
  await page.getByRole('radio', { name: 'Root user' }).check();
  await page.getByLabel('Account ID or alias').fill(account);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await heading(page, 'Users').waitFor();
}
