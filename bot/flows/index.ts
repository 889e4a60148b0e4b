import { z } from 'zod';
import { VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { cancelByText, cancelDraft } from './cancelDraft';
import { changeTemplate } from './changeTemplate';
import { chooseData, chooseTemplate } from './chooseTemplate';
import type { Command } from './commands';
import { agreementData, confirmDelete, confirmDeleteByRef, deleteAgreement } from './deleteAgreement';
import { discardAndStart, discardData } from './discardAndStart';
import { draftData } from './draftGuard';
import { editDraft } from './editDraft';
import type { ConversationOrigin } from '../domain/agreementRecords';
import type { Logger } from '../logger';
import type { FlowContext, FlowDeps, FlowHandler, FlowResult } from './flowContext';
import { catchUp, redeliverDue } from './followUps';
import { listAgreements, listData } from './listAgreements';
import { messageExtensionFlows } from './messageExtension';
import type { MessageExtensionFlows } from './messageExtension';
import { newFromAgreement } from './newFromAgreement';
import { restoreDraft } from './restoreDraft';
import { resumeDraft } from './resumeDraft';
import { reviewData, reviewDraft } from './reviewDraft';
import { routeVerb } from './router';
import type { VerbRoute } from './router';
import { sendData, sendDraft } from './sendDraft';
import { sendWithoutLink } from './sendWithoutLink';
import { answerUnknownText, didYouMean, showHelp, welcome } from './showHelp';
import { startFromSentence } from './startFromSentence';
import { startSendLoa } from './startSendLoa';

export interface Flows {
  /** Typed commands; a command's argument arrives as `data.argument`. */
  readonly commands: Readonly<Record<Command, FlowHandler>>;
  /** Card verbs, each parsed and checked against its card's owner before its handler runs. */
  readonly verbs: Readonly<Record<Verb, FlowHandler>>;
  readonly unknownText: FlowHandler;
  readonly welcome: FlowHandler;
  /** The message extension: the same steps and search in a dialog and the compose box. */
  readonly messageExtension: MessageExtensionFlows;
  /** Results promised in this chat, settled but never delivered: shown in the rep's turn. */
  readonly catchUp: (ctx: FlowContext) => Promise<FlowResult[]>;
  /** Delivers results promised by any instance that were not delivered in time. */
  readonly redeliverDue: (deliver: (origin: ConversationOrigin, result: FlowResult) => Promise<void>, log: Logger) => Promise<void>;
}

const anything = z.record(z.string(), z.unknown());
const ofDraft = (data: { draftId: string }) => ({ draftId: data.draftId });
const ofAgreement = (data: { agreementId: string }) => ({ agreementId: data.agreementId });
const MISSING_DRAFT = 'chat:closed.missingDraft';
const MISSING_AGREEMENT = 'chat:closed.missingAgreement';

/** Every card verb: the data its card carries, what it refers to, and its handler. */
function verbRoutes(deps: FlowDeps): Record<Verb, FlowHandler> {
  const route = <T>(spec: VerbRoute<T>) => routeVerb(deps, spec);
  return {
    [VERBS.start]: route({ data: anything, handle: startSendLoa(deps) }),
    [VERBS.chooseTemplate]: route({ data: chooseData, subject: ofDraft, malformed: 'chat:closed.missingTemplate', handle: chooseTemplate(deps) }),
    [VERBS.changeTemplate]: route({ data: draftData, subject: ofDraft, malformed: MISSING_DRAFT, handle: changeTemplate(deps) }),
    [VERBS.reviewDraft]: route({ data: reviewData, subject: ofDraft, malformed: MISSING_DRAFT, handle: reviewDraft(deps) }),
    [VERBS.editDraft]: route({ data: draftData, subject: ofDraft, malformed: MISSING_DRAFT, handle: editDraft(deps) }),
    [VERBS.sendDraft]: route({ data: sendData, subject: ofDraft, malformed: MISSING_DRAFT, handle: sendDraft(deps) }),
    [VERBS.cancelDraft]: route({ data: draftData, subject: ofDraft, malformed: MISSING_DRAFT, handle: cancelDraft(deps) }),
    [VERBS.help]: route({ data: anything, handle: showHelp }),
    [VERBS.listAgreements]: route({ data: listData, handle: listAgreements(deps) }),
    [VERBS.confirmDelete]: route({ data: agreementData, subject: ofAgreement, malformed: MISSING_AGREEMENT, handle: confirmDelete(deps) }),
    [VERBS.deleteAgreement]: route({ data: agreementData, subject: ofAgreement, malformed: MISSING_AGREEMENT, handle: deleteAgreement(deps) }),
    [VERBS.newFromAgreement]: route({ data: agreementData, subject: ofAgreement, malformed: MISSING_AGREEMENT, handle: newFromAgreement(deps) }),
    [VERBS.resumeDraft]: route({ data: draftData, subject: ofDraft, malformed: MISSING_DRAFT, handle: resumeDraft(deps) }),
    [VERBS.discardAndStart]: route({ data: discardData, subject: ofDraft, malformed: MISSING_DRAFT, handle: discardAndStart(deps) }),
    [VERBS.restoreDraft]: route({ data: draftData, subject: ofDraft, malformed: MISSING_DRAFT, handle: restoreDraft(deps) }),
    [VERBS.sendWithoutLink]: route({ data: sendData, subject: ofDraft, malformed: MISSING_DRAFT, handle: sendWithoutLink(deps) }),
  };
}

/** Every user task, by the command or card verb that starts it. */
export function createFlows(deps: FlowDeps): Flows {
  const verbs = verbRoutes(deps);
  const confirmByRef = confirmDeleteByRef(deps);
  const list = listAgreements(deps);
  return {
    commands: {
      sendLoa: startSendLoa(deps),
      sentence: startFromSentence(deps),
      help: showHelp,
      greeting: welcome,
      didYouMean,
      cancel: cancelByText(deps),
      myLoas: (ctx) => list(ctx, { page: 1 }),
      searchLoas: (ctx, data) => list(ctx, { page: 1, search: typeof data.argument === 'string' ? data.argument : '' }),
      deleteLoa: (ctx, data) => {
        const parsed = agreementData.safeParse({ agreementId: data.argument });
        return parsed.success ? confirmByRef(ctx, parsed.data) : verbs[VERBS.confirmDelete](ctx, data);
      },
    },
    verbs,
    unknownText: answerUnknownText,
    welcome,
    messageExtension: messageExtensionFlows(deps, verbs),
    catchUp: (ctx) => catchUp(deps, ctx),
    redeliverDue: (deliver, log) => redeliverDue(deps, deliver, log),
  };
}
