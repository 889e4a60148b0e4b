import type { z } from 'zod';
import type { FlowDeps, FlowHandler } from './flowContext';
import { sendDraft } from './sendDraft';
import type { sendData } from './sendDraft';

/**
 * "Send without the link": the LOA service refused the link to the LOA this draft was started
 * from (deleted since). The draft drops the link and goes again as a Retry, everything else kept.
 */
export function sendWithoutLink(deps: FlowDeps): FlowHandler<z.infer<typeof sendData>> {
  const send = sendDraft(deps);
  return async (ctx, data) => {
    const draft = ctx.conversation.draft;
    if (draft?.id === data.draftId) delete draft.previousAgreementId;
    return send(ctx, data);
  };
}
