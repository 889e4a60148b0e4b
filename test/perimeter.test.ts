/**
 * The HTTP perimeter of /api/messages, over real HTTP: what it refuses before any turn runs, how
 * fast, and at what cost in memory. Memory, sockets and stdout are measured on the bot in a
 * process of its own. The table in docs/reliability.md › Perimeter comes from this file's last
 * run, in test-artifacts/perimeter.json.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { createLogger } from '../bot/logger';
import { LINGER, startBotServer } from '../bot/server';
import type { BotServer } from '../bot/server';
import { startBotProcess } from './helpers/botProcess';
import type { BotProcess } from './helpers/botProcess';
import { memoryOf, openSocketsOf, procAvailable, resetPeakMemory } from './helpers/processMemory';
import { openConnection, post } from './helpers/rawHttp';
import type { RawAnswer } from './helpers/rawHttp';

const APP_ID = '3f2b6c1e-8d4a-4e7b-9c15-2a6f0d8e4b71';
const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const APP_PASSWORD = `app-secret-${randomBytes(8).toString('hex')}`;
const MESSAGES = '/api/messages';
const JSON_BODY = { 'Content-Type': 'application/json' };
const ARTIFACT = resolve(__dirname, '../test-artifacts/perimeter.json');

/** What the perimeter may cost an attacker's request at most. */
const FAST_MS = 1000;
const SMALL_MB = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rep's "help" in a 1:1 chat, as Teams posts it; nothing outbound is needed to answer it. */
function helpMessage(text = 'help'): Record<string, unknown> {
  return {
    type: 'message',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:9/',
    from: { id: `29:${randomUUID()}`, name: 'Ana Rep', aadObjectId: randomUUID() },
    recipient: { id: '28:loa-bot', name: 'LOA bot' },
    conversation: { id: `a:${randomUUID()}`, conversationType: 'personal', tenantId: TENANT_ID },
    channelData: { tenant: { id: TENANT_ID } },
    text,
    deliveryMode: 'expectReplies',
  };
}

/** A valid activity whose text is 200 MB, gzipped to about 200 KB. */
function gzipBomb(): Buffer {
  const [open, close] = JSON.stringify({ ...helpMessage(), text: '|' }).split('|');
  return gzipSync(Buffer.concat([Buffer.from(open!), Buffer.alloc(200 * 1024 * 1024, 'a'), Buffer.from(close!)]), { level: 9 });
}

/** A token in the shape of a Bot Framework channel token, with a signature nobody made. */
function forgedChannelToken(): { token: string; signature: string } {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signature = randomBytes(64).toString('base64url');
  const claims = { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: 'https://smba.trafficmanager.net/emea/', exp: Math.floor(Date.now() / 1000) + 600 };
  return { token: `${part({ alg: 'RS256', typ: 'JWT', kid: 'forged' })}.${part(claims)}.${signature}`, signature };
}

interface LogLine {
  msg?: string;
  [field: string]: unknown;
}

function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const turnsIn = (bot: BotProcess) => logLines(bot.output()).filter((l) => l.msg === 'Message').length;

/** One row of the perimeter table. */
interface Measurement {
  attack: string;
  answer: string;
  ms: number;
  /** Growth of the bot's peak resident memory over its resident memory before, in MB. */
  peakMb: number;
}

const table: Measurement[] = [];

/**
 * Starts measuring what an attack costs the bot process; the function it returns ends the
 * measurement and adds the row to the table.
 */
function startMeasuring(bot: BotProcess): (attack: string, answer: string, ms?: number) => Measurement {
  resetPeakMemory(bot.pid);
  const before = memoryOf(bot.pid).rssMb;
  const started = performance.now();
  return (attack, answer, ms = performance.now() - started) => {
    const row = { attack, answer, ms: Math.round(ms), peakMb: Math.round((memoryOf(bot.pid).peakMb - before) * 10) / 10 };
    table.push(row);
    return row;
  };
}

/** Sends an attack to the bot process; the row's answer is the statuses it got. */
async function measure(bot: BotProcess, attack: string, send: () => Promise<RawAnswer[]>): Promise<Measurement & { answers: RawAnswer[] }> {
  const done = startMeasuring(bot);
  const answers = await send();
  return { ...done(attack, [...new Set(answers.map((a) => a.status))].join(', ')), answers };
}

describe('HTTP perimeter', function () {
  this.timeout(60_000);
  let bomb: Buffer;

  before(function () {
    if (!procAvailable) this.skip();
    bomb = gzipBomb();
  });
  after(() => {
    if (table.length === 0) return;
    mkdirSync(resolve(ARTIFACT, '..'), { recursive: true });
    writeFileSync(ARTIFACT, `${JSON.stringify({ measuredAt: new Date().toISOString(), node: process.version, rows: table }, null, 2)}\n`);
  });

  describe('with inbound authentication on (MicrosoftAppId set)', () => {
    let bot: BotProcess;

    before(async () => {
      bot = await startBotProcess({
        NODE_ENV: 'development',
        MicrosoftAppId: APP_ID,
        MicrosoftAppPassword: APP_PASSWORD,
        MicrosoftAppType: 'SingleTenant',
        MicrosoftAppTenantId: TENANT_ID,
        SSO_CONNECTION_NAME: 'teams-sso',
        SSO_ALLOWED_TENANTS: TENANT_ID,
      });
    });
    after(async () => {
      await bot?.close();
      assert.ok(!bot.output().includes(APP_PASSWORD), 'the app password never appears in the output');
    });

    it('refuses a gzip bomb without an Authorization header with 401, fast and in little memory', async () => {
      const { answers, ms, peakMb } = await measure(bot, 'gzip bomb (200 KB → 200 MB), no Authorization', async () => [
        await post(bot.url, MESSAGES, { ...JSON_BODY, 'Content-Encoding': 'gzip' }, bomb),
      ]);
      assert.equal(answers[0]!.status, 401);
      assert.equal(answers[0]!.headers['www-authenticate'], 'Bearer');
      assert.ok(ms < FAST_MS, `answered in ${ms} ms`);
      assert.ok(peakMb < SMALL_MB, `peak memory grew by ${peakMb} MB`);
    });

    it('cuts a gzip bomb with a bearer token off at 512 KB decoded with 413, fast and in little memory', async () => {
      const { token } = forgedChannelToken();
      const { answers, ms, peakMb } = await measure(bot, 'gzip bomb, with a Bearer token', async () => [
        await post(bot.url, MESSAGES, { ...JSON_BODY, 'Content-Encoding': 'gzip', Authorization: `Bearer ${token}` }, bomb),
      ]);
      assert.equal(answers[0]!.status, 413);
      assert.deepEqual(JSON.parse(answers[0]!.body), { error: 'The body is over 512 KB.' });
      assert.ok(ms < FAST_MS, `answered in ${ms} ms`);
      assert.ok(peakMb < SMALL_MB, `peak memory grew by ${peakMb} MB`);
    });

    it('answers four gzip bombs at once just as fast, in little memory', async () => {
      const { token } = forgedChannelToken();
      const headers = { ...JSON_BODY, 'Content-Encoding': 'gzip' };
      const { answers, ms, peakMb } = await measure(bot, '4 gzip bombs at once (2 with a Bearer token)', () =>
        Promise.all([
          post(bot.url, MESSAGES, headers, bomb),
          post(bot.url, MESSAGES, headers, bomb),
          post(bot.url, MESSAGES, { ...headers, Authorization: `Bearer ${token}` }, bomb),
          post(bot.url, MESSAGES, { ...headers, Authorization: `Bearer ${token}` }, bomb),
        ]),
      );
      assert.deepEqual(answers.map((a) => a.status), [401, 401, 413, 413]);
      assert.ok(ms < FAST_MS, `answered in ${ms} ms`);
      assert.ok(peakMb < SMALL_MB, `peak memory grew by ${peakMb} MB`);
    });

    it('refuses a request without a bearer token before its body is sent', async () => {
      const done = startMeasuring(bot);
      const connection = await openConnection(bot.url);
      connection.socket.write(`POST ${MESSAGES} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n`);
      const ms = await connection.closed;
      assert.match(connection.received(), /^HTTP\/1\.1 401 /);
      assert.ok(ms < FAST_MS, `closed after ${ms} ms`);
      done('1 MB announced, no Authorization, body never sent', '401 before the body', ms);
    });

    it('keeps the bearer token and the body out of its output when botbuilder answers with an error', async () => {
      const { token, signature } = forgedChannelToken();
      const marker = `body-marker-${randomUUID()}`;
      // Accept: text/html is what made restify log the whole request: it cannot format botbuilder's plain-text error for it.
      const { answers } = await measure(bot, 'forged token, Accept: text/html (botbuilder error answer)', async () => [
        await post(bot.url, MESSAGES, { ...JSON_BODY, Accept: 'text/html', Authorization: `Bearer ${token}` }, JSON.stringify(helpMessage(marker))),
      ]);
      // Offline, botbuilder cannot fetch the channel's signing keys and answers 500; online, it refuses the forged token with 401.
      assert.ok([401, 500].includes(answers[0]!.status), `answered ${answers[0]!.status}`);
      assert.equal(typeof JSON.parse(answers[0]!.body), 'string', 'botbuilder\'s error, formatted as JSON');
      await sleep(300);
      const output = bot.output();
      assert.ok(output.length > 0);
      assert.ok(!output.includes(signature), 'the token is not in stdout or stderr');
      assert.ok(!output.includes(marker), 'the body is not in stdout or stderr');
      assert.ok(!/"(rawHeaders|_body|headers)":/.test(output), 'no request object is logged');
    });
  });

  describe('without inbound authentication (a local run)', () => {
    let bot: BotProcess;
    /** The bot process's os.tmpdir(), where restify's multipart parser used to leave files. */
    let botTmp: string;
    const MAX_IN_FLIGHT = 4;
    const TIMEOUT_MS = 1000;

    before(async () => {
      botTmp = mkdtempSync(join(tmpdir(), 'perimeter-'));
      bot = await startBotProcess({
        NODE_ENV: 'development',
        TMPDIR: botTmp,
        HTTP_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
        HTTP_HEADERS_TIMEOUT_MS: String(TIMEOUT_MS),
        HTTP_BODY_TIMEOUT_MS: String(TIMEOUT_MS),
      });
    });
    after(async () => {
      await bot?.close();
      rmSync(botTmp, { recursive: true, force: true });
    });

    const send = (headers: Record<string, string>, body: Buffer | string) => post(bot.url, MESSAGES, headers, body);

    it('answers a multipart upload and a form with 415, runs no turn and writes no file', async () => {
      const filesBefore = readdirSync(botTmp);
      const turnsBefore = turnsIn(bot);
      const boundary = `----perimeter${randomUUID()}`;
      const multipart = [
        `--${boundary}`,
        'Content-Disposition: form-data; name="activity"; filename="activity.json"',
        'Content-Type: application/json',
        '',
        JSON.stringify(helpMessage()),
        `--${boundary}--`,
        '',
      ].join('\r\n');
      const form = new URLSearchParams({ type: 'message', text: 'help', deliveryMode: 'expectReplies', serviceUrl: 'http://127.0.0.1:9/' }).toString();

      const { answers } = await measure(bot, 'multipart upload and form-encoded activity', async () => [
        await send({ 'Content-Type': `multipart/form-data; boundary=${boundary}` }, multipart),
        await send({ 'Content-Type': 'application/x-www-form-urlencoded' }, form),
      ]);
      assert.deepEqual(answers.map((a) => a.status), [415, 415]);
      assert.deepEqual(JSON.parse(answers[0]!.body), { error: 'Content-Type must be application/json.' });
      await sleep(200);
      assert.equal(turnsIn(bot), turnsBefore, 'no turn ran');
      assert.deepEqual(readdirSync(botTmp), filesBefore, 'no file was written to the temporary directory');
    });

    it('answers other media types, a foreign charset and unknown encodings with 415', async () => {
      const activity = JSON.stringify(helpMessage());
      const refused: Array<Record<string, string>> = [
        {},
        { 'Content-Type': 'text/plain' },
        { 'Content-Type': 'application/jsonx' },
        { 'Content-Type': 'application/json; charset=utf-16' },
        { ...JSON_BODY, 'Content-Encoding': 'br' },
        { ...JSON_BODY, 'Content-Encoding': 'gzip, gzip' },
      ];
      for (const headers of refused) assert.equal((await send(headers, activity)).status, 415, JSON.stringify(headers));
    });

    it('answers an activity sent as JSON with a charset, gzipped or deflated, like a plain one', async () => {
      const turnsBefore = turnsIn(bot);
      const activity = Buffer.from(JSON.stringify(helpMessage()));
      const answers = [
        await send(JSON_BODY, activity),
        await send({ 'Content-Type': 'application/json; charset=utf-8' }, activity),
        await send({ ...JSON_BODY, 'Content-Encoding': 'gzip' }, gzipSync(activity)),
        await send({ ...JSON_BODY, 'Content-Encoding': 'deflate' }, deflateSync(activity)),
      ];
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200], answers.map((a) => a.body.slice(0, 200)).join('\n'));
      for (const answer of answers) assert.ok((JSON.parse(answer.body) as { activities: unknown[] }).activities.length > 0, 'the help card came back');
      // The child's log lines reach this process through a pipe, a moment after its answers.
      for (const deadline = Date.now() + 2000; turnsIn(bot) < turnsBefore + 4 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      assert.equal(turnsIn(bot), turnsBefore + 4);
    });

    it('answers a body that is not JSON, not gzip or not an activity with 400 and a short message', async () => {
      const cases: Array<[Record<string, string>, Buffer | string, string]> = [
        [JSON_BODY, '{"type":"message","text":', 'The body is not valid JSON.'],
        [JSON_BODY, '', 'The body is not valid JSON.'],
        [{ ...JSON_BODY, 'Content-Encoding': 'gzip' }, 'not gzip at all', 'The body is not valid gzip.'],
        [JSON_BODY, '{"text":"help"}', 'The body is not a Bot Framework activity: it needs a "type".'],
      ];
      for (const [headers, body, error] of cases) {
        const answer = await send(headers, body);
        assert.equal(answer.status, 400);
        assert.deepEqual(JSON.parse(answer.body), { error });
      }
    });

    it('answers a plain body over 512 KB with 413 without reading it', async () => {
      const { answers, ms } = await measure(bot, '600 KB plain JSON body', async () => [await send(JSON_BODY, JSON.stringify(helpMessage('x'.repeat(600 * 1024))))]);
      assert.equal(answers[0]!.status, 413);
      assert.ok(ms < FAST_MS, `answered in ${ms} ms`);
    });

    it('gets its 413 to every client still uploading, not a reset connection', async () => {
      // Closing with the upload unread made the kernel reset the connection, and the reset often
      // beat the answer: a client saw EPIPE instead of 413 about one time in four.
      const body = JSON.stringify(helpMessage('x'.repeat(600 * 1024)));
      const outcomes: string[] = [];
      for (let i = 0; i < 40; i++) outcomes.push(await send(JSON_BODY, body).then((a) => String(a.status), (err: Error) => err.message));
      assert.deepEqual(outcomes.filter((o) => o !== '413'), [], `${outcomes.filter((o) => o === '413').length} of 40 answered 413`);
    });

    it('after a refusal, reads what still comes for a bounded time and size only, then closes', async () => {
      const huge = `POST ${MESSAGES} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`;
      // A client that goes on sending slowly, past the answer: closed after LINGER.ms.
      const slow = await openConnection(bot.url, { allowHalfOpen: true });
      slow.socket.write(huge);
      slow.trickle('x'.repeat(1024), 50);
      const slowMs = await slow.closed;
      assert.match(slow.received(), /^HTTP\/1\.1 413 /);
      assert.ok(slowMs >= LINGER.ms - 100 && slowMs < LINGER.ms + 1500, `closed after ${slowMs} ms`);
      // One that floods: closed once LINGER.maxBytes have come, well before LINGER.ms. (Its answer
      // may be lost to the reset that closing on unread bytes makes: the server owes it nothing more.)
      const flood = await openConnection(bot.url, { allowHalfOpen: true });
      flood.socket.write(huge);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (flood.socket.writable && flood.socket.write(chunk));
      };
      flood.socket.on('drain', pump);
      pump();
      const floodMs = await flood.closed;
      assert.ok(floodMs < LINGER.ms - 500, `closed after ${floodMs} ms`);
    });

    it('cuts off a client that trickles its headers with 408, and frees the socket', async function () {
      const socketsBefore = openSocketsOf(bot.pid);
      const done = startMeasuring(bot);
      const connection = await openConnection(bot.url);
      connection.socket.write(`POST ${MESSAGES} HTTP/1.1\r\nHost: bot\r\n`);
      connection.trickle('X-Slow: y\r\n', 100);
      const ms = await connection.closed;
      assert.match(connection.received(), /^HTTP\/1\.1 408 /);
      // Node checks the header timeout once a second.
      assert.ok(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + 1500, `closed after ${ms} ms`);
      await sleep(100);
      assert.ok(openSocketsOf(bot.pid) <= socketsBefore, 'the bot closed its socket');
      done(`headers trickled (1 line / 100 ms), limit ${TIMEOUT_MS} ms`, '408, socket closed', ms);
    });

    it('closes a connection that sends nothing', async () => {
      const done = startMeasuring(bot);
      const connection = await openConnection(bot.url);
      const ms = await connection.closed;
      assert.ok(ms < TIMEOUT_MS + 1500, `closed after ${ms} ms`);
      done(`connection opened, nothing sent, limit ${TIMEOUT_MS} ms`, 'closed', ms);
    });

    it('cuts off a client that trickles its body with 408, and frees the socket', async () => {
      const socketsBefore = openSocketsOf(bot.pid);
      const done = startMeasuring(bot);
      const connection = await openConnection(bot.url);
      connection.socket.write(`POST ${MESSAGES} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"type":"message",`);
      const headersSent = performance.now();
      connection.trickle(' ', 100);
      await sleep(300);
      assert.equal(openSocketsOf(bot.pid), socketsBefore + 1, 'the bot holds the slow connection meanwhile');
      await connection.closed;
      const ms = performance.now() - headersSent;
      assert.match(connection.received(), /^HTTP\/1\.1 408 /);
      assert.match(connection.received(), /The body did not arrive within 1 s\./);
      assert.ok(ms >= TIMEOUT_MS - 50 && ms < TIMEOUT_MS + 500, `closed ${ms} ms after the headers`);
      await sleep(100);
      assert.ok(openSocketsOf(bot.pid) <= socketsBefore, 'the bot closed its socket');
      done(`body trickled (1 byte / 100 ms), limit ${TIMEOUT_MS} ms`, '408, socket closed', ms);
    });

    it(`answers 503 with Retry-After beyond ${MAX_IN_FLIGHT} requests in flight, and serves again once they are done`, async () => {
      // Four requests held open by bodies that never finish, until the body timeout ends them.
      const held = await Promise.all(
        Array.from({ length: MAX_IN_FLIGHT }, async () => {
          const connection = await openConnection(bot.url);
          connection.socket.write(`POST ${MESSAGES} HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"type":`);
          return connection;
        }),
      );
      await sleep(200);
      const { answers, ms } = await measure(bot, `request beyond HTTP_MAX_IN_FLIGHT (${MAX_IN_FLIGHT} slow bodies held)`, async () => [await send(JSON_BODY, JSON.stringify(helpMessage()))]);
      assert.equal(answers[0]!.status, 503);
      assert.equal(answers[0]!.headers['retry-after'], '1');
      assert.ok(ms < FAST_MS, `answered in ${ms} ms`);

      await Promise.all(held.map((connection) => connection.closed));
      for (const connection of held) assert.match(connection.received(), /^HTTP\/1\.1 408 /);
      assert.equal((await send(JSON_BODY, JSON.stringify(helpMessage()))).status, 200);
    });

    it('logs each refusal as one short line: method, path, status and reason, never a header or the body', async () => {
      const marker = `body-marker-${randomUUID()}`;
      const header = `header-marker-${randomUUID()}`;
      await send({ 'Content-Type': 'text/plain', 'X-Marker': header }, marker);
      await sleep(200);
      const lines = bot.output().split('\n').filter((line) => line.includes('"msg":"Refused a request"'));
      assert.ok(lines.length > 0);
      for (const line of lines) {
        assert.ok(line.length < 300, `${line.length} characters: ${line}`);
        const { level, time, pid, hostname, name, ...rest } = JSON.parse(line) as Record<string, unknown>;
        assert.deepEqual(Object.keys(rest).sort(), ['method', 'msg', 'path', 'reason', 'status'], line);
        assert.ok(level && time && pid && hostname && name);
      }
      assert.ok(!bot.output().includes(marker), 'no body');
      assert.ok(!bot.output().includes(header), 'no header');
    });
  });

  describe('refusal log', () => {
    let server: BotServer;
    const lines: LogLine[] = [];

    before(async () => {
      const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' }));
      const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
      server = await startBotServer(
        { port: 0, host: '127.0.0.1', requireBearer: true, maxInFlight: 10, headersTimeoutMs: 10_000, bodyTimeoutMs: 10_000, refusalLog: { perWindow: 3, windowMs: 500 } },
        { adapter, bot: new ActivityHandler(), logger, drain: () => Promise.resolve() },
      );
    });
    after(() => server?.close());

    it('logs a few refusals per window, then one line with how many more there were', async () => {
      lines.length = 0;
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(server.url, MESSAGES, JSON_BODY, JSON.stringify(helpMessage()))));
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [401]);
      assert.equal(lines.filter((l) => l.msg === 'Refused a request').length, 3);
      assert.equal(lines.filter((l) => l.unlogged !== undefined).length, 0, 'the count waits for the end of the window');

      await sleep(600);
      const counts = lines.filter((l) => l.unlogged !== undefined);
      assert.deepEqual(counts.map((l) => [l.unlogged, l.msg]), [[7, 'Refused 7 more requests without logging each']]);

      await post(server.url, MESSAGES, JSON_BODY, '{}');
      assert.equal(lines.filter((l) => l.msg === 'Refused a request').length, 4, 'a new window logs again');
    });
  });
});
