import { VERBS } from '../../cards/verbs';
import type { Verb } from '../../cards/verbs';
import { cancelByText, cancelDraft } from './cancelDraft';
import { chooseTemplate } from './chooseTemplate';
import type { Command } from './commands';
import { editDraft } from './editDraft';
import type { FlowDeps, FlowHandler } from './flowContext';
import { reviewDraft } from './reviewDraft';
import { sendDraft } from './sendDraft';
import { answerUnknownText, showHelp, welcome } from './showHelp';
import { startSendLoa } from './startSendLoa';

export interface Flows {
  readonly commands: Readonly<Record<Command, FlowHandler>>;
  readonly verbs: Readonly<Record<Verb, FlowHandler>>;
  readonly unknownText: FlowHandler;
  readonly welcome: FlowHandler;
}

/** Every user task, by the command or card verb that starts it. */
export function createFlows(deps: FlowDeps): Flows {
  const start = startSendLoa(deps);
  return {
    commands: { sendLoa: start, help: showHelp, cancel: cancelByText(deps) },
    verbs: {
      [VERBS.start]: start,
      [VERBS.chooseTemplate]: chooseTemplate(deps),
      [VERBS.reviewDraft]: reviewDraft(deps),
      [VERBS.editDraft]: editDraft(deps),
      [VERBS.sendDraft]: sendDraft(deps),
      [VERBS.cancelDraft]: cancelDraft(deps),
      [VERBS.help]: showHelp,
    },
    unknownText: answerUnknownText,
    welcome,
  };
}
