import { VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { cancelByText, cancelDraft } from './cancelDraft';
import { chooseTemplate } from './chooseTemplate';
import type { Command } from './commands';
import { confirmDelete, deleteAgreement } from './deleteAgreement';
import { editDraft } from './editDraft';
import type { FlowDeps, FlowHandler } from './flowContext';
import { listAgreements } from './listAgreements';
import { newFromAgreement } from './newFromAgreement';
import { reviewDraft } from './reviewDraft';
import { sendDraft } from './sendDraft';
import { answerUnknownText, showHelp, welcome } from './showHelp';
import { startSendLoa } from './startSendLoa';

export interface Flows {
  /** Typed commands; a command's argument arrives as `data.argument`. */
  readonly commands: Readonly<Record<Command, FlowHandler>>;
  readonly verbs: Readonly<Record<Verb, FlowHandler>>;
  readonly unknownText: FlowHandler;
  readonly welcome: FlowHandler;
}

/** Every user task, by the command or card verb that starts it. */
export function createFlows(deps: FlowDeps): Flows {
  const start = startSendLoa(deps);
  const list = listAgreements(deps);
  const confirm = confirmDelete(deps);
  return {
    commands: {
      sendLoa: start,
      help: showHelp,
      cancel: cancelByText(deps),
      myLoas: list,
      deleteLoa: (ctx, data) => confirm(ctx, { agreementId: data.argument }),
    },
    verbs: {
      [VERBS.start]: start,
      [VERBS.chooseTemplate]: chooseTemplate(deps),
      [VERBS.reviewDraft]: reviewDraft(deps),
      [VERBS.editDraft]: editDraft(deps),
      [VERBS.sendDraft]: sendDraft(deps),
      [VERBS.cancelDraft]: cancelDraft(deps),
      [VERBS.help]: showHelp,
      [VERBS.listAgreements]: list,
      [VERBS.confirmDelete]: confirm,
      [VERBS.deleteAgreement]: deleteAgreement(deps),
      [VERBS.newFromAgreement]: newFromAgreement(deps),
    },
    unknownText: answerUnknownText,
    welcome,
  };
}
