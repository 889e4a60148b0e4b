/**
 * The whole stack as a rep meets it, for the browser tests: `npm run dev`'s sandbox, bot and
 * Agents Playground, with headless Chromium on the Playground's chat UI. Screenshots go to
 * test-artifacts/e2e/; those the README shows are copied to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { startDevStack } from '../../deploy/local/dev';
import type { DevStack } from '../../deploy/local/dev';
import type { SandboxAgreementView } from '../../deploy/local/sandbox/sandboxServer';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(__dirname, '../..');
const ARTIFACTS = join(ROOT, 'test-artifacts/e2e');
const DOCS_SCREENSHOTS = join(ROOT, 'docs/screenshots');

export interface PlaygroundSession {
  readonly stack: DevStack;
  readonly page: Page;
  /** Errors the Playground page raised; a test expects none. */
  readonly pageErrors: string[];
  /** The last Adaptive Card in the chat that contains `text`. */
  card(text: string): Locator;
  /** A plain chat message from the bot (the chat list and the log panel repeat its text). */
  chatMessage(text: string): Locator;
  /** Types `text` in the compose box and sends it, as a rep does. */
  say(text: string): Promise<void>;
  /** Saves a screenshot to test-artifacts/e2e/, and to docs/screenshots/ under `docsName`. */
  screenshot(name: string, target: Locator | Page, docsName?: string): Promise<void>;
  /** The agreement as the LOA sandbox holds it. */
  sandboxAgreement(id: string): Promise<SandboxAgreementView>;
  /** Opens the Playground: the bot is installed in the personal chat and shows its welcome card. */
  open(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the dev stack and a browser on it. `viewport` defaults to a tall window that fits a whole details card. */
export async function startPlaygroundSession(options: { viewport?: { width: number; height: number } } = {}): Promise<PlaygroundSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y --no-install-recommends chromium (.ci/run does this in CI)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'loa-e2e-'));
  let stack: DevStack | undefined;
  let browser: BrowserContext | undefined;
  try {
    stack = await startDevStack({ env: { NODE_ENV: 'test', LOG_LEVEL: 'error' }, botPort: 0, sandboxPort: 0, playgroundPort: 0, workDir });
    browser = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: options.viewport ?? { width: 1400, height: 2000 },
    });
  } catch (err) {
    await browser?.close();
    await stack?.stop();
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }
  // The UI asks a CDN for fonts and an animation worklet; offline, fail those at once.
  await browser.route((url) => !['localhost', '127.0.0.1'].includes(url.hostname), (route) => route.abort());
  const page = browser.pages()[0] ?? (await browser.newPage());
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const running = stack;
  const openBrowser = browser;

  return {
    stack: running,
    page,
    pageErrors,
    card: (text) => page.locator('.ac-adaptiveCard', { hasText: text }).last(),
    chatMessage: (text) => page.locator('.fai-OutputCard', { hasText: text }).last(),
    say: async (text) => {
      await page.locator('[role="textbox"][contenteditable="true"]').click();
      await page.keyboard.type(text);
      await page.getByRole('button', { name: 'Send Message' }).click();
    },
    screenshot: async (name, target, docsName) => {
      const path = join(ARTIFACTS, `${name}.png`);
      await target.screenshot({ path });
      if (docsName) copyFileSync(path, join(DOCS_SCREENSHOTS, `${docsName}.png`));
    },
    sandboxAgreement: async (id) => {
      const response = await fetch(`${running.sandboxUrl}/_sandbox/agreements`);
      assert.equal(response.status, 200);
      const agreement = ((await response.json()) as SandboxAgreementView[]).find((a) => a.id === id);
      assert.ok(agreement, `the LOA sandbox holds agreement ${id}`);
      return agreement;
    },
    open: async () => {
      await page.goto(running.playgroundUrl, { waitUntil: 'domcontentloaded' });
      await page.locator('.ac-adaptiveCard', { hasText: 'Send Letters of Agreement from Teams' }).last().waitFor();
    },
    stop: async () => {
      await openBrowser.close();
      await running.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** What a rep types on the distributor template's details card. */
export interface DistributorDraft {
  signerName: string;
  signerEmail: string;
  customerName: string;
  accountNumber: string;
  productRange: string;
  discount: string;
  startDate: string;
  endDate: string;
  specialTerms?: string;
}

/** Fills the details card of the distributor template, finding inputs by label (their DOM ids are generated). */
export async function fillDistributorDetails(page: Page, details: Locator, draft: DistributorDraft): Promise<void> {
  await details.getByLabel('Signer name').fill(draft.signerName);
  await details.getByLabel('Signer email').fill(draft.signerEmail);
  await details.getByLabel('Customer legal name').fill(draft.customerName);
  await details.getByLabel('SE account number').fill(draft.accountNumber);
  // A Fluent combobox: its options open in a popup outside the card.
  await details.getByRole('combobox', { name: 'Product range' }).click();
  await page.getByRole('option', { name: draft.productRange }).click();
  await details.getByLabel('Discount (%)').fill(draft.discount);
  // Input.Date is a Fluent DatePicker that takes typed text and submits yyyy-mm-dd.
  await details.getByLabel('Start date').fill(draft.startDate);
  await details.getByLabel('Start date').press('Tab');
  await details.getByLabel('End date').fill(draft.endDate);
  await details.getByLabel('End date').press('Tab');
  if (draft.specialTerms) await details.getByLabel('Special terms (optional)').fill(draft.specialTerms);
}
