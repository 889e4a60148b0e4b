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

/** How the details card names each input the tests fill, as alternatives (one per language the run may show). */
export type DistributorLabels = Readonly<Record<'signerName' | 'signerEmail' | 'customerName' | 'accountNumber' | 'productRange' | 'discount' | 'startDate' | 'endDate' | 'specialTerms', readonly string[]>>;

export const ENGLISH_LABELS: DistributorLabels = {
  signerName: ['Signer name'],
  signerEmail: ['Signer email'],
  customerName: ['Customer legal name'],
  accountNumber: ['SE account number'],
  productRange: ['Product range'],
  discount: ['Discount (%)'],
  startDate: ['Start date'],
  endDate: ['End date'],
  specialTerms: ['Special terms'],
};

/** Matches any of `texts` from its start, each taken literally. */
export function startingWithAny(texts: readonly string[]): RegExp {
  return new RegExp(`^(?:${texts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`);
}

export interface PlaygroundSession {
  readonly stack: DevStack;
  readonly page: Page;
  /** Errors the Playground page raised; a test expects none. */
  readonly pageErrors: string[];
  /** The last Adaptive Card in the chat that contains `text`. */
  card(text: string | RegExp): Locator;
  /** A plain chat message from the bot (the chat list and the log panel repeat its text). */
  chatMessage(text: string | RegExp): Locator;
  /** Types `text` in the compose box and sends it, as a rep does. */
  say(text: string): Promise<void>;
  /** Saves a screenshot to test-artifacts/e2e/, and to docs/screenshots/ under `docsName`. */
  screenshot(name: string, target: Locator | Page, docsName?: string): Promise<void>;
  /**
   * Fills the distributor pricing details card as a rep does. Inputs are found by label (their
   * DOM ids are generated); labels are matched from their start, because a rule in one label
   * may name another field ("End date — after the start date").
   */
  fillDistributorDetails(details: Locator, values: DistributorValues, labels?: DistributorLabels): Promise<void>;
  /** The agreement as the LOA sandbox holds it. */
  sandboxAgreement(id: string): Promise<SandboxAgreementView>;
  /** Opens the Playground: the bot is installed in the personal chat and shows its welcome card, which says `welcome`. */
  open(welcome?: string | RegExp): Promise<void>;
  stop(): Promise<void>;
}

/** What a browser suite runs against: the window size, and the rep's Teams locale (the Playground's own, en-US, by default). */
export interface PlaygroundOptions {
  /** Defaults to a tall window that fits a whole details card. */
  viewport?: { width: number; height: number };
  locale?: string;
}

/** Starts the dev stack and a browser on it. */
export async function startPlaygroundSession(options: PlaygroundOptions = {}): Promise<PlaygroundSession> {
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
    fillDistributorDetails: async (details, values, labels = ENGLISH_LABELS) => {
      const input = (label: readonly string[]) => details.getByLabel(startingWithAny(label));
      await input(labels.signerName).fill(values.signerName);
      await input(labels.signerEmail).fill(values.signerEmail);
      await input(labels.customerName).fill(values.customerName);
      await input(labels.accountNumber).fill(values.accountNumber);
      // A Fluent combobox: its options open in a popup outside the card.
      await details.getByRole('combobox', { name: startingWithAny(labels.productRange) }).click();
      await page.getByRole('option', { name: values.productRange }).click();
      await input(labels.discount).fill(values.discount);
      // Input.Date is a Fluent DatePicker that takes typed text and submits yyyy-mm-dd.
      for (const [label, value] of [[labels.startDate, values.startDate], [labels.endDate, values.endDate]] as const) {
        await input(label).fill(value);
        await input(label).press('Tab');
      }
      if (values.specialTerms !== undefined) await input(labels.specialTerms).fill(values.specialTerms);
    },
    sandboxAgreement: async (id) => {
      const response = await fetch(`${running.sandboxUrl}/_sandbox/agreements`);
      assert.equal(response.status, 200);
      const agreement = ((await response.json()) as SandboxAgreementView[]).find((a) => a.id === id);
      assert.ok(agreement, `the LOA sandbox holds agreement ${id}`);
      return agreement;
    },
    open: async (welcome = 'Send Letters of Agreement from Teams') => {
      await page.goto(running.playgroundUrl, { waitUntil: 'domcontentloaded' });
      await page.locator('.ac-adaptiveCard', { hasText: welcome }).last().waitFor();
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
export function playgroundSuite(options: PlaygroundOptions & { open?: boolean } = {}): () => PlaygroundSession {
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
