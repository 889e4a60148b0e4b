import assert from 'node:assert/strict';
import { TestAdapter, TurnContext } from 'botbuilder';
import type { Activity } from 'botbuilder';
import { StorageUnavailable } from '../../bot/domain/keyValueStore';
import type { FlowResult } from '../../bot/flows/flowContext';
import { translatorFor } from '../../bot/i18n';
import { createLogger } from '../../bot/logger';
import { IdentityError } from '../../bot/teams/identity';
import { Presenter, failedTurnInvokeResponse, failedTurnMessage } from '../../bot/teams/presenter';
import type { AfterTurnPoster } from '../../bot/teams/presenter';
import { renderNoticeCard } from '../../cards/simpleCards';

interface Logged {
  level: string;
  msg: string;
  operatorError?: boolean;
}

/** A notifier that keeps what it is handed, so a test can play "it never got through". */
class RecordingPoster implements AfterTurnPoster {
  readonly later: Array<{ activities: Array<Partial<Activity>>; lost: () => Promise<void> }> = [];
  deliver(): void {}
  postLater(_reference: unknown, activities: Array<Partial<Activity>>, _log: unknown, lost: () => Promise<void>): void {
    this.later.push({ activities, lost });
  }
}

function presenterWithLog() {
  const lines: Logged[] = [];
  const log = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Logged) });
  const notifier = new RecordingPoster();
  return { presenter: new Presenter({ notifier, botAppId: 'bot-app-id', logger: log }), notifier, log, lines };
}

describe('the presenter', () => {
  describe('telling the rep why a flow could not run', () => {
    it('says nothing was sent and IT has been told when Teams gives no usable identity, and logs it for the operator', () => {
      const { presenter, log, lines } = presenterWithLog();
      const told = presenter.failure(new IdentityError('The Teams roster gave no email'), { log });
      const text = JSON.stringify(told?.card);
      assert.match(text, /nothing was sent/);
      assert.match(text, /IT has been told; try again later/);
      assert.doesNotMatch(text, /Sign out of Teams/);
      assert.ok(lines.some((l) => l.level === 'error' && l.operatorError), 'an operator error');
    });

    it('offers the way back to the draft when storage fails', () => {
      const { presenter, log } = presenterWithLog();
      const told = presenter.failure(new StorageUnavailable('down'), { log, draftId: 'draft-1' });
      assert.match(JSON.stringify(told?.card), /Back to my draft/);
    });

    it("tells a French rep in French, with the way back to the draft", () => {
      const { presenter, log } = presenterWithLog();
      const told = JSON.stringify(presenter.failure(new StorageUnavailable('down'), { log, draftId: 'draft-1', t: translatorFor('fr-FR') })?.card);
      assert.match(told, /Je n’ai pas pu enregistrer/);
      assert.match(told, /Retour à mon brouillon/);
    });

    it("answers a card press whose turn failed in the rep's language, English for one it does not speak", () => {
      const pressed = (locale: string) => new TurnContext({} as never, { type: 'invoke', name: 'adaptiveCard/action', locale, value: { action: { type: 'Action.Execute', verb: 'loa.reviewDraft', data: { draftId: 'draft-1' } } } });
      const french = JSON.stringify(failedTurnInvokeResponse(pressed('fr-FR')));
      assert.match(french, /Une erreur s’est produite de mon côté/);
      assert.match(french, /Retour à mon brouillon/);
      assert.match(JSON.stringify(failedTurnInvokeResponse(pressed('de-DE'))), /Something went wrong on my side/);
    });

    it('names storage, not "something went wrong", when the chat state could not be read or kept, on a card and in a message', () => {
      const stateTimedOut = new StorageUnavailable('Conversation state storage did not answer a read in 5000 ms');
      const pressed = (locale: string, data: Record<string, unknown>) => new TurnContext({} as never, { type: 'invoke', name: 'adaptiveCard/action', locale, value: { action: { type: 'Action.Execute', verb: 'loa.reviewDraft', data } } });
      const onDraft = JSON.stringify(failedTurnInvokeResponse(pressed('en-US', { draftId: 'draft-1' }), stateTimedOut));
      assert.match(onDraft, /I couldn't save that/);
      assert.match(onDraft, /My storage did not answer just now, so nothing was sent or changed. Your draft is kept: press Back to my draft, then try again in a minute./);
      assert.match(onDraft, /Back to my draft/);
      assert.doesNotMatch(onDraft, /went wrong|Conversation state|5000/);
      assert.match(JSON.stringify(failedTurnInvokeResponse(pressed('en-US', {}), stateTimedOut)), /so nothing was sent or changed. Try again in a minute./);
      assert.match(JSON.stringify(failedTurnInvokeResponse(pressed('fr-FR', { draftId: 'draft-1' }), stateTimedOut)), /Je n’ai pas pu enregistrer.*Retour à mon brouillon/);
      const typed = (locale: string) => new TurnContext({} as never, { type: 'message', text: 'my LOAs', locale });
      assert.equal(failedTurnMessage(typed('en-US'), stateTimedOut), 'My storage did not answer just now, so nothing was sent or changed. Try again in a minute.');
      assert.match(failedTurnMessage(typed('fr-FR'), stateTimedOut), /^Mon stockage n’a pas répondu/);
      // Any other failure keeps the reference an operator needs to find it.
      assert.match(failedTurnMessage(typed('en-US'), new TypeError('bug')), /^Sorry, something went wrong on my side and nothing new was sent\. Try again, or type \*\*help\*\*\. Reference: /);
    });

    it('leaves an error that is a bug to the turn-error handler', () => {
      const { presenter, log } = presenterWithLog();
      assert.equal(presenter.failure(new TypeError('bug'), { log }), undefined);
    });
  });

  describe('posting a result in the turn', () => {
    it('hands what Teams refused to the notifier, and gives the result back if it never gets through', async () => {
      const { presenter, notifier } = presenterWithLog();
      const adapter = new TestAdapter();
      let sends = 0;
      const context = new TurnContext(adapter, { type: 'message', channelId: 'msteams', conversation: { id: 'c1' } as never, from: { id: 'u1' } as never, recipient: { id: 'bot' } as never, serviceUrl: 'https://teams.invalid' });
      context.onSendActivities(async (_ctx, _activities, next) => {
        if (++sends > 1) throw Object.assign(new Error('Too many requests'), { statusCode: 429 });
        return next();
      });
      const given: string[] = [];
      const result: FlowResult = {
        card: renderNoticeCard({ title: 'Sent' }),
        messages: ['first', 'second'],
        unannounce: () => Promise.resolve(void given.push('unannounced')),
        delivery: { holding: () => Promise.resolve(), delivered: () => Promise.resolve(), failed: () => Promise.resolve(void given.push('failed')) },
      };

      await presenter.post(context, result, 'with its card');

      assert.equal(notifier.later.length, 1);
      assert.deepEqual(
        notifier.later[0]!.activities.map((a) => a.text),
        ['first', 'second'],
        'the card went out; both messages are posted later, in order',
      );
      await notifier.later[0]!.lost();
      assert.deepEqual(given, ['unannounced', 'failed']);
    });
  });
});
