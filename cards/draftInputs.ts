import { DRAFT_INPUTS, formFieldId } from '../bot/domain/draft';
import { FIXED_LABELS } from '../bot/domain/fieldRules';
import type { LoaTemplate } from '../bot/domain/templateCatalog';

/**
 * How the details card's inputs are named to the rep and matched to the LOA service's field
 * paths, so that a refusal shows under the input it is about.
 */
/** What the rep calls an input, for messages that name it. */
export function labelOfInput(template: LoaTemplate, inputId: string): string {
  return (FIXED_LABELS as Record<string, string>)[inputId] ?? template.fields.find((f) => formFieldId(f.name) === inputId)?.label ?? inputId;
}

/** Where the API's field path for a problem shows on the details card. */
export function inputIdForApiField(field: string): string | undefined {
  const fixed: Record<string, string> = {
    'signer.name': DRAFT_INPUTS.signerName,
    'signer.email': DRAFT_INPUTS.signerEmail,
    signer: DRAFT_INPUTS.signerEmail,
    'cc.name': DRAFT_INPUTS.ccName,
    'cc.email': DRAFT_INPUTS.ccEmail,
    cc: DRAFT_INPUTS.ccEmail,
    'notification.emails': DRAFT_INPUTS.notifyEmails,
    emailSubject: DRAFT_INPUTS.emailSubject,
    emailMessage: DRAFT_INPUTS.emailMessage,
  };
  if (fixed[field]) return fixed[field];
  const form = /^formData\.([A-Za-z][A-Za-z0-9_]*)/.exec(field);
  return form?.[1] ? formFieldId(form[1]) : undefined;
}

/**
 * What the rep is told about a refused API field that no input on the details card shows:
 * their words, never the field's path. One sentence each, without the final stop.
 */
const UNPLACED_FIELD_WORDS: Record<string, string> = {
  previousAgreementId: "The earlier LOA this one was started from no longer exists (it may have been deleted), so the two can't be linked",
  templateId: 'The LOA service no longer offers this template',
  formData: 'The LOA service refused the agreement details',
  notification: 'The LOA service refused the notification settings',
};

/**
 * A refused API field without an input of its own, in the rep's words. The service's own
 * message is quoted only when it reads as a sentence: a bare predicate needs the field's name.
 */
export function describeUnplacedApiField(field: string, message = ''): string {
  const top = field.split(/[.[]/)[0] ?? field;
  const known = UNPLACED_FIELD_WORDS[field] ?? UNPLACED_FIELD_WORDS[top];
  if (known) return known;
  const sentence = /^[A-Z]/.test(message) ? `: ${message.trim().replace(/\.+$/, '')}` : '';
  return `The LOA service refused a detail that is not on this card${sentence}`;
}

/** The API field that links an LOA to the one it was started from. */
export const LINK_API_FIELD = 'previousAgreementId';
