/**
 * Issue §4, the fault campaign: 200 reps send an LOA each while the LOA API fails 30% of
 * all calls (429 with Retry-After, 500, 503, hangs, connection resets, on every route).
 * Run with `npm run test:faults`; the summary goes to stdout and test-artifacts/fault-campaign.json.
 */
import assert from 'node:assert/strict';
import { defaultRef } from '../../bot/domain/agreementRef';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import axios from 'axios';
import type { AdaptiveCard } from '../../cards/render';
import { createLogger } from '../../bot/logger';
import type { CallCounts, FaultPlan, SandboxAgreementView } from '../../deploy/local/sandbox/sandboxServer';
import { assertValidCard } from '../../testkit/cardChecks';
import { hashId } from '../../bot/teams/turnLog';
import { startAzurite } from '../helpers/azurite';
import type { RunningAzurite } from '../helpers/azurite';
import type { FakeTeams, RecordedCall } from '../../testkit/fakeTeams';
import { ConversationHarness } from '../../testkit/conversation';
import { actionsOf, inputsOf, readableText } from '../../testkit/cards';
import type { RepSession } from '../../testkit/conversation';
import { reviewDistributorDraft, sendDistributorLoa } from '../../testkit/loaFlow';
import { DISTRIBUTOR_TEMPLATE_ID, distributorDetails } from '../../testkit/fixtures';
import { startTestSandbox } from '../../testkit/sandbox';
import type { TestSandbox } from '../../testkit/sandbox';
import { seededRandom } from '../../testkit/seededRandom';
import { StorageFaultProxy } from '../helpers/storageFaultProxy';
import type { StorageFault } from '../helpers/storageFaultProxy';

const REPS = 200;
const CONCURRENCY = 20;
/** A careful rep presses Retry on a definite failure this many times, then gives up and reports it. */
const RETRIES_A_REP_PRESSES = 3;
/** Every fourth rep whose LOA went out deletes it again, so that the delete route is under fault too. */
const DELETE_EVERY = 4;
const SEED = 0x10a_2026;
/** 30% of calls fail, 6% for each kind of fault. */
const FAULT_PLAN: FaultPlan = { '*': { rates: { '429': 0.06, '500': 0.06, '503': 0.06, hang: 0.06, reset: 0.06 }, retryAfterS: 1 } };
/**
 * Generous: the campaign keeps 200 drafts, submissions and records in memory storage, which
 * is a few MB. A leak per request (sockets, timers, pending promises) over ~2,000 calls shows
 * up well before this.
 */
const HEAP_GROWTH_LIMIT_MB = 150;
/** Longest a "Sending…" card may wait for its follow-up: far beyond every retry and timeout. */
const FOLLOW_UP_WAIT_MS = 60_000;
const ARTIFACT = resolve(__dirname, '../../test-artifacts/fault-campaign.json');

type FinalState = 'created' | 'failed-reported' | 'unknown-reported' | 'turn-error-reported' | 'broken';

/** What one rep went through and saw. */
interface RepOutcome {
  index: number;
  upn: string;
  conversationId: string;
  signerName: string;
  state: FinalState;
  /** The text of the last card the rep saw for this draft. */
  finalText: string;
  agreementId?: string;
  retriesPressed: number;
  /** Sends answered "Sending…" whose result came later as an update of the same card. */
  followUps: number;
  /** Whether "my LOAs" at the end listed the agreement (created drafts only). */
  listedInMyLoas?: boolean;
  /** For the reps who delete their LOA: what they were told at the end. */
  deletion?: 'deleted' | 'not-deleted-reported' | 'unconfirmed-reported';
  deleteRetriesPressed: number;
  /** Anything a rep should never have met: HTTP errors, a card left at "Sending…", a lost draft. */
  problems: string[];
}

interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  gcRan: boolean;
}

interface CampaignSummary {
  seed: number;
  reps: number;
  concurrency: number;
  faultPlan: FaultPlan;
  botSettings: Record<string, string>;
  durationS: number;
  outcomes: Record<FinalState, number>;
  retriesPressed: number;
  sendingThenFollowUp: number;
  deletes: { asked: number; deleted: number; notDeletedReported: number; unconfirmedReported: number; retriesPressed: number };
  unknownWithAgreementInSandbox: number;
  unknownWithoutAgreementInSandbox: number;
  apiCalls: CallCounts & { total: number };
  sandboxAgreements: number;
  duplicateSigners: number;
  unhandledRejections: number;
  botLogs: BotLogCounts;
  memory: { before: MemorySample; after: MemorySample; heapGrowthMb: number; heapGrowthLimitMb: number };
}

const BOT_SETTINGS = {
  LOA_HTTP_TIMEOUT_MS: '500',
  LOA_MAX_RETRIES: '2',
  SEND_ACK_AFTER_MS: '200',
  STATUS_POLL_FIRST_MS: '0',
};

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * The V8 collector, so that the heap is measured without garbage: global.gc under
 * node --expose-gc, otherwise the same function exposed at run time. Undefined if neither works,
 * and the samples then include garbage not yet collected.
 */
function garbageCollector(): (() => void) | undefined {
  const exposed = globalThis.gc;
  if (exposed) return () => exposed();
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

function sampleMemory(gc: (() => void) | undefined): MemorySample {
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: mb(rss), heapUsedMb: mb(heapUsed), gcRan: gc !== undefined };
}

/** Runs `task` for 0..count-1 with at most `limit` running at once. */
async function inPool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

/** What the bot logged, counted rather than kept, so that memory stays bounded whatever it logs. */
interface BotLogCounts {
  /** Error and fatal lines, by message. */
  errors: Record<string, number>;
  /** Sends that created nothing (or may have), by outcome, HTTP status and code. */
  sendsNotCreated: Record<string, number>;
  /** LOA calls that got no answer, by operation and failure. */
  callsWithoutAnswer: Record<string, number>;
}

interface LogEntry {
  level?: string;
  msg?: string;
  status?: string;
  error?: { code?: string; status?: number };
  loa?: { operation?: string; failure?: string };
}

function logCounter(counts: BotLogCounts) {
  const add = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  return {
    write: (line: string) => {
      const entry = JSON.parse(line) as LogEntry;
      if (entry.level === 'error' || entry.level === 'fatal') add(counts.errors, entry.msg ?? '?');
      if (entry.msg === 'Agreement not created') add(counts.sendsNotCreated, `${entry.status} ${entry.error?.status ?? '-'} ${entry.error?.code ?? '?'}`);
      if (entry.msg === 'LOA API call failed without an answer') add(counts.callsWithoutAnswer, `${entry.loa?.operation} ${entry.loa?.failure}`);
    },
  };
}

/** The Adaptive Cards in an expectReplies answer. */
function cardsIn(body: unknown): AdaptiveCard[] {
  const activities = (body as { activities?: Array<{ attachments?: Array<{ contentType: string; content: AdaptiveCard }> }> } | undefined)?.activities ?? [];
  return activities.flatMap((a) => (a.attachments ?? []).filter((x) => x.contentType === 'application/vnd.microsoft.card.adaptive').map((x) => x.content));
}

/**
 * Records what a card tells the rep about their Send: created (with the agreement id it
 * shows), not sent, or unknown. False for any other card.
 */
function toldAboutSend(text: string, outcome: { state: string; agreementId?: string; problems: string[] }): boolean {
  if (/^LOA sent/.test(text)) {
    outcome.state = 'created';
    const id = /Agreement ID: (\S+)/.exec(text)?.[1];
    if (id) outcome.agreementId = id;
    else outcome.problems.push('the confirmation shows no agreement id');
  } else if (/I couldn't confirm your LOA was sent/.test(text)) {
    outcome.state = 'unknown-reported';
  } else if (/Your LOA was not sent/.test(text) && /nothing was sent/.test(text)) {
    outcome.state = 'failed-reported';
  } else {
    return false;
  }
  return true;
}

/** How the reps' deletes ended. */
function deletesOf(outcomes: Array<Pick<RepOutcome, 'deletion' | 'deleteRetriesPressed'>>): CampaignSummary['deletes'] {
  return {
    asked: outcomes.filter((o) => o.deletion).length,
    deleted: outcomes.filter((o) => o.deletion === 'deleted').length,
    notDeletedReported: outcomes.filter((o) => o.deletion === 'not-deleted-reported').length,
    unconfirmedReported: outcomes.filter((o) => o.deletion === 'unconfirmed-reported').length,
    retriesPressed: outcomes.reduce((n, o) => n + o.deleteRetriesPressed, 0),
  };
}

const hasButton = (card: AdaptiveCard, title: string) => actionsOf(card).some((a) => a.title === title);

/** 0 -> "A", 27 -> "Bb": rep names become their email's local part, which takes letters only. */
function lettersOf(index: number): string {
  let n = index;
  let letters = '';
  do {
    letters = String.fromCharCode(97 + (n % 26)) + letters;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return letters[0]!.toUpperCase() + letters.slice(1);
}

function signerNameOf(index: number): string {
  return `Campaign Signer ${String(index).padStart(3, '0')}`;
}

describe(`fault campaign: ${REPS} reps while the LOA API fails 30% of calls`, () => {
  let loa: TestSandbox;
  let h: ConversationHarness;
  let outcomes: RepOutcome[] = [];
  let agreements: SandboxAgreementView[] = [];
  let summary: CampaignSummary;
  const unhandled: unknown[] = [];
  const countUnhandled = (reason: unknown) => void unhandled.push(reason);
  const botLogs: BotLogCounts = { errors: {}, sendsNotCreated: {}, callsWithoutAnswer: {} };

  /**
   * Presses a Send, Retry or Delete button and returns the card the rep ends up with: the
   * invoke's card, or, when that is "Sending…" or "Deleting…", the update Teams receives for
   * the same card later.
   */
  async function pressAndSettle(rep: RepSession, card: AdaptiveCard, title: string, outcome: RepOutcome): Promise<AdaptiveCard> {
    const cardId = rep.cardIdOf(card);
    const updatesOfCard = () => h.teams.updated(rep.conversationId).filter((c) => c.activityId === cardId);
    // The follow-up may land before the invoke's answer does: count what was there before.
    const updatesBefore = updatesOfCard().length;
    const answered = await rep.press(card, title);
    if (!/^(Sending your LOA|Deleting…)/.test(readableText(answered))) return answered;
    try {
      await h.teams.waitFor(() => updatesOfCard().length > updatesBefore, FOLLOW_UP_WAIT_MS);
    } catch {
      outcome.problems.push(`left at "${readableText(answered).split('\n')[0]}": no follow-up within ${FOLLOW_UP_WAIT_MS} ms`);
      return answered;
    }
    outcome.followUps++;
    const update = updatesOfCard()[updatesBefore]!;
    const [attachment] = update.body.attachments as Array<{ content: AdaptiveCard }>;
    assert.ok(attachment, 'the follow-up carries a card');
    assertValidCard(attachment.content);
    return attachment.content;
  }

  /** One rep: send LOA, template, review, Send; Retry a definite failure; never retry an unknown outcome. */
  async function runRep(index: number): Promise<RepOutcome> {
    const rep = h.rep(`Campaign Rep ${lettersOf(index)}`);
    const signerName = signerNameOf(index);
    const outcome: RepOutcome = { index, upn: rep.member.userPrincipalName, conversationId: rep.conversationId, signerName, state: 'broken', finalText: '', retriesPressed: 0, followUps: 0, deleteRetriesPressed: 0, problems: [] };
    try {
      const review = await reviewDistributorDraft(rep, { signerName, signerEmail: `campaign.signer.${index}@acme.example` });
      let card = await pressAndSettle(rep, review, 'Send', outcome);
      while (/Your LOA was not sent/.test(readableText(card)) && outcome.retriesPressed < RETRIES_A_REP_PRESSES) {
        outcome.retriesPressed++;
        card = await pressAndSettle(rep, card, 'Retry', outcome);
      }
      const text = readableText(card);
      outcome.finalText = text;
      // On an unknown outcome a careful rep checks with the signer before pressing Retry: reported, not resent.
      if (toldAboutSend(text, outcome)) {
        // created, not sent, or unknown
      } else if (/Something went wrong on my side/.test(text)) {
        outcome.state = 'turn-error-reported';
        if (!/Reference: [0-9a-f-]{36}/.test(text)) outcome.problems.push('a turn-error card without a Reference');
        const back = await rep.press(card, 'Back to my draft');
        if (inputsOf(back).signerName !== signerName) outcome.problems.push('the draft was not kept after a turn error');
      } else {
        outcome.problems.push(`ended on an unexpected card: ${text.slice(0, 200)}`);
      }

      if (outcome.agreementId && index % DELETE_EVERY === 0) await deleteAsACarefulRep(rep, outcome.agreementId, outcome);

      const list = await h.post({ ...rep.activity('message'), text: 'my LOAs', deliveryMode: 'expectReplies' });
      if (list.status !== 200) outcome.problems.push(`"my LOAs" answered HTTP ${list.status}`);
      const listText = cardsIn(list.data).map(readableText).join('\n');
      if (!/^Your LOAs/.test(listText)) outcome.problems.push(`"my LOAs" did not answer with the list: ${JSON.stringify(list.data).slice(0, 200)}`);
      if (outcome.agreementId) outcome.listedInMyLoas = listText.includes(`ref ${defaultRef(outcome.agreementId)}`);
      if (outcome.deletion === 'deleted' && !/Deleted|No longer in the LOA service/.test(listText)) outcome.problems.push('"my LOAs" does not show the deleted LOA as gone');
    } catch (err) {
      // rep.press throws on any HTTP status other than 200 or a card that fails the card checks.
      outcome.problems.push(err instanceof Error ? err.message : String(err));
    }
    return outcome;
  }

  /** "delete LOA <id>", confirm; press Delete again while it is not done, up to the same number of times. */
  async function deleteAsACarefulRep(rep: RepSession, agreementId: string, outcome: RepOutcome): Promise<void> {
    const { cards } = await rep.says(`delete LOA ${agreementId}`);
    const confirm = cards[0];
    if (!confirm || !/Delete this LOA\?/.test(readableText(confirm))) {
      outcome.problems.push(`"delete LOA" did not ask for a confirmation: ${confirm ? readableText(confirm).slice(0, 200) : 'no card'}`);
      return;
    }
    let card = await pressAndSettle(rep, confirm, 'Delete', outcome);
    // Deleting again is safe after a refusal and after an unconfirmed delete alike.
    while (/^(Not deleted yet|I couldn't confirm the delete)/.test(readableText(card)) && outcome.deleteRetriesPressed < RETRIES_A_REP_PRESSES) {
      outcome.deleteRetriesPressed++;
      card = await pressAndSettle(rep, card, 'Delete', outcome);
    }
    const text = readableText(card);
    if (/^(LOA deleted|Already gone|Already deleted)/.test(text)) outcome.deletion = 'deleted';
    else if (/^Not deleted yet/.test(text) && /still exists/.test(text)) outcome.deletion = 'not-deleted-reported';
    else if (/^I couldn't confirm the delete/.test(text) && /may or may not be deleted/.test(text)) outcome.deletion = 'unconfirmed-reported';
    else outcome.problems.push(`the delete ended on an unexpected card: ${text.slice(0, 200)}`);
  }

  before(async () => {
    process.on('unhandledRejection', countUnhandled);
    loa = await startTestSandbox({ random: seededRandom(SEED), faults: FAULT_PLAN });
    h = await ConversationHarness.start(loa.url, loa, {
      env: BOT_SETTINGS,
      overrides: { logger: createLogger({ level: 'warn' }, logCounter(botLogs)) },
    });
    // Warm up once outside the measurement, so module loading and JIT do not count as growth.
    await h.rep('Warm Up').says('help');

    const gc = garbageCollector();
    const memoryBefore = sampleMemory(gc);
    const started = Date.now();
    outcomes = await inPool(REPS, CONCURRENCY, runRep);
    // Messages follow their card in each chat's paced queue: let the last ones arrive before counting.
    await quiet(h.teams, 1000);
    const durationS = Math.round((Date.now() - started) / 100) / 10;
    const calls = await loa.hooks.calls();
    agreements = await loa.hooks.agreements();
    const memoryAfter = sampleMemory(gc);

    const count = (state: FinalState) => outcomes.filter((o) => o.state === state).length;
    const signers = agreements.map((a) => a.signer.name);
    const unknownSigners = new Set(outcomes.filter((o) => o.state === 'unknown-reported').map((o) => o.signerName));
    const unknownWithAgreement = new Set(signers.filter((s) => unknownSigners.has(s))).size;
    summary = {
      seed: SEED,
      reps: REPS,
      concurrency: CONCURRENCY,
      faultPlan: FAULT_PLAN,
      botSettings: BOT_SETTINGS,
      durationS,
      outcomes: { created: count('created'), 'failed-reported': count('failed-reported'), 'unknown-reported': count('unknown-reported'), 'turn-error-reported': count('turn-error-reported'), broken: count('broken') },
      retriesPressed: outcomes.reduce((n, o) => n + o.retriesPressed, 0),
      sendingThenFollowUp: outcomes.reduce((n, o) => n + o.followUps, 0),
      deletes: deletesOf(outcomes),
      unknownWithAgreementInSandbox: unknownWithAgreement,
      unknownWithoutAgreementInSandbox: unknownSigners.size - unknownWithAgreement,
      apiCalls: { ...calls, total: Object.values(calls).reduce((n, c) => n + c, 0) },
      sandboxAgreements: agreements.length,
      duplicateSigners: signers.length - new Set(signers).size,
      unhandledRejections: unhandled.length,
      botLogs,
      memory: { before: memoryBefore, after: memoryAfter, heapGrowthMb: Math.round((memoryAfter.heapUsedMb - memoryBefore.heapUsedMb) * 10) / 10, heapGrowthLimitMb: HEAP_GROWTH_LIMIT_MB },
    };
    mkdirSync(dirname(ARTIFACT), { recursive: true });
    writeFileSync(ARTIFACT, `${JSON.stringify(summary, null, 2)}\n`);
    printSummary(summary);
  });

  after(async () => {
    process.off('unhandledRejection', countUnhandled);
    await h?.stop();
    await loa?.close();
  });

  it('ends every draft in a state the rep was told: created, failed with a message, or unknown', () => {
    const problems = outcomes.filter((o) => o.problems.length > 0 || o.state === 'broken');
    assert.deepEqual(problems.map((o) => `rep ${o.index} (${o.state}): ${o.problems.join('; ')}`), []);
    assert.equal(outcomes.length, REPS);
    for (const o of outcomes.filter((x) => x.state !== 'created')) {
      assert.ok(o.finalText.length > 40, `rep ${o.index}: the ${o.state} card explains what happened`);
    }
    // The mix of outcomes depends on timing (a starved CPU turns calls into timeouts); these only show the campaign ran.
    assert.ok(summary.outcomes.created > 0, 'some LOAs went out despite the faults');
    assert.ok(Object.keys(summary.botLogs.sendsNotCreated).length > 0, 'the faults reached the sends');
  });

  it('never shows a turn-error card, which the fault campaign has no reason to cause', () => {
    assert.equal(summary.outcomes['turn-error-reported'], 0);
    assert.equal(botLogs.errors['Turn failed'] ?? 0, 0);
    assert.equal(botLogs.errors['Could not deliver a follow-up'] ?? 0, 0);
  });

  it('creates no duplicate: no signer is on two agreements in the sandbox', () => {
    const bySigner = new Map<string, number>();
    for (const a of agreements) bySigner.set(a.signer.name, (bySigner.get(a.signer.name) ?? 0) + 1);
    assert.deepEqual([...bySigner].filter(([, n]) => n > 1), []);
    assert.equal(summary.duplicateSigners, 0);
  });

  it("backs every confirmation with exactly one sandbox agreement, the rep's own, listed in my LOAs", () => {
    for (const o of outcomes.filter((x) => x.state === 'created')) {
      const matching = agreements.filter((a) => a.id === o.agreementId);
      assert.equal(matching.length, 1, `rep ${o.index}: agreement ${o.agreementId} exists once`);
      assert.equal(matching[0]!.signer.name, o.signerName, `rep ${o.index}: for the signer the rep typed`);
      assert.equal(matching[0]!.owner, o.upn, `rep ${o.index}: in the rep's name`);
      assert.equal(o.listedInMyLoas, true, `rep ${o.index}: "my LOAs" lists it`);
    }
  });

  it('tells each rep in the chat once about the LOA they sent, and once about the one they deleted', () => {
    const told = (o: RepOutcome, pattern: RegExp) => h.teams.messages(o.conversationId, pattern).length;
    const wrong = outcomes
      .filter((o) => o.state === 'created')
      .flatMap((o) => [
        ...(told(o, /^LOA sent to /) === 1 ? [] : [`rep ${o.index}: ${told(o, /^LOA sent to /)} "LOA sent" messages`]),
        ...(o.deletion !== 'deleted' || told(o, /is deleted\.$|was already gone/) === 1 ? [] : [`rep ${o.index}: ${told(o, /is deleted\.$|was already gone/)} deletion messages`]),
      ]);
    assert.deepEqual(wrong, []);
  });

  it('deleted the LOAs it said it deleted, and only those it did not say still exist', () => {
    for (const o of outcomes.filter((x) => x.deletion)) {
      const stored = agreements.find((a) => a.id === o.agreementId)!;
      if (o.deletion === 'deleted') assert.equal(stored.status, 'DELETED', `rep ${o.index}: told "deleted"`);
      if (o.deletion === 'not-deleted-reported') assert.notEqual(stored.status, 'DELETED', `rep ${o.index}: told "still exists"`);
    }
    assert.ok(summary.deletes.asked > 0, 'some reps deleted their LOA');
  });

  it('created nothing for a draft it reported as not sent', () => {
    const failedSigners = new Set(outcomes.filter((o) => o.state === 'failed-reported').map((o) => o.signerName));
    assert.deepEqual(agreements.filter((a) => failedSigners.has(a.signer.name)).map((a) => a.signer.name), []);
  });

  it('has no unhandled promise rejection', () => {
    assert.deepEqual(unhandled.map((r) => (r instanceof Error ? r.stack : String(r))), []);
  });

  it('stays alive and answers "help" and /healthz afterwards', async () => {
    const { cards } = await h.rep('After Campaign').says('help');
    assert.match(readableText(cards[0]!), /What you can type/);
    assert.ok(actionsOf(cards[0]!).length > 0);
    const health = await axios.get(`${h.bot.url}/healthz`, { validateStatus: () => true });
    assert.equal(health.status, 200);
  });

  it(`keeps heap growth under ${HEAP_GROWTH_LIMIT_MB} MB`, () => {
    assert.ok(summary.memory.heapGrowthMb < HEAP_GROWTH_LIMIT_MB, `heap grew by ${summary.memory.heapGrowthMb} MB`);
  });
});

describe('a delete whose answer is lost', () => {
  let loa: TestSandbox;
  let h: ConversationHarness;

  before(async () => {
    loa = await startTestSandbox();
    h = await ConversationHarness.start(loa.url, loa, { env: { LOA_HTTP_TIMEOUT_MS: '300', LOA_MAX_RETRIES: '0' } });
  });
  after(async () => {
    await h.stop();
    await loa.close();
  });
  afterEach(() => loa.hooks.clearFaults());

  async function confirmDeleteCard(rep: RepSession): Promise<{ card: AdaptiveCard; id: string }> {
    await sendDistributorLoa(rep);
    const [agreement] = (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);
    const { cards } = await rep.says(`delete LOA ${agreement!.id}`);
    return { card: cards[0]!, id: agreement!.id };
  }

  it('does not claim the LOA still exists when the API may have deleted it', async () => {
    const rep = h.rep();
    const { card, id } = await confirmDeleteCard(rep);
    // The sandbox deletes it after the bot has given up waiting.
    await loa.hooks.setFaults({ delete: { latencyMs: 600 } });
    const told = await rep.press(card, 'Delete');
    assert.match(readableText(told), /^I couldn't confirm the delete/);
    assert.doesNotMatch(readableText(told), /still exists/);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await loa.hooks.agreements()).find((a) => a.id === id)?.status, 'DELETED');
    await loa.hooks.clearFaults();
    assert.match(readableText(await rep.press(told, 'Delete')), /^Already gone/, 'pressing Delete again tells the rep it is gone');
  });

  it('still does not claim it exists when a later Delete is refused before processing', async () => {
    const rep = h.rep();
    const { card, id } = await confirmDeleteCard(rep);
    await loa.hooks.setFaults({ delete: { latencyMs: 600 } });
    const unconfirmed = await rep.press(card, 'Delete');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await loa.hooks.agreements()).find((a) => a.id === id)?.status, 'DELETED');
    await loa.hooks.setFaults({ delete: { next: ['503'] } });
    const refused = await rep.press(unconfirmed, 'Delete');
    assert.match(readableText(refused), /^I couldn't confirm the delete/, 'the earlier attempt may have gone through');
    assert.doesNotMatch(readableText(refused), /still exists/);
  });

  it('says the LOA still exists when the API refused before processing', async () => {
    const rep = h.rep();
    const { card, id } = await confirmDeleteCard(rep);
    await loa.hooks.setFaults({ delete: { next: ['503'] } });
    const told = await rep.press(card, 'Delete');
    assert.match(readableText(told), /^Not deleted yet/);
    assert.match(readableText(told), /still exists/);
    assert.notEqual((await loa.hooks.agreements()).find((a) => a.id === id)?.status, 'DELETED');
    assert.match(readableText(await rep.press(told, 'Delete')), /^LOA deleted/);
  });
});

/**
 * Issue "Never left at Sending…", part 6: the same kind of reps while Teams and storage fail
 * too. The LOA API fails as above; the fake Teams connector refuses 20% of posts and updates
 * (429 with Retry-After, 500, calls that time out, dropped connections) and answers 403
 * BotNotInConversationRoster in the chats of reps who removed the app; the bot keeps its state
 * in Azurite behind a proxy that fails a few percent of blob requests (503, 500, rare hangs).
 * The summary goes to stdout and test-artifacts/fault-campaign-teams-storage.json.
 */
const OUTAGE_REPS = 200;
const OUTAGE_CONCURRENCY = 20;
const OUTAGE_SEED = 0x7ea_2026;
/** One rep in twenty removes the app from their chat as soon as Send is answered. */
const REMOVE_APP_EVERY = 20;
/** 20% of posts and updates are refused, 5% for each kind. */
const TEAMS_FAULT_RATES = { '429': 0.05, '500': 0.05, timeout: 0.05, drop: 0.05 } as const;
const TEAMS_RETRY_AFTER_S = 1;
/** How long a call that times out is held before its connection drops. */
const TEAMS_TIMEOUT_MS = 1_500;
/** The blob client tries a 503 or 500 three times; a hang fails its call at the bot's 5 s bound, so hangs stay rare. */
const STORAGE_FAULT_RATES = { '503': 0.03, '500': 0.01, hang: 0.002 } as const;
/** Short, so that redelivery by "another instance" happens within the campaign, and races the first delivery. */
const OUTAGE_FOLLOW_UP_GRACE_MS = 1_000;
/** How long a rep watches a "Sending…" card before typing "help" to see whether it is done. */
const REP_PATIENCE_MS = 10_000;
/** After the reps: how long every promised result gets to arrive, and the quiet that ends the wait for late duplicates. */
const SETTLE_WAIT_MS = 60_000;
const QUIET_MS = 10_000;
const OUTAGE_ARTIFACT = resolve(__dirname, '../../test-artifacts/fault-campaign-teams-storage.json');
const PROMISE = /^(Sending your LOA|Deleting…)/;
/** The bot's answers when a step failed on its side and nothing was sent or changed (a card's title, or a chat message when a typed turn could not read its state). */
const REFUSED = /^I couldn't save that|^My storage did not answer just now|something went wrong on my side/i;
/** How often a rep does a step again after such an answer. */
const TRIES_AFTER_A_REFUSAL = 3;

type OutageState = FinalState | 'app-removed' | 'storage-refused-reported';

/** A card the bot answered "Sending…" or "Deleting…", and how its result reached the rep. */
interface PromisedCard {
  cardId: string;
  pressedAt: number;
  /** The card was updated in place with the result. */
  updated: boolean;
  /** The result was shown in a later turn of the rep ("help", "my LOAs"). */
  shownInTurn: boolean;
}

interface OutageRepOutcome {
  index: number;
  upn: string;
  conversationId: string;
  /** The bot logs reps by this pseudonym (`hashId` of the Entra object id). */
  repLogId: string;
  signerName: string;
  appRemoved: boolean;
  state: OutageState;
  finalText: string;
  agreementId?: string;
  retriesPressed: number;
  deletion?: 'deleted' | 'not-deleted-reported' | 'unconfirmed-reported';
  deleteRetriesPressed: number;
  /** Answers that the bot's storage failed and nothing was done, after which the rep did the step again. */
  refusalsSeen: number;
  /** "I can't find that LOA" for an LOA the bot had confirmed: its record was still being written. */
  notFoundRightAfterConfirmation: number;
  promised: PromisedCard[];
  /** Results shown again in a later turn after the rep had already seen them. */
  shownAgain: number;
  /** Chat messages in the replies to the rep's own messages, which Teams receives in the HTTP answer, not as posts. */
  turnTexts: string[];
  listedInMyLoas?: boolean;
  problems: string[];
}

interface OutageSummary {
  seed: number;
  reps: number;
  concurrency: number;
  repsWhoRemovedTheApp: number;
  faults: {
    loaApi: FaultPlan;
    teams: { rates: typeof TEAMS_FAULT_RATES; retryAfterS: number; timeoutMs: number };
    storage: { rates: typeof STORAGE_FAULT_RATES; blobRequests: number; served: Record<StorageFault, number> };
  };
  botSettings: Record<string, string>;
  followUpGraceMs: number;
  durationS: number;
  settleS: number;
  outcomes: Record<OutageState, number>;
  retriesPressed: number;
  refusalsSeen: number;
  notFoundRightAfterConfirmation: number;
  promised: { total: number; updatedInPlace: number; shownInLaterTurn: number; leftAtSendingOrDeleting: number; inRemovedChats: number };
  shownAgain: number;
  deletes: CampaignSummary['deletes'];
  teams: { postsAndUpdates: number; refused: Record<string, number> };
  messages: { loaSent: number; deleted: number; repsToldTwice: number };
  apiCalls: CallCounts & { total: number };
  sandboxAgreements: number;
  duplicateSigners: number;
  unhandledRejections: number;
  botLogs: { errors: Record<string, number>; warnings: Record<string, number> };
}

/** Bot log lines counted by level and message, with the warnings and errors kept for reading when a rep went wrong. */
function outageLogCounter(counts: OutageSummary['botLogs'], kept: string[], keep: number) {
  const add = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  return {
    write: (line: string) => {
      const entry = JSON.parse(line) as LogEntry;
      if (entry.level === 'error' || entry.level === 'fatal') add(counts.errors, entry.msg ?? '?');
      if (entry.level === 'warn') add(counts.warnings, entry.msg ?? '?');
      if (kept.length < keep) kept.push(line.trim());
    },
  };
}

describe(`fault campaign: ${OUTAGE_REPS} reps while Teams refuses 20% of posts, storage fails and the LOA API fails 30% of calls`, () => {
  let azurite: RunningAzurite;
  let proxy: StorageFaultProxy;
  let loa: TestSandbox;
  let h: ConversationHarness;
  let outcomes: OutageRepOutcome[] = [];
  let agreements: SandboxAgreementView[] = [];
  let summary: OutageSummary;
  let blobRequests = 0;
  const unhandled: unknown[] = [];
  const countUnhandled = (reason: unknown) => void unhandled.push(reason);
  const botLogs: OutageSummary['botLogs'] = { errors: {}, warnings: {} };
  const logLines: string[] = [];
  const sessions = new Map<number, RepSession>();

  /** What a rep was told in the chat: the posts Teams took, and the messages in the replies to their turns. */
  const toldIn = (o: OutageRepOutcome, pattern: RegExp) => [...h.teams.messages(o.conversationId), ...o.turnTexts].filter((t) => pattern.test(t)).length;
  const LOA_SENT = /^LOA sent to /;
  const DELETED = /is deleted\.$|was already gone/;

  /** The rep types `text`; the answer's cards (the first is the command's own, any others are results shown late) and messages. */
  async function turn(rep: RepSession, text: string, outcome: OutageRepOutcome): Promise<{ cards: AdaptiveCard[]; texts: string[] }> {
    const res = await h.post({ ...rep.activity('message'), text, deliveryMode: 'expectReplies' });
    if (res.status !== 200) throw new Error(`"${text}" answered HTTP ${res.status}: ${JSON.stringify(res.data).slice(0, 200)}`);
    const activities = (res.data as { activities?: Array<{ text?: unknown }> } | undefined)?.activities ?? [];
    const texts = activities.map((a) => a.text).filter((t): t is string => typeof t === 'string' && t !== '');
    const cards = cardsIn(res.data);
    cards.forEach((c) => assertValidCard(c));
    outcome.turnTexts.push(...texts);
    return { cards, texts };
  }

  /** Results shown late in a turn's answer: they settle the card the rep waits on, or were shown before. */
  function lateResults(cards: AdaptiveCard[], outcome: OutageRepOutcome, waiting?: PromisedCard): AdaptiveCard | undefined {
    const late = cards.slice(1);
    if (late.length === 0) return undefined;
    if (!waiting) {
      outcome.shownAgain += late.length;
      return undefined;
    }
    outcome.shownAgain += late.length - 1;
    waiting.shownInTurn = true;
    return late.at(-1);
  }

  /**
   * Presses Send, Retry or Delete. When the answer is "Sending…" or "Deleting…", the rep watches
   * the card for its update and, every REP_PATIENCE_MS without one, types "help" to see whether
   * the result is shown there. Undefined when neither came within FOLLOW_UP_WAIT_MS: the final
   * wait looks again.
   */
  async function pressAndSettle(rep: RepSession, card: AdaptiveCard, title: string, outcome: OutageRepOutcome): Promise<AdaptiveCard | undefined> {
    const cardId = rep.cardIdOf(card);
    const updatesOfCard = () => h.teams.updated(rep.conversationId).filter((c) => c.activityId === cardId);
    const updatesBefore = updatesOfCard().length;
    const pressedAt = Date.now();
    const answered = await rep.press(card, title);
    if (!PROMISE.test(readableText(answered))) return answered;
    const promise: PromisedCard = { cardId, pressedAt, updated: false, shownInTurn: false };
    outcome.promised.push(promise);
    const deadline = pressedAt + FOLLOW_UP_WAIT_MS;
    while (Date.now() < deadline) {
      try {
        await h.teams.waitFor(() => updatesOfCard().length > updatesBefore, Math.min(REP_PATIENCE_MS, deadline - Date.now()));
        promise.updated = true;
        const [attachment] = updatesOfCard()[updatesBefore]!.body.attachments as Array<{ content: AdaptiveCard }>;
        assert.ok(attachment, 'the follow-up carries a card');
        assertValidCard(attachment.content);
        return attachment.content;
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('FakeTeams: condition not met')) throw err;
      }
      const { cards } = await turn(rep, 'help', outcome);
      const shown = lateResults(cards, outcome, promise);
      if (shown) return shown;
    }
    return undefined;
  }

  /**
   * Whether the bot told the rep that this step failed on its side and nothing was done
   * ("I couldn't save that", "My storage did not answer just now", "Something went wrong on my
   * side"): the rep then does it again.
   * Anything else unexpected is a problem of the campaign's.
   */
  function refusedByTheBot(answer: AdaptiveCard | undefined, texts: string[], what: string, outcome: OutageRepOutcome): void {
    const said = answer ? readableText(answer) : texts.join(' ');
    if (!REFUSED.test(said)) throw new Error(`${what} answered ${said.slice(0, 200) || 'nothing'}`);
    outcome.refusalsSeen++;
  }

  /**
   * Types `text` until the answer's first card matches `expected`, trying again after a refusal.
   * A rep told that the LOA the bot just confirmed is not theirs also tries again a moment later:
   * its record may still be on its way to storage.
   */
  async function typeUntil(rep: RepSession, text: string, expected: RegExp, outcome: OutageRepOutcome): Promise<AdaptiveCard[]> {
    for (let tries = 0; ; tries++) {
      const { cards, texts } = await turn(rep, text, outcome);
      // A turn that fails after its card was made still shows the card, then says nothing new was done.
      const failedAfter = texts.some((t) => REFUSED.test(t));
      if (cards[0] && expected.test(readableText(cards[0])) && !failedAfter) return cards;
      if (tries === TRIES_AFTER_A_REFUSAL) throw new Error(`"${text}" answered ${cards[0] ? readableText(cards[0]).slice(0, 200) : texts.join(' ')} ${TRIES_AFTER_A_REFUSAL + 1} times`);
      if (cards[0] && !failedAfter && /^I can't find that LOA/.test(readableText(cards[0]))) {
        outcome.notFoundRightAfterConfirmation++;
        await new Promise((r) => setTimeout(r, 2_000));
        continue;
      }
      refusedByTheBot(failedAfter ? undefined : cards[0], texts, `"${text}"`, outcome);
    }
  }

  /** "send LOA", the template, valid details, Review; started again after a refusal (nothing was sent). */
  async function reviewCard(rep: RepSession, details: Record<string, unknown>, outcome: OutageRepOutcome): Promise<AdaptiveCard> {
    for (let tries = 0; ; tries++) {
      const [first] = await typeUntil(rep, 'send LOA', /^(Send an LOA: choose a template|You have an LOA in progress)/, outcome);
      // After a refusal the rep's LOA is still open, and the bot asks before replacing it: they carry on with it.
      const opened = /^You have an LOA in progress/.test(readableText(first!)) ? await rep.press(first!, 'Continue my open LOA') : first!;
      const form = hasButton(opened, 'Use this template') ? await rep.press(opened, 'Use this template', {}, (a) => a.data.templateId === DISTRIBUTOR_TEMPLATE_ID) : opened;
      const review = hasButton(form, 'Review') ? await rep.press(form, 'Review', distributorDetails(details)) : form;
      if (hasButton(review, 'Send')) return review;
      if (tries === TRIES_AFTER_A_REFUSAL) throw new Error(`no review card after ${TRIES_AFTER_A_REFUSAL + 1} tries: ${readableText(review).slice(0, 200)}`);
      refusedByTheBot(review, [], 'the draft', outcome);
    }
  }

  /**
   * Send or Retry, then what a rep does when the bot answers that its storage failed: "Back to
   * my draft", Review, Send again.
   */
  async function sendAndSettle(rep: RepSession, card: AdaptiveCard, title: string, details: Record<string, unknown>, outcome: OutageRepOutcome): Promise<AdaptiveCard | undefined> {
    let answer = await pressAndSettle(rep, card, title, outcome);
    for (let tries = 0; answer && REFUSED.test(readableText(answer)) && tries < TRIES_AFTER_A_REFUSAL; tries++) {
      outcome.refusalsSeen++;
      if (!hasButton(answer, 'Back to my draft')) return answer;
      const back = await rep.press(answer, 'Back to my draft');
      const review = hasButton(back, 'Review') ? await rep.press(back, 'Review', distributorDetails(details)) : back;
      answer = hasButton(review, 'Send') ? await pressAndSettle(rep, review, 'Send', outcome) : review;
    }
    return answer;
  }

  /** One rep, as in the first campaign; a rep who removes the app stops after pressing Send. */
  async function runRep(index: number): Promise<OutageRepOutcome> {
    const rep = h.rep(`Outage Rep ${lettersOf(index)}`);
    sessions.set(index, rep);
    const signerName = `Outage Signer ${String(index).padStart(3, '0')}`;
    const details = { signerName, signerEmail: `outage.signer.${index}@acme.example` };
    const appRemoved = index % REMOVE_APP_EVERY === REMOVE_APP_EVERY - 1;
    const outcome: OutageRepOutcome = {
      index,
      upn: rep.member.userPrincipalName,
      conversationId: rep.conversationId,
      repLogId: hashId(rep.member.aadObjectId)!,
      signerName,
      appRemoved,
      state: 'broken',
      finalText: '',
      retriesPressed: 0,
      deleteRetriesPressed: 0,
      refusalsSeen: 0,
      notFoundRightAfterConfirmation: 0,
      promised: [],
      shownAgain: 0,
      turnTexts: [],
      problems: [],
    };
    try {
      const review = await reviewCard(rep, details, outcome);
      if (appRemoved) {
        const cardId = rep.cardIdOf(review);
        const pressedAt = Date.now();
        const answered = await rep.press(review, 'Send');
        h.teams.removedFrom.add(rep.conversationId);
        if (PROMISE.test(readableText(answered))) outcome.promised.push({ cardId, pressedAt, updated: false, shownInTurn: false });
        outcome.state = 'app-removed';
        return outcome;
      }
      let card = await sendAndSettle(rep, review, 'Send', details, outcome);
      while (card && /Your LOA was not sent/.test(readableText(card)) && outcome.retriesPressed < RETRIES_A_REP_PRESSES) {
        outcome.retriesPressed++;
        card = await sendAndSettle(rep, card, 'Retry', details, outcome);
      }
      // Still "Sending…" after FOLLOW_UP_WAIT_MS: the final wait looks again.
      if (!card) return outcome;
      classifySend(card, outcome);
      if (outcome.agreementId && index % DELETE_EVERY === 0) await deleteAsACarefulRep(rep, outcome.agreementId, outcome);
      await checkMyLoas(rep, outcome);
    } catch (err) {
      outcome.problems.push(err instanceof Error ? err.message : String(err));
    }
    return outcome;
  }

  /** What the rep was finally told about their Send. */
  function classifySend(card: AdaptiveCard, outcome: OutageRepOutcome): void {
    const text = readableText(card);
    outcome.finalText = text;
    if (toldAboutSend(text, outcome)) return;
    if (REFUSED.test(text)) {
      outcome.state = 'storage-refused-reported';
    } else {
      outcome.problems.push(`ended on an unexpected card: ${text.slice(0, 200)}`);
    }
  }

  /** "my LOAs": the list, and whether it shows the rep's LOA. */
  async function checkMyLoas(rep: RepSession, outcome: OutageRepOutcome): Promise<void> {
    const cards = await typeUntil(rep, 'my LOAs', /^Your LOAs/, outcome);
    lateResults(cards, outcome);
    if (outcome.agreementId) outcome.listedInMyLoas = readableText(cards[0]!).includes(`ref ${defaultRef(outcome.agreementId)}`);
  }

  /** "delete LOA <id>", Delete, and Delete again while it is not done; typed again after a refusal. */
  async function deleteAsACarefulRep(rep: RepSession, agreementId: string, outcome: OutageRepOutcome): Promise<void> {
    let card: AdaptiveCard | undefined;
    for (let tries = 0; tries <= TRIES_AFTER_A_REFUSAL && (!card || REFUSED.test(readableText(card))); tries++) {
      if (card) outcome.refusalsSeen++;
      // "Already deleted": an earlier try went through although the bot answered that it failed.
      const cards = await typeUntil(rep, `delete LOA ${agreementId}`, /^(Delete this LOA\?|Already deleted)/, outcome);
      lateResults(cards, outcome);
      card = /^Already deleted/.test(readableText(cards[0]!)) ? cards[0] : await pressAndSettle(rep, cards[0]!, 'Delete', outcome);
      // Deleting again is safe after a refusal and after an unconfirmed delete alike.
      while (card && /^(Not deleted yet|I couldn't confirm the delete)/.test(readableText(card)) && outcome.deleteRetriesPressed < RETRIES_A_REP_PRESSES) {
        outcome.deleteRetriesPressed++;
        card = await pressAndSettle(rep, card, 'Delete', outcome);
      }
    }
    if (!card) return;
    const text = readableText(card);
    if (/^(LOA deleted|Already gone|Already deleted)/.test(text)) outcome.deletion = 'deleted';
    else if (/^Not deleted yet/.test(text) && /still exists/.test(text)) outcome.deletion = 'not-deleted-reported';
    else if (/^I couldn't confirm the delete/.test(text) && /may or may not be deleted/.test(text)) outcome.deletion = 'unconfirmed-reported';
    else outcome.problems.push(`the delete ended on an unexpected card: ${text.slice(0, 200)}`);
  }

  const unsettled = (o: OutageRepOutcome) => o.promised.filter((p) => !p.shownInTurn && !h.teams.updated(o.conversationId).some((c) => c.activityId === p.cardId && c.at >= p.pressedAt));

  /**
   * After the reps: every promised result gets SETTLE_WAIT_MS to reach its card (redelivery
   * included); a rep still looking at "Sending…" then types "help". Then Teams must stay quiet
   * for QUIET_MS, so that a late duplicate is counted.
   */
  async function settleAll(): Promise<void> {
    const waiting = () => outcomes.filter((o) => !o.appRemoved && unsettled(o).length > 0);
    await h.teams.waitFor(() => waiting().length === 0, SETTLE_WAIT_MS).catch(() => undefined);
    for (const o of waiting()) {
      try {
        const { cards } = await turn(sessions.get(o.index)!, 'help', o);
        const shown = lateResults(cards, o, unsettled(o)[0]);
        if (shown && o.state === 'broken') classifySend(shown, o);
      } catch (err) {
        o.problems.push(`the last "help": ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const deadline = Date.now() + SETTLE_WAIT_MS;
    let seen = -1;
    while (Date.now() < deadline) {
      const now = h.teams.calls.length + h.teams.refused.length;
      if (now === seen) break;
      seen = now;
      await new Promise((r) => setTimeout(r, QUIET_MS));
    }
    // A record whose write storage failed is written in the background: "my LOAs" shows it later.
    for (const o of outcomes.filter((x) => x.agreementId && !x.listedInMyLoas && x.problems.length === 0)) {
      await checkMyLoas(sessions.get(o.index)!, o).catch((err: unknown) => o.problems.push(`the last "my LOAs": ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  before(async () => {
    process.on('unhandledRejection', countUnhandled);
    azurite = await startAzurite();
    const storageRandom = seededRandom(OUTAGE_SEED + 1);
    proxy = await StorageFaultProxy.forConnectionString(azurite.connectionString, () => {
      blobRequests++;
      return storageRandom();
    });
    loa = await startTestSandbox({ random: seededRandom(OUTAGE_SEED), faults: FAULT_PLAN });
    h = await ConversationHarness.start(loa.url, loa, {
      env: { ...BOT_SETTINGS, STATE_STORAGE: 'blob', STATE_BLOB_CONNECTION_STRING: proxy.proxied(azurite.connectionString), STATE_BLOB_CONTAINER: 'outage-campaign' },
      overrides: { logger: createLogger({ level: 'warn' }, outageLogCounter(botLogs, logLines, 20_000)), followUpGraceMs: OUTAGE_FOLLOW_UP_GRACE_MS },
    });
    await h.rep('Warm Up').says('help');
    // The faults start once the bot has created its container.
    blobRequests = 0;
    proxy.plan = { rates: { ...STORAGE_FAULT_RATES } };
    h.teams.faultRates = { rates: { ...TEAMS_FAULT_RATES }, random: seededRandom(OUTAGE_SEED + 2), retryAfterS: TEAMS_RETRY_AFTER_S, timeoutMs: TEAMS_TIMEOUT_MS };

    const started = Date.now();
    outcomes = await inPool(OUTAGE_REPS, OUTAGE_CONCURRENCY, runRep);
    const repsDone = Date.now();
    await settleAll();
    const settled = Date.now();
    // Counted with the faults still on, then off for the checks that follow.
    proxy.plan = {};
    h.teams.faultRates = undefined;
    h.teams.removedFrom.clear();
    const calls = await loa.hooks.calls();
    agreements = await loa.hooks.agreements();

    const count = (state: OutageState) => outcomes.filter((o) => o.state === state).length;
    const signers = agreements.map((a) => a.signer.name);
    const promises = outcomes.flatMap((o) => o.promised.map((p) => ({ o, p })));
    const updated = (o: OutageRepOutcome, p: PromisedCard) => h.teams.updated(o.conversationId).some((c) => c.activityId === p.cardId && c.at >= p.pressedAt);
    const refused: Record<string, number> = {};
    for (const r of h.teams.refused) refused[String(r.status)] = (refused[String(r.status)] ?? 0) + 1;
    summary = {
      seed: OUTAGE_SEED,
      reps: OUTAGE_REPS,
      concurrency: OUTAGE_CONCURRENCY,
      repsWhoRemovedTheApp: outcomes.filter((o) => o.appRemoved).length,
      faults: {
        loaApi: FAULT_PLAN,
        teams: { rates: TEAMS_FAULT_RATES, retryAfterS: TEAMS_RETRY_AFTER_S, timeoutMs: TEAMS_TIMEOUT_MS },
        storage: { rates: STORAGE_FAULT_RATES, blobRequests, served: { ...proxy.served } },
      },
      botSettings: BOT_SETTINGS,
      followUpGraceMs: OUTAGE_FOLLOW_UP_GRACE_MS,
      durationS: Math.round((repsDone - started) / 100) / 10,
      settleS: Math.round((settled - repsDone) / 100) / 10,
      outcomes: {
        created: count('created'),
        'failed-reported': count('failed-reported'),
        'unknown-reported': count('unknown-reported'),
        'turn-error-reported': count('turn-error-reported'),
        broken: count('broken'),
        'app-removed': count('app-removed'),
        'storage-refused-reported': count('storage-refused-reported'),
      },
      retriesPressed: outcomes.reduce((n, o) => n + o.retriesPressed, 0),
      refusalsSeen: outcomes.reduce((n, o) => n + o.refusalsSeen, 0),
      notFoundRightAfterConfirmation: outcomes.reduce((n, o) => n + o.notFoundRightAfterConfirmation, 0),
      promised: {
        total: promises.length,
        updatedInPlace: promises.filter(({ o, p }) => updated(o, p)).length,
        shownInLaterTurn: promises.filter(({ p }) => p.shownInTurn).length,
        leftAtSendingOrDeleting: promises.filter(({ o, p }) => !o.appRemoved && !p.shownInTurn && !updated(o, p)).length,
        inRemovedChats: promises.filter(({ o }) => o.appRemoved).length,
      },
      shownAgain: outcomes.reduce((n, o) => n + o.shownAgain, 0),
      deletes: deletesOf(outcomes),
      teams: { postsAndUpdates: h.teams.calls.length, refused },
      messages: {
        loaSent: outcomes.reduce((n, o) => n + toldIn(o, LOA_SENT), 0),
        deleted: outcomes.reduce((n, o) => n + toldIn(o, DELETED), 0),
        repsToldTwice: outcomes.filter((o) => toldIn(o, LOA_SENT) > 1 || toldIn(o, DELETED) > 1).length,
      },
      apiCalls: { ...calls, total: Object.values(calls).reduce((n, c) => n + c, 0) },
      sandboxAgreements: agreements.length,
      duplicateSigners: signers.length - new Set(signers).size,
      unhandledRejections: unhandled.length,
      botLogs,
    };
    mkdirSync(dirname(OUTAGE_ARTIFACT), { recursive: true });
    writeFileSync(OUTAGE_ARTIFACT, `${JSON.stringify(summary, null, 2)}\n`);
    printOutageSummary(summary);
  });

  after(async () => {
    process.off('unhandledRejection', countUnhandled);
    // Everything is stopped even when one stop fails, or the servers left open keep mocha from exiting.
    const failures: unknown[] = [];
    const closeBot = async () => {
      try {
        await h?.bot.close();
      } catch (err) {
        // A close that failed part-way stopped nothing after the failing step: once more, to stop the rest.
        failures.push(err);
        await h?.bot.close();
      }
    };
    for (const stop of [closeBot, () => h?.teams.stop(), () => loa?.close(), () => proxy?.stop(), () => azurite?.stop()]) {
      await Promise.resolve().then(stop).catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw failures[0];
  });

  /** The bot's warnings and errors about a rep or their agreement, to read when a check names them. */
  const linesOf = (o: OutageRepOutcome) => logLines.filter((l) => l.includes(o.repLogId) || (o.agreementId !== undefined && l.includes(o.agreementId))).slice(0, 20);
  /** What Teams took and refused in a rep's chat, in order, from the first card the rep waited on. */
  const timelineOf = (o: OutageRepOutcome) => {
    const from = o.promised[0]?.pressedAt ?? 0;
    const firstLine = (c: RecordedCall) => (typeof c.body.text === 'string' ? c.body.text : readableText((c.body.attachments as Array<{ content: AdaptiveCard }>)[0]!.content)).split('\n')[0]!.slice(0, 40);
    return [
      ...o.promised.map((p) => ({ at: p.pressedAt, what: `pressed, answered "Sending…"/"Deleting…" on card ${p.cardId.slice(0, 8)}` })),
      ...h.teams.calls.filter((c) => c.conversationId === o.conversationId).map((c) => ({ at: c.at, what: `${c.method} ${c.activityId ? `card ${c.activityId.slice(0, 8)} ` : ''}"${firstLine(c)}"` })),
      ...h.teams.refused.filter((r) => r.conversationId === o.conversationId).map((r) => ({ at: r.at, what: `${r.method} refused ${r.status}` })),
    ]
      .sort((a, b) => a.at - b.at)
      .map((e) => `${((e.at - from) / 1000).toFixed(2)} s ${e.what}`);
  };
  const explain = (o: OutageRepOutcome, what: string) => [`rep ${o.index} (${o.state}): ${what}`, ...timelineOf(o), ...o.turnTexts.map((t) => `in a turn's answer: "${t.slice(0, 40)}"`), ...linesOf(o)].join('\n      ');

  it('shows every outcome to its rep exactly once: on the card or in a later turn, and one message per LOA sent or deleted', () => {
    const wrong = outcomes.flatMap((o) => {
      const problems = [...o.problems];
      if (!o.appRemoved) {
        if (o.state === 'broken' && problems.length === 0) problems.push('saw no outcome');
        const loaSent = toldIn(o, LOA_SENT);
        if (loaSent !== (o.state === 'created' ? 1 : 0)) problems.push(`${loaSent} "LOA sent" messages`);
        const deleted = toldIn(o, DELETED);
        if (deleted !== (o.deletion === 'deleted' ? 1 : 0)) problems.push(`${deleted} deletion messages`);
        if (o.state === 'created' && o.listedInMyLoas !== true) problems.push('"my LOAs" does not list the LOA');
        if (o.shownAgain > 0) problems.push(`${o.shownAgain} results shown again in a later turn`);
      } else if (toldIn(o, LOA_SENT) > 1) {
        problems.push(`${toldIn(o, LOA_SENT)} "LOA sent" messages in a chat the app was removed from`);
      }
      return problems.length > 0 ? [explain(o, problems.join('; '))] : [];
    });
    assert.deepEqual(wrong, []);
    assert.ok(summary.outcomes.created > 0, 'some LOAs went out despite the faults');
    assert.ok((summary.teams.refused['429'] ?? 0) > 0 && (summary.teams.refused['500'] ?? 0) > 0, 'the Teams faults reached the bot');
    if (summary.promised.inRemovedChats > 0) assert.ok((summary.teams.refused['403'] ?? 0) > 0, 'results promised in removed chats met the 403');
    assert.ok(summary.faults.storage.served['503'] > 0, 'the storage faults reached the bot');
  });

  it('creates no duplicate: no signer is on two agreements in the sandbox', () => {
    const bySigner = new Map<string, number>();
    for (const a of agreements) bySigner.set(a.signer.name, (bySigner.get(a.signer.name) ?? 0) + 1);
    assert.deepEqual([...bySigner].filter(([, n]) => n > 1), []);
    for (const o of outcomes.filter((x) => x.state === 'created')) {
      assert.equal(agreements.filter((a) => a.id === o.agreementId && a.signer.name === o.signerName).length, 1, `rep ${o.index}: its confirmation names its own agreement`);
    }
  });

  it('leaves no card at "Sending…" or "Deleting…" once redelivery had its time', () => {
    const left = outcomes.filter((o) => !o.appRemoved && unsettled(o).length > 0).map((o) => explain(o, `${unsettled(o).length} card(s) still at "Sending…" or "Deleting…"`));
    assert.deepEqual(left, []);
    assert.equal(summary.promised.leftAtSendingOrDeleting, 0);
    assert.ok(summary.promised.total > 0, 'some results were promised');
  });

  it('has no unhandled promise rejection', () => {
    assert.deepEqual(unhandled.map((r) => (r instanceof Error ? r.stack : String(r))), []);
  });

  it('stays alive and answers "help" and /healthz afterwards', async () => {
    const { cards } = await h.rep('After Outage').says('help');
    assert.match(readableText(cards[0]!), /What you can type/);
    const health = await axios.get(`${h.bot.url}/healthz`, { validateStatus: () => true });
    assert.equal(health.status, 200);
  });
});

function printSummary(s: CampaignSummary): void {
  const rows: Array<[string, string | number]> = [
    ['reps (concurrency)', `${s.reps} (${s.concurrency})`],
    ['created', s.outcomes.created],
    ['failed, reported', s.outcomes['failed-reported']],
    ['unknown, reported', `${s.outcomes['unknown-reported']} (in sandbox: ${s.unknownWithAgreementInSandbox}, not: ${s.unknownWithoutAgreementInSandbox})`],
    ['turn errors', s.outcomes['turn-error-reported']],
    ['broken', s.outcomes.broken],
    ['retries pressed', s.retriesPressed],
    ['"Sending…" then follow-up', s.sendingThenFollowUp],
    ['deletes: done / not / unconfirmed', `${s.deletes.deleted} / ${s.deletes.notDeletedReported} / ${s.deletes.unconfirmedReported} of ${s.deletes.asked} (Delete pressed again ${s.deletes.retriesPressed}×)`],
    ['sends that created nothing, why', tally(s.botLogs.sendsNotCreated)],
    ['calls without an answer', tally(s.botLogs.callsWithoutAnswer)],
    ['bot error logs', tally(s.botLogs.errors)],
    ['API calls token/create/get/delete', `${s.apiCalls.token}/${s.apiCalls.create}/${s.apiCalls.get}/${s.apiCalls.delete} (total ${s.apiCalls.total})`],
    ['sandbox agreements', s.sandboxAgreements],
    ['duplicate signers', s.duplicateSigners],
    ['unhandled rejections', s.unhandledRejections],
    ['duration', `${s.durationS} s`],
    ['RSS before/after', `${s.memory.before.rssMb}/${s.memory.after.rssMb} MB`],
    ['heap before/after', `${s.memory.before.heapUsedMb}/${s.memory.after.heapUsedMb} MB${s.memory.after.gcRan ? ' (after GC)' : ''}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n  fault campaign, seed ${s.seed}:`);
  for (const [k, v] of rows) console.log(`    ${k.padEnd(width)}  ${v}`);
  console.log(`    written to ${ARTIFACT}\n`);
}

function printOutageSummary(s: OutageSummary): void {
  const rows: Array<[string, string | number]> = [
    ['reps (concurrency)', `${s.reps} (${s.concurrency}), ${s.repsWhoRemovedTheApp} of them remove the app after Send`],
    ['created', s.outcomes.created],
    ['failed, reported', s.outcomes['failed-reported']],
    ['unknown, reported', s.outcomes['unknown-reported']],
    ['turn errors', s.outcomes['turn-error-reported']],
    ['broken', s.outcomes.broken],
    ['storage refusals the reps got past', `${s.refusalsSeen}; ended on one: ${s.outcomes['storage-refused-reported']}`],
    ['"can\'t find that LOA" right after "LOA sent"', s.notFoundRightAfterConfirmation],
    ['retries pressed', s.retriesPressed],
    ['"Sending…"/"Deleting…" answered', `${s.promised.total}: card updated ${s.promised.updatedInPlace}, shown in a later turn ${s.promised.shownInLaterTurn}, left ${s.promised.leftAtSendingOrDeleting}, in removed chats ${s.promised.inRemovedChats}`],
    ['results shown again', s.shownAgain],
    ['deletes: done / not / unconfirmed', `${s.deletes.deleted} / ${s.deletes.notDeletedReported} / ${s.deletes.unconfirmedReported} of ${s.deletes.asked} (Delete pressed again ${s.deletes.retriesPressed}×)`],
    ['messages: LOA sent / deleted', `${s.messages.loaSent} / ${s.messages.deleted}, reps told twice: ${s.messages.repsToldTwice}`],
    ['Teams posts and updates taken', s.teams.postsAndUpdates],
    ['Teams refusals by status', tally(s.teams.refused)],
    ['blob requests, faults served', `${s.faults.storage.blobRequests}: ${tally(s.faults.storage.served)}`],
    ['API calls token/create/get/delete', `${s.apiCalls.token}/${s.apiCalls.create}/${s.apiCalls.get}/${s.apiCalls.delete} (total ${s.apiCalls.total})`],
    ['sandbox agreements', s.sandboxAgreements],
    ['duplicate signers', s.duplicateSigners],
    ['unhandled rejections', s.unhandledRejections],
    ['bot error logs', tally(s.botLogs.errors)],
    ['bot warnings', tally(s.botLogs.warnings)],
    ['duration, then final wait', `${s.durationS} s, ${s.settleS} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n  fault campaign with Teams and storage faults, seed ${s.seed}:`);
  for (const [k, v] of rows) console.log(`    ${k.padEnd(width)}  ${v}`);
  console.log(`    written to ${OUTAGE_ARTIFACT}\n`);
}

function tally(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ×${n}`).join(', ');
}

/** Resolves once the fake Teams has received no call for `ms`. */
async function quiet(teams: FakeTeams, ms: number): Promise<void> {
  for (let seen = -1; seen !== teams.calls.length; ) {
    seen = teams.calls.length;
    await new Promise((r) => setTimeout(r, ms));
  }
}
