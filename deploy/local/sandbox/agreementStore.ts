import { randomUUID } from 'node:crypto';
import type { FormValue, NotificationSettings, Party } from '../../../bot/domain/agreement';
import { FINAL_STATUSES } from '../../../bot/domain/agreement';

/** Statuses the sandbox serves, as documented (assumed) in bot/loa/openapi.yaml. */
export const AGREEMENT_STATUSES = ['SENT', 'VIEWED', ...FINAL_STATUSES] as const;
export type SandboxAgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** A create request that passed validation, in wire field names. */
export interface AcceptedAgreement {
  templateId: string;
  signer: Party;
  cc?: Party;
  formData: FormValue[];
  notification?: NotificationSettings;
  emailSubject?: string;
  emailMessage?: string;
  previousAgreementId?: string;
}

/** The agreement as GET /loa/v1/agreements/{id} returns it (the owner stays internal). */
export interface WireAgreement extends AcceptedAgreement {
  id: string;
  status: SandboxAgreementStatus;
  createdAt: string;
  updatedAt: string;
}

/** What GET /_sandbox/agreements shows: every agreement ever created, with its owner. */
export interface SandboxAgreementView extends Omit<WireAgreement, 'status'> {
  status: SandboxAgreementStatus | 'DELETED';
  owner: string;
  deletedAt?: string;
}

export type OwnedLookup =
  | { found: true; agreement: WireAgreement }
  | { found: false; reason: 'unknown' | 'forbidden' };

interface StoredAgreement {
  agreement: WireAgreement;
  owner: string;
  deletedAt?: string;
}

/** In-memory agreements. Deleted ones are kept so tests can see what was deleted. */
export class AgreementStore {
  private readonly byId = new Map<string, StoredAgreement>();

  /** `newId` names each agreement; random UUIDs, as the real API issues, unless a test needs ids that collide. */
  constructor(private readonly newId: () => string = randomUUID) {}

  create(accepted: AcceptedAgreement, owner: string, nowIso: string): WireAgreement {
    const agreement: WireAgreement = { id: this.newId(), status: 'SENT', createdAt: nowIso, updatedAt: nowIso, ...structuredClone(accepted) };
    this.byId.set(agreement.id, { agreement, owner });
    return structuredClone(agreement);
  }

  /** A live agreement of `owner`; a deleted one counts as unknown. */
  findOwned(id: string, owner: string): OwnedLookup {
    const stored = this.byId.get(id);
    if (!stored || stored.deletedAt) return { found: false, reason: 'unknown' };
    if (stored.owner !== owner) return { found: false, reason: 'forbidden' };
    return { found: true, agreement: structuredClone(stored.agreement) };
  }

  delete(id: string, nowIso: string): void {
    const stored = this.byId.get(id);
    if (stored) stored.deletedAt = nowIso;
  }

  /** Test hook: moves a live agreement to another status, as the signer's actions would. */
  setStatus(id: string, status: SandboxAgreementStatus, nowIso: string): WireAgreement | undefined {
    const stored = this.byId.get(id);
    if (!stored || stored.deletedAt) return undefined;
    stored.agreement.status = status;
    stored.agreement.updatedAt = nowIso;
    return structuredClone(stored.agreement);
  }

  all(): SandboxAgreementView[] {
    return [...this.byId.values()].map(({ agreement, owner, deletedAt }) => ({
      ...structuredClone(agreement),
      owner,
      ...(deletedAt ? { status: 'DELETED' as const, deletedAt } : {}),
    }));
  }

  clear(): void {
    this.byId.clear();
  }
}
