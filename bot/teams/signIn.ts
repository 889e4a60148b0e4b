import { DialogSet, DialogTurnStatus, OAuthPrompt } from 'botbuilder-dialogs';
import type { DialogState } from 'botbuilder-dialogs';
import type { ConversationState, TurnContext } from 'botbuilder';
import { LANGUAGES, languageOf, translatorFor } from '../i18n';
import type { Language } from '../i18n';

/** One prompt per language: the prompt's words are fixed when it is made. English keeps the id it always had, so a sign-in under way survives an upgrade. */
const promptId = (language: Language) => (language === 'en' ? 'loaSignIn' : `loaSignIn-${language}`);

/**
 * Teams single sign-on through OAuthPrompt. Teams first tries a silent token exchange
 * (signin/tokenExchange); when that fails (consent needed: the prompt answers 412), the
 * rep gets a sign-in button and the magic code comes back as signin/verifyState.
 */
export class SignIn {
  private readonly dialogs: DialogSet;

  constructor(conversationState: ConversationState, connectionName: string) {
    this.dialogs = new DialogSet(conversationState.createProperty<DialogState>('signInDialog'));
    for (const language of LANGUAGES) {
      const t = translatorFor(language);
      this.dialogs.add(
        new OAuthPrompt(promptId(language), {
          connectionName,
          title: t('chat:teams.signInPrompt.title'),
          text: t('chat:teams.signInPrompt.text'),
          timeout: 15 * 60_000,
          endOnInvalidMessage: true,
        }),
      );
    }
  }

  /** Starts sign-in (sends the sign-in card, in the rep's language); true if a token was available at once. */
  async start(context: TurnContext): Promise<boolean> {
    const dc = await this.dialogs.createContext(context);
    await dc.cancelAllDialogs();
    const result = await dc.beginDialog(promptId(languageOf(context.activity.locale)));
    return result.status === DialogTurnStatus.complete && Boolean(result.result);
  }

  /** Feeds a sign-in invoke to the prompt; true once the rep is signed in. */
  async continue(context: TurnContext): Promise<boolean> {
    const dc = await this.dialogs.createContext(context);
    if (!dc.activeDialog) return false;
    const result = await dc.continueDialog();
    return result.status === DialogTurnStatus.complete && Boolean(result.result);
  }
}
