import type { Agreement, AgreementStatus, FormValue, Party } from './agreement';
import { defaultRef, shortRefs } from './agreementRef';
import { StorageUnavailable, updateWithRetry } from './keyValueStore';
import type { KeyValueStore } from './keyValueStore';

/**
 * Where an agreement was sent from, so later news (a status change) goes to the same chat.
 * The reference is opaque here: only the Teams layer reads it.
 */
export interface ConversationOrigin {
  reference: unknown;
  /** The Teams activity id of the card the rep pressed Send on. */
  cardActivityId?: string;
  /** The rep's Teams locale (BCP 47, e.g. "fr-FR"), for what is posted there later. */
  locale?: string;
}

/** What the bot remembers of an agreement a rep created through it. */
export interface AgreementRecord {
  id: string;
  templateId: string;
  signer: Party;
  cc?: Party;
  formData: FormValue[];
  createdAt: string;
  status: AgreementStatus;
  /** When a check with the API last wrote the status (absent: as of creation); "my LOAs" writes it only when the status moved. */
  statusCheckedAt?: string;
  /** Set once the agreement is deleted or the API no longer knows it. */
  goneAt?: string;
  previousAgreementId?: string;
  origin: ConversationOrigin;
}

interface RepAgreements {
  records: AgreementRecord[];
}

/** Oldest records beyond this are forgotten, to keep a rep's document bounded. */
export const MAX_RECORDS_PER_REP = 500;

const keyOf = (repKey: string) => `agreements/${repKey}`;
const ownerKeyOf = (agreementId: string) => `owner/${agreementId}`;

/** Who created an agreement through the bot, found by its id alone. */
interface AgreementOwner {
  repKey: string;
}

/**
 * A rep's agreements, keyed by their stable identity (tenant and object id), so they are
 * found from any chat with the bot. Writes are compare-and-swap, so concurrent updates
 * from two turns never drop a record.
 */
export class AgreementRecords {
  constructor(
    private readonly store: KeyValueStore<RepAgreements>,
    /** Agreement id -> its rep, so a card naming an agreement can be checked against whoever pressed it. */
    private readonly owners: KeyValueStore<AgreementOwner>,
  ) {}

  /** Newest first. */
  async list(repKey: string): Promise<AgreementRecord[]> {
    return (await this.store.get(keyOf(repKey)))?.value.records ?? [];
  }

  async find(repKey: string, agreementId: string): Promise<AgreementRecord | undefined> {
    return (await this.list(repKey)).find((r) => r.id === agreementId);
  }

  /** One of the rep's agreements and its short ref, from one read of their records. */
  async findWithRef(repKey: string, agreementId: string): Promise<{ record: AgreementRecord; ref: string } | undefined> {
    const records = await this.list(repKey);
    const record = records.find((r) => r.id === agreementId);
    return record && { record, ref: shortRefs(records.map((r) => r.id)).get(agreementId) ?? defaultRef(agreementId) };
  }

  /** The rep who created this agreement through the bot, if any did. */
  async ownerOf(agreementId: string): Promise<string | undefined> {
    return (await this.owners.get(ownerKeyOf(agreementId)))?.value.repKey;
  }

  /** The short ref a rep reads for this agreement: unambiguous among its owner's agreements. */
  async refOf(agreementId: string): Promise<string> {
    let ids: string[];
    try {
      const owner = await this.ownerOf(agreementId);
      ids = owner ? (await this.list(owner)).map((r) => r.id) : [];
    } catch (err) {
      // A name to show, after the work is done: storage failing now must not turn a delete
      // that went through into an error. The plain ref still works ("delete LOA" asks which if it fits several).
      if (err instanceof StorageUnavailable) return defaultRef(agreementId);
      throw err;
    }
    return shortRefs(ids.includes(agreementId) ? ids : [agreementId, ...ids]).get(agreementId) ?? defaultRef(agreementId);
  }

  async add(repKey: string, record: AgreementRecord): Promise<void> {
    // Written once; an id the API handed out twice keeps its first owner.
    await this.owners.create(ownerKeyOf(record.id), { repKey });
    await this.modify(repKey, (records) => [record, ...records.filter((r) => r.id !== record.id)].slice(0, MAX_RECORDS_PER_REP));
  }

  /** Applies `change` to one record; returns the updated record, or undefined if there is none. */
  async update(repKey: string, agreementId: string, change: (r: AgreementRecord) => AgreementRecord): Promise<AgreementRecord | undefined> {
    let updated: AgreementRecord | undefined;
    await this.modify(repKey, (records) =>
      records.map((r) => {
        if (r.id !== agreementId) return r;
        updated = change(r);
        return updated;
      }),
    );
    return updated;
  }

  /** Applies `change` to many records of one rep in a single write. */
  async updateMany(repKey: string, changes: ReadonlyMap<string, (r: AgreementRecord) => AgreementRecord>): Promise<AgreementRecord[]> {
    let all: AgreementRecord[] = [];
    await this.modify(repKey, (records) => (all = records.map((r) => changes.get(r.id)?.(r) ?? r)));
    return all;
  }

  private modify(repKey: string, change: (records: AgreementRecord[]) => AgreementRecord[]): Promise<void> {
    return updateWithRetry(this.store, keyOf(repKey), (current) => ({ records: change(current?.records ?? []) }));
  }
}

export function recordFromAgreement(agreement: Agreement, origin: ConversationOrigin): AgreementRecord {
  return {
    id: agreement.id,
    templateId: agreement.templateId,
    signer: agreement.signer,
    ...(agreement.cc ? { cc: agreement.cc } : {}),
    formData: agreement.formData,
    createdAt: agreement.createdAt,
    status: agreement.status,
    ...(agreement.previousAgreementId ? { previousAgreementId: agreement.previousAgreementId } : {}),
    origin,
  };
}
