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
