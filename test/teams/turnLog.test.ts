import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { createLogger } from '../../bot/logger';
import { correlationIdOf, turnLog } from '../../bot/teams/turnLog';

describe('turn logs', () => {
  function setUp(level: string) {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const activity = { type: 'invoke', name: 'adaptiveCard/action', id: 'act-1', channelId: 'msteams', from: { id: '29:ana', aadObjectId: 'oid-ana' }, conversation: { id: 'a:1' }, recipient: { id: '28:bot' } } as Activity;
    const context = new TurnContext({} as never, activity);
    return { lines, context, root: createLogger({ level }, sink) };
  }

  it('writes only the levels enabled, each line with the turn correlation id, the activity and a pseudonym for the rep', async () => {
    const { lines, context, root } = setUp('warn');
    const log = turnLog(context, root);
    log.info({ verb: 'loa.sendDraft' }, 'Card action');
    log.warn({ agreementId: 'a-1' }, 'Could not refresh an agreement status');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line!.msg, 'Could not refresh an agreement status');
    assert.equal(line!.level, 'warn');
    assert.equal(line!.correlationId, correlationIdOf(context));
    assert.deepEqual(line!.activity, { type: 'invoke', name: 'adaptiveCard/action', id: 'act-1', channel: 'msteams' });
    assert.match(String(line!.rep), /^[0-9a-f]{16}$/);
    assert.equal(JSON.stringify(line).includes('oid-ana'), false, 'the object id itself is not logged');
  });

  it('is one logger for the whole turn', () => {
    const { context, root } = setUp('info');
    assert.equal(turnLog(context, root), turnLog(context, root));
  });
});
