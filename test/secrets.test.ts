import assert from 'node:assert/strict';
import { defaultRef } from '../bot/domain/agreementRef';
import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';
import axios from 'axios';
import type { AxiosResponse } from 'axios';
import type { RepIdentity } from '../bot/domain/rep';
import { createLogger } from '../bot/logger';
import type { AdaptiveCard } from '../cards/render';
import { VERBS } from '../cards/verbs';
import { BotFrameworkAuthority } from './helpers/botFrameworkAuth';
import { ConversationHarness } from '../testkit/conversation';
import { DISTRIBUTOR_TEMPLATE_ID, TENANT_ID, distributorDetails } from '../testkit/fixtures';
import { actionsOf, readableText } from '../testkit/cards';
import type { RepSession } from '../testkit/conversation';
import { openDistributorDraft, reviewDistributorDraft, sendDistributorLoa } from '../testkit/loaFlow';
import { startTestSandbox } from '../testkit/sandbox';
import type { TestSandbox } from '../testkit/sandbox';

/**
 * Finds known secret values in captured text: whole, URL- or JSON-escaped, or (for random
 * values) cut to their first 12 characters, which is still far too long to occur by chance.
 */
class SecretScanner {
  private readonly secrets = new Map<string, { what: string; forms: string[] }>();

  add(what: string, value: string, options: { prefix?: boolean } = {}): void {
    if (value.length < 16) throw new Error(`${what} is too short to scan for without false alarms`);
    if (this.secrets.has(value)) return;
    const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    if (options.prefix !== false) forms.add(value.slice(0, 12));
    this.secrets.set(value, { what, forms: [...forms] });
  }

  get size(): number {
    return this.secrets.size;
  }

  /** Where any secret shows in `texts`, one line per find; names the secret, never prints it. */
  leaks(source: string, texts: readonly string[]): string[] {
    const found: string[] = [];
    texts.forEach((text, i) => {
      for (const { what, forms } of this.secrets.values()) {
        if (forms.some((form) => text.includes(form))) found.push(`${source} #${i + 1} holds ${what}`);
      }
    });
    return found;
  }
}

/**
 * A pass-through HTTP proxy between the bot and the LOA sandbox that records what a leak
 * would consist of: the access tokens the sandbox issues, the Authorization headers the bot
 * sends, and the token requests (which carry the client secret). The sandbox keeps its tokens
 * to itself, and the bot must not be changed to hand them out; on the wire they are visible.
 */
class LoaTrafficRecorder {
  readonly issuedTokens = new Set<string>();
  readonly authorizations = new Set<string>();
  readonly tokenRequests: string[] = [];
  private readonly target: URL;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    target: string,
  ) {
    this.target = new URL(target);
  }

  static async start(target: string): Promise<LoaTrafficRecorder> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const recorder = new LoaTrafficRecorder(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, target);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => recorder.forward(req, res));
    return recorder;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.headers.authorization) this.authorizations.add(req.headers.authorization);
      if (req.url?.includes('token')) this.tokenRequests.push(body.toString('utf8'));
      const upstream = request(new URL(req.url ?? '/', this.target), { method: req.method, headers: { ...req.headers, host: this.target.host } }, (answer) => {
        const answered: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answered.push(chunk));
        answer.on('end', () => {
          const bytes = Buffer.concat(answered);
          this.recordToken(bytes.toString('utf8'));
          // Not chained: restify, loaded in this process, patches writeHead to return nothing.
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(bytes);
        });
        answer.on('error', () => res.destroy());
      });
      upstream.on('error', () => res.destroy());
      // The bot gave up (a timeout): so does the proxy, or a hanging sandbox request would outlive the test.
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  }

  private recordToken(text: string): void {
    try {
      const answer = JSON.parse(text) as { access_token?: unknown };
      if (typeof answer.access_token === 'string') this.issuedTokens.add(answer.access_token);
    } catch {
      // Not JSON, so no token in it.
    }
  }
}

/**
 * Copies every write to stdout and stderr into `into`, still printing it. botbuilder's
 * console.error and console.warn (a stack for each refused request) go to `into` and `quiet`
 * only, to keep the test output readable. Returns the undo.
 */
function captureProcessOutput(into: string[], quiet: string[]): () => void {
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (writes[i] as (...args: unknown[]) => boolean)(chunk, ...rest);
    };
  });
  const { error, warn } = console;
  console.error = console.warn = (...args: unknown[]) => {
    const line = format(...args);
    into.push(line);
    quiet.push(line);
  };
  return () => {
    streams.forEach((stream, i) => (stream.write = writes[i]!));
    Object.assign(console, { error, warn });
  };
}

/** A line sink for pino, as `createLogger(options, destination)` takes it. */
function lineSink(lines: string[]) {
  return { write: (line: string) => void lines.push(line) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('secrets stay out of logs, output and chat', () => {
  const scanner = new SecretScanner();
  const botLines: string[] = [];
  const sandboxLines: string[] = [];
  const printed: string[] = [];
  /** What botbuilder printed with console.error or console.warn during the current test. */
  const quiet: string[] = [];
  /** Every HTTP answer the bot gave to Teams: expected replies, invoke cards. */
  const answers: string[] = [];
  /** Bearer values sent to the bot as if from Teams; never checked without a bot registration, and never to be logged. */
  const inboundAuthorization = `Bearer ${randomBytes(32).toString('base64url')}`;
  let loa: TestSandbox;
  let recorder: LoaTrafficRecorder;
  let h: ConversationHarness;
  /** A second bot, with a bot registration: the only way MicrosoftAppPassword is configured. */
  let registered: ConversationHarness;
  let stopCapturing: () => void = () => undefined;
  let failedTurnReference = '';

  before(async () => {
    stopCapturing = captureProcessOutput(printed, quiet);
    loa = await startTestSandbox({ logger: createLogger({ level: 'trace', name: 'loa-sandbox' }, lineSink(sandboxLines)) });
    recorder = await LoaTrafficRecorder.start(loa.url);
    h = await ConversationHarness.start(recorder.url, loa, {
      // Teams is asked who the rep is on every turn, so that a roster that fails at Send fails that Send.
      env: { LOA_MAX_RETRIES: '1', LOA_HTTP_TIMEOUT_MS: '400', SEND_ACK_AFTER_MS: '3000', STATUS_POLL_FIRST_MS: '300', STATUS_POLL_MAX_INTERVAL_MS: '60000', REP_IDENTITY_CACHE_S: '0' },
      overrides: { logger: createLogger({ level: 'trace' }, lineSink(botLines)) },
    });
    const post = h.post.bind(h);
    h.post = async (activity: Record<string, unknown>) => {
      const res = await post(activity);
      answers.push(JSON.stringify(res.data ?? ''));
      return res;
    };
  });
  after(async () => {
    stopCapturing();
    await h.stop();
    await recorder.close();
    await loa.close();
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`${quiet.join('\n')}\n`);
    quiet.length = 0;
    await loa.hooks.clearFaults();
  });

  const mine = async (rep: RepSession) => (await loa.hooks.agreements()).filter((a) => a.owner === rep.member.userPrincipalName);

  describe('representative scenarios, logged at trace level', () => {
    it('sends an LOA with a cc, notifications, a subject and a message', async () => {
      const rep = h.rep();
      const sent = await sendDistributorLoa(rep, { ccName: 'Carl Copy', ccEmail: 'carl@acme.example', notifyEnabled: 'true', notifyEmails: 'ana@se.com, desk@se.com', emailSubject: 'Your letter', emailMessage: 'Please sign.' });
      assert.match(readableText(sent), /LOA sent/);
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).length > 0);
    });

    it('says the LOA service is busy when its token endpoint is down', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      await loa.hooks.setFaults({ token: { next: ['503', '503'] } });
      const failed = await rep.press(review, 'Send');
      assert.match(readableText(failed), /not sent|couldn't/);
      assert.equal((await mine(rep)).length, 0);
    });

    it('retries a 503 once by itself, then sends on Retry', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      await loa.hooks.setFaults({ create: { next: ['503', '503'] } });
      const failed = await rep.press(review, 'Send');
      assert.match(readableText(failed), /busy, and nothing was sent/);
      assert.match(readableText(await rep.press(failed, 'Retry')), /LOA sent/);
    });

    it('does not resend after a 500', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      await loa.hooks.setFaults({ create: { next: ['500'] } });
      assert.match(readableText(await rep.press(review, 'Send')), /couldn't confirm your LOA was sent/);
    });

    it('reports a timeout and a dropped connection', async () => {
      const rep = h.rep();
      await loa.hooks.setFaults({ create: { next: ['hang'] } });
      assert.match(readableText(await rep.press(await reviewDistributorDraft(rep), 'Send')), /did not answer in time/);
      await loa.hooks.setFaults({ create: { next: ['reset'] } });
      assert.match(readableText(await rep.press(await reviewDistributorDraft(rep), 'Send')), /couldn't confirm/);
    });

    it('names the fields the bot refuses, and the ones the LOA service refuses', async () => {
      const rep = h.rep();
      const details = await openDistributorDraft(rep);
      const refused = await rep.press(details, 'Review', distributorDetails({ signerEmail: 'jane at acme', f_discountPercent: '75' }));
      assert.match(readableText(refused), /Fix these 2 fields/);
      // The bot takes any Unicode address; the sandbox, like the API's email format, takes ASCII only.
      const review = await rep.press(refused, 'Review', distributorDetails({ signerEmail: 'jöe@exämple.com' }));
      const apiRefused = await rep.press(review, 'Send');
      assert.match(readableText(apiRefused), /LOA service refused/);
    });

    it('lists my LOAs and deletes one', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'To Delete' });
      const { cards } = await rep.says('my LOAs');
      assert.match(readableText(cards[0]!), /To Delete/);
      const confirm = await rep.press(cards[0]!, 'Delete');
      assert.match(readableText(await rep.press(confirm, 'Delete')), /LOA deleted/);
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).some((m) => /is deleted/.test(String(m.text))));
    });

    it('tells the rep when a sent LOA is signed', async () => {
      const rep = h.rep();
      await sendDistributorLoa(rep, { signerName: 'Sig Ner' });
      const [agreement] = await mine(rep);
      await loa.hooks.setStatus(agreement!.id, 'SIGNED');
      await h.teams.waitFor(() => h.teams.posted(rep.conversationId).some((m) => /signed/i.test(String(m.text)) && String(m.text).includes(`ref ${defaultRef(agreement!.id)},`)));
    });

    it('fails a turn plainly when the Teams roster lookup fails', async () => {
      const rep = h.rep();
      const review = await reviewDistributorDraft(rep);
      h.teams.roster.delete(rep.member.id);
      const failed = await rep.press(review, 'Send');
      const reference = /Reference: ([0-9a-f-]{36})/.exec(readableText(failed))?.[1];
      assert.ok(reference, readableText(failed));
      failedTurnReference = reference;
    });

    it('refuses malformed invokes and activities that carry an Authorization header', async () => {
      const rep = h.rep();
      const withAuth = (activity: Record<string, unknown>) =>
        axios.post(`${h.bot.url}/api/messages`, activity, { headers: { Authorization: inboundAuthorization }, validateStatus: () => true }).then((res: AxiosResponse<unknown>) => {
          answers.push(JSON.stringify(res.data ?? ''));
          return res;
        });
      const invoke = (value: unknown) => withAuth({ ...rep.activity('invoke'), name: 'adaptiveCard/action', value });
      assert.equal((await invoke(undefined)).status, 400);
      assert.equal((await invoke({ action: { type: 'Action.Submit', verb: VERBS.sendDraft, data: {} } })).status, 400);
      assert.equal((await invoke({ action: { type: 'Action.Execute', verb: VERBS.sendDraft, data: 'x' } })).status, 400);
      assert.equal((await withAuth({ ...rep.activity('message'), type: undefined, text: 'help' })).status, 400);
      assert.equal((await withAuth({ ...rep.activity('message'), text: 'x'.repeat(600 * 1024) })).status, 413);
      assert.equal((await withAuth({ ...rep.activity('message'), conversation: undefined, text: 'my LOAs', deliveryMode: 'expectReplies' })).status, 200);
      const res = await axios.post(`${h.bot.url}/api/messages`, '{"type":', {
        headers: { Authorization: inboundAuthorization, 'Content-Type': 'application/json' },
        transformRequest: [(data: unknown) => data],
        validateStatus: () => true,
      });
      assert.equal(res.status, 400);
      answers.push(JSON.stringify(res.data ?? ''));
    });

    it('gets a new LOA token by itself when the service forgets the old ones (401)', async () => {
      const rep = h.rep();
      assert.match(readableText(await sendDistributorLoa(rep)), /LOA sent/);
      await loa.hooks.reset();
      assert.match(readableText(await sendDistributorLoa(rep)), /LOA sent/);
      const tokens = recorder.issuedTokens.size;
      assert.ok(tokens >= 2, `${tokens} tokens issued`);
    });
  });

  describe('with a bot registration (MicrosoftAppPassword)', () => {
    const APP_ID = '6b0f3d2a-94c1-4e58-a7b3-1d2e5f8c9a40';
    const appPassword = randomBytes(24).toString('base64url');
    const REP: RepIdentity = { objectId: '0c6e9a41-7f2d-4b38-a5e1-3d9b8c2f6a07', tenantId: TENANT_ID, upn: 'ana.rep@se.com', name: 'Ana Rep' };
    let authority: BotFrameworkAuthority;

    before(async () => {
      scanner.add('the MicrosoftAppPassword', appPassword);
      authority = await BotFrameworkAuthority.start(APP_ID);
      registered = await ConversationHarness.start(recorder.url, loa, {
        env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: appPassword, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT_ID, SSO_CONNECTION_NAME: 'test-sso', SSO_ALLOWED_TENANTS: TENANT_ID, SSO_AUTHORITY: `${authority.url}/sso` },
        overrides: { auth: authority.authOptions(), identity: { resolve: () => Promise.resolve({ rep: REP }) }, logger: createLogger({ level: 'trace' }, lineSink(botLines)) },
      });
    });
    after(async () => {
      await registered.stop();
      await authority.close();
    });

    /** Posts as Teams would, with a channel token (or the given Authorization), and records the answer. */
    async function post(activity: Record<string, unknown>, authorization?: string): Promise<AxiosResponse<unknown>> {
      const header = authorization ?? `Bearer ${await authority.signChannelToken({ serviceurl: String(activity.serviceUrl) })}`;
      scanner.add('an Authorization header sent to the bot', header, { prefix: false });
      const res = await axios.post(`${registered.bot.url}/api/messages`, activity, { headers: { Authorization: header }, validateStatus: () => true });
      answers.push(JSON.stringify(res.data ?? ''));
      return res;
    }

    it('runs a draft to review and refuses forged or malformed requests', async () => {
      const rep = registered.rep();
      const chooser = ((await post({ ...rep.activity('message'), text: 'send LOA', deliveryMode: 'expectReplies' })).data as { activities: Array<{ attachments: Array<{ content: AdaptiveCard }> }> }).activities[0]!.attachments[0]!.content;
      const use = actionsOf(chooser).find((a) => a.title === 'Use this template' && a.data.templateId === DISTRIBUTOR_TEMPLATE_ID)!;
      const invoke = (verb: string, data: Record<string, unknown>) => post({ ...rep.activity('invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data } } });
      const details = ((await invoke(use.verb, use.data)).data as { value: AdaptiveCard }).value;
      const review = actionsOf(details).find((a) => a.title === 'Review')!;
      const refused = await invoke(review.verb, { ...review.data, ...distributorDetails({ signerEmail: 'nope' }) });
      assert.match(readableText((refused.data as { value: AdaptiveCard }).value), /Fix (this field|these \d+ fields)/);
      assert.match(readableText(((await invoke(review.verb, { ...review.data, ...distributorDetails() })).data as { value: AdaptiveCard }).value), /Check your LOA/);
      assert.equal((await post({ ...rep.activity('invoke'), name: 'adaptiveCard/action', value: { action: { type: 'Action.Submit' } } })).status, 400);

      const forged = `Bearer ${authority.unsignedChannelToken({ serviceurl: String(rep.activity('message').serviceUrl) }, 'garbage')}`;
      assert.equal((await post({ ...rep.activity('message'), text: 'help' }, forged)).status, 401);
      assert.equal((await post({ ...rep.activity('message'), text: 'help' }, inboundAuthorization)).status, 401);
    });
  });

  describe('what was captured', () => {
    before(() => {
      stopCapturing();
      scanner.add('the LOA client secret', loa.clientSecret);
      scanner.add('the inbound Authorization header', inboundAuthorization, { prefix: false });
      for (const token of recorder.issuedTokens) scanner.add('an LOA access token', token);
      for (const header of recorder.authorizations) scanner.add('an Authorization header the bot sent to the LOA API', header, { prefix: false });
    });

    it('holds what a leak would be made of: tokens, Authorization headers and the secret on the wire', () => {
      assert.ok(recorder.issuedTokens.size >= 5, `${recorder.issuedTokens.size} tokens issued`);
      assert.ok(recorder.authorizations.size >= recorder.issuedTokens.size - 1, 'the bot used the tokens it got');
      const secretOnTheWire = `client_secret=${encodeURIComponent(loa.clientSecret)}`;
      assert.ok(recorder.tokenRequests.some((body) => body.includes(secretOnTheWire)), 'the token requests carried the client secret through the recorder');
      assert.ok(botLines.some((line) => /"level":"(trace|debug)"/.test(line)), 'the bot logged at trace or debug level');
      assert.ok(sandboxLines.length > 0 && printed.length > 0 && answers.length > 20);
    });

    it('finds a planted token with the same scanner, and the logger redacts a secret-named field', () => {
      const token = [...recorder.issuedTokens][0]!;
      const planted: string[] = [];
      const logger = createLogger({ level: 'trace' }, lineSink(planted));
      logger.info({ note: `got ${token}` }, 'a careless line');
      logger.info({ note: `token ${token.slice(0, 16)}…` }, 'a truncated token');
      logger.info({ body: `client_secret=${encodeURIComponent(loa.clientSecret)}` }, 'a logged form');
      assert.equal(scanner.leaks('planted', planted).length, 3, 'the scanner finds each planted line');
      const redacted: string[] = [];
      createLogger({ level: 'trace' }, lineSink(redacted)).info({ access_token: token, loa: { client_secret: loa.clientSecret }, headers: { authorization: `Bearer ${token}` } }, 'redacted');
      assert.deepEqual(scanner.leaks('redacted', redacted), []);
    });

    it('finds no secret in the bot logs', () => {
      assert.deepEqual(scanner.leaks('bot log line', botLines), []);
    });

    it('finds no secret in the sandbox logs', () => {
      assert.deepEqual(scanner.leaks('sandbox log line', sandboxLines), []);
    });

    it('finds no secret on stdout or stderr', () => {
      assert.deepEqual(scanner.leaks('process output', printed), []);
    });

    it('finds no secret in any card or message the rep received', () => {
      assert.deepEqual(scanner.leaks('answer to Teams', answers), []);
      const sentToTeams = [...h.teams.calls, ...registered.teams.calls].map((c) => JSON.stringify(c.body));
      assert.ok(sentToTeams.length > 10, `${sentToTeams.length} activities sent to Teams`);
      assert.deepEqual(scanner.leaks('activity sent to Teams', sentToTeams), []);
    });

    it('logs JSON lines, and every turn log carries a correlation id', () => {
      const records = botLines.map((line, i) => {
        assert.ok(line.endsWith('\n'), `line ${i + 1} ends with a newline`);
        return JSON.parse(line) as { level?: string; msg?: string; correlationId?: unknown; activity?: unknown };
      });
      const turnRecords = records.filter((r) => r.activity !== undefined);
      assert.ok(turnRecords.length > 50, `${turnRecords.length} turn log lines`);
      for (const r of turnRecords) assert.match(String(r.correlationId), UUID, `turn log "${r.msg}" has a correlation id`);
      for (const msg of ['Message', 'Card action', 'Malformed adaptiveCard/action invoke', 'Turn failed']) assert.ok(turnRecords.some((r) => r.msg === msg), `a turn logged "${msg}"`);
      assert.ok(
        records.some((r) => r.msg === 'Turn failed' && r.correlationId === failedTurnReference),
        'the failed turn is logged under the reference the rep was given',
      );
      for (const line of sandboxLines) assert.doesNotThrow(() => JSON.parse(line), 'sandbox logs are JSON lines');
    });
  });
});
