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

/** What a rep types into the distributor pricing template's details card. */
export interface DistributorValues {
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

export const DISTRIBUTOR_VALUES: DistributorValues = {
  signerName: 'Jane Doe',
  signerEmail: 'jane.doe@customer.example',
  customerName: 'Acme Industrial (Europe) S.A.',
  accountNumber: '1234567',
  productRange: 'Low voltage (Acti9, ComPacT)',
  discount: '12.5',
  startDate: '2026-12-01',
  endDate: '2027-11-30',
};

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
  /**
   * Fills the distributor pricing details card as a rep does. Inputs are found by label (their
   * DOM ids are generated); labels are matched from their start, because a rule in one label
   * may name another field ("End date — after the start date").
   */
  fillDistributorDetails(details: Locator, values: DistributorValues): Promise<void>;
  /** The agreement as the LOA sandbox holds it. */
  sandboxAgreement(id: string): Promise<SandboxAgreementView>;
  /** Opens the Playground: the bot is installed in the personal chat and shows its welcome card. */
  open(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the dev stack and a browser on it. `viewport` defaults to a tall window that fits a whole details card. */
export async function startPlaygroundSession(options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<PlaygroundSession> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}. Install it with: apt-get update && apt-get install -y --no-install-recommends chromium (.ci/run does this in CI)`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'loa-e2e-'));
  let stack: DevStack | undefined;
  let browser: BrowserContext | undefined;
  try {
    stack = await startDevStack({ env: { NODE_ENV: 'test', LOG_LEVEL: 'error' }, botPort: 0, sandboxPort: 0, playgroundPort: 0, workDir, ...(options.locale ? { locale: options.locale } : {}) });
    browser = await chromium.launchPersistentContext(join(workDir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: options.viewport ?? { width: 1400, height: 2000 },
      // The cards' date pickers and numbers render in the browser's language, as in a French Teams client.
      ...(options.locale ? { locale: options.locale } : {}),
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
    fillDistributorDetails: async (details, values) => {
      const input = (label: string) => details.getByLabel(new RegExp(`^${label.replace(/[()%]/g, '\\$&')}`));
      await input('Signer name').fill(values.signerName);
      await input('Signer email').fill(values.signerEmail);
      await input('Customer legal name').fill(values.customerName);
      await input('SE account number').fill(values.accountNumber);
      // A Fluent combobox: its options open in a popup outside the card.
      await details.getByRole('combobox', { name: 'Product range' }).click();
      await page.getByRole('option', { name: values.productRange }).click();
      await input('Discount (%)').fill(values.discount);
      // Input.Date is a Fluent DatePicker that takes typed text and submits yyyy-mm-dd.
      for (const [label, value] of [['Start date', values.startDate], ['End date', values.endDate]] as const) {
        await input(label).fill(value);
        await input(label).press('Tab');
      }
      if (values.specialTerms !== undefined) await input('Special terms').fill(values.specialTerms);
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

/**
 * The mocha hooks of a browser suite: one session for the suite (opened on the welcome card
 * when `open`), stopped after it, and no page errors after each test. Returns the session.
 */
export function playgroundSuite(options: { viewport?: { width: number; height: number }; open?: boolean; locale?: string } = {}): () => PlaygroundSession {
  let session: PlaygroundSession | undefined;
  before(async () => {
    session = await startPlaygroundSession({ ...(options.viewport ? { viewport: options.viewport } : {}), ...(options.locale ? { locale: options.locale } : {}) });
    if (options.open) await session.open();
  });
  after(async () => {
    await session?.stop();
  });
  afterEach(() => {
    assert.deepEqual(session?.pageErrors ?? [], [], 'the Playground page raised no errors');
  });
  return () => {
    assert.ok(session, 'the Playground session started');
    return session;
  };
}
