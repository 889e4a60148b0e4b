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
