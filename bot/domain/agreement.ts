import { translatorFor } from '../i18n';

/** A person on an agreement: the signer or the cc. */
export interface Party {
  name: string;
  email: string;
}

export interface FormValue {
  name: string;
  value: string;
}

export interface NotificationSettings {
  isEnabled: boolean;
  emails: string[];
}

/** What the bot asks the LOA API to create, in domain terms (not wire terms). */
export interface AgreementRequest {
  templateId: string;
  signer: Party;
  cc?: Party;
  formData: FormValue[];
  notification?: NotificationSettings;
  emailSubject?: string;
  emailMessage?: string;
  previousAgreementId?: string;
}

/** Statuses after which an agreement never changes again. */
export const FINAL_STATUSES = ['SIGNED', 'DECLINED', 'EXPIRED'] as const;

/**
 * Agreement statuses the bot knows. The API may add others; they are kept as plain
 * strings so an unknown status is shown rather than rejected.
 */
export type AgreementStatus = 'SENT' | 'VIEWED' | (typeof FINAL_STATUSES)[number] | (string & {});

export interface Agreement {
  id: string;
  templateId: string;
  status: AgreementStatus;
  createdAt: string;
  signer: Party;
  cc?: Party;
  formData: FormValue[];
  previousAgreementId?: string;
}

export function isFinalStatus(status: AgreementStatus): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Every status the LOA API is known to return, with the catalog key of how a rep reads it; in `describeStatus`. */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  SENT: 'rules:status.SENT',
  VIEWED: 'rules:status.VIEWED',
  SIGNED: 'rules:status.SIGNED',
  DECLINED: 'rules:status.DECLINED',
  EXPIRED: 'rules:status.EXPIRED',
  DELETED: 'rules:status.DELETED',
};

/** A status in the rep's words: known ones as above, any other ("IN_REVIEW") as the API's plain words ("In review"). */
export function describeStatus(status: AgreementStatus, locale = 'en-US'): string {
  const t = translatorFor(locale);
  const known = Object.hasOwn(STATUS_DESCRIPTIONS, status) ? STATUS_DESCRIPTIONS[status] : undefined;
  if (known) return t(known);
  const words = status.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : t('rules:status.unknown');
}
