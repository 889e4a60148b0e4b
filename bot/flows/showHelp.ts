import { renderHelpCard, renderNoticeCard, renderWelcomeCard } from '../../cards/simpleCards';
import type { NoticeAction } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { Translate } from '../i18n';
import type { GuessableCommand } from './commands';
import type { FlowHandler } from './flowContext';

export const showHelp: FlowHandler = (ctx) => Promise.resolve({ card: renderHelpCard('', ctx.locale) });

export const answerUnknownText: FlowHandler = (ctx) => Promise.resolve({ card: renderHelpCard(ctx.t('chat:help.notCaught'), ctx.locale) });

export const welcome: FlowHandler = (ctx) => Promise.resolve({ card: renderWelcomeCard(ctx.locale) });

/** What each guess is called in chat, and the button that runs it, in the rep's words. */
const GUESSES: Record<GuessableCommand, (t: Translate) => { typed: string; action: NoticeAction }> = {
  sendLoa: (t) => ({ typed: t('chat:didYouMean.sendLoa'), action: { title: t('chat:action.sendLoa'), verb: VERBS.start, data: {} } }),
  myLoas: (t) => ({ typed: t('chat:didYouMean.myLoas'), action: { title: t('chat:action.myLoas'), verb: VERBS.listAgreements, data: { page: '1' } } }),
  help: (t) => ({ typed: t('chat:didYouMean.help'), action: { title: t('chat:action.help'), verb: VERBS.help, data: {} } }),
};

const isGuess = (name: string): name is GuessableCommand => Object.hasOwn(GUESSES, name);

/** A near-miss: "Did you mean **send LOA**?" with a button for each guess. The rep's text is not repeated. */
export const didYouMean: FlowHandler = (ctx, data) => {
  const guesses = (typeof data.argument === 'string' ? data.argument : '').split(',').filter(isGuess).map((name) => GUESSES[name](ctx.t));
  if (guesses.length === 0) return answerUnknownText(ctx, {});
  const named = guesses.map((g) => `**${g.typed}**`).join(ctx.t('chat:didYouMean.or'));
  const actions = guesses.map((g) => g.action);
  if (!guesses.some((g) => g.action.verb === VERBS.help)) actions.push(GUESSES.help(ctx.t).action);
  return Promise.resolve({
    card: renderNoticeCard({ title: ctx.t('chat:didYouMean.title', { named }), text: ctx.t('chat:didYouMean.text'), style: 'accent', actions }),
  });
};
