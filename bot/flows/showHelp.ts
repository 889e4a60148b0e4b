import { renderHelpCard, renderNoticeCard, renderWelcomeCard } from '../../cards/simpleCards';
import type { NoticeAction } from '../../cards/simpleCards';
import { VERBS } from '../../cards/verbs';
import type { GuessableCommand } from './commands';
import type { FlowHandler } from './flowContext';

export const showHelp: FlowHandler = (ctx) => Promise.resolve({ card: renderHelpCard('', ctx.locale) });

export const answerUnknownText: FlowHandler = (ctx) => Promise.resolve({ card: renderHelpCard("I didn't catch that. Here is what I can do.", ctx.locale) });

export const welcome: FlowHandler = (ctx) => Promise.resolve({ card: renderWelcomeCard(ctx.locale) });

/** What each guess is called in chat, and the button that runs it. */
const GUESSES: Record<GuessableCommand, { typed: string; action: NoticeAction }> = {
  sendLoa: { typed: 'send LOA', action: { title: 'Send an LOA', verb: VERBS.start, data: {} } },
  myLoas: { typed: 'my LOAs', action: { title: 'My LOAs', verb: VERBS.listAgreements, data: { page: '1' } } },
  help: { typed: 'help', action: { title: 'Help', verb: VERBS.help, data: {} } },
};

const isGuess = (name: string): name is GuessableCommand => Object.hasOwn(GUESSES, name);

/** A near-miss: "Did you mean **send LOA**?" with a button for each guess. The rep's text is not repeated. */
export const didYouMean: FlowHandler = (ctx, data) => {
  const guesses = (typeof data.argument === 'string' ? data.argument : '').split(',').filter(isGuess).map((name) => GUESSES[name]);
  if (guesses.length === 0) return answerUnknownText(ctx, {});
  const named = guesses.map((g) => `**${g.typed}**`).join(' or ');
  const actions = guesses.map((g) => g.action);
  if (!guesses.some((g) => g.action.verb === VERBS.help)) actions.push(GUESSES.help.action);
  return Promise.resolve({
    card: renderNoticeCard({ title: `Did you mean ${named}?`, text: 'Press the button to go ahead, or type **help** to see everything I can do.', style: 'accent', actions }),
  });
};
