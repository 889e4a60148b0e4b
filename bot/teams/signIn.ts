import { DialogSet, DialogTurnStatus, OAuthPrompt } from 'botbuilder-dialogs';
import type { DialogState } from 'botbuilder-dialogs';
import type { ConversationState, TurnContext } from 'botbuilder';

const PROMPT_ID = 'loaSignIn';

/**
 * Teams single sign-on through OAuthPrompt. Teams first tries a silent token exchange
 * (signin/tokenExchange); when that fails (consent needed: the prompt answers 412), the
 * rep gets a sign-in button and the magic code comes back as signin/verifyState.
 */
export class SignIn {
  private readonly dialogs: DialogSet;

  constructor(conversationState: ConversationState, connectionName: string) {
    this.dialogs = new DialogSet(conversationState.createProperty<DialogState>('signInDialog'));
    this.dialogs.add(
      new OAuthPrompt(PROMPT_ID, {
        connectionName,
        title: 'Sign in',
        text: 'Sign in with your Schneider Electric account so I can send LOAs as you.',
        timeout: 15 * 60_000,
        endOnInvalidMessage: true,
      }),
    );
  }

  /** Starts sign-in (sends the sign-in card); true if a token was available at once. */
  async start(context: TurnContext): Promise<boolean> {
    const dc = await this.dialogs.createContext(context);
    await dc.cancelAllDialogs();
    const result = await dc.beginDialog(PROMPT_ID);
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
