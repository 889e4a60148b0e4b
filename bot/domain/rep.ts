/** Who a rep is, as established by Teams (roster today, single sign-on later). */
export interface RepIdentity {
  /** Entra object id. */
  objectId: string;
  tenantId: string;
  /** Sign-in name (preferred_username or upn); the LOA API impersonates it with LOA_IMPERSONATE_AS=upn. */
  upn: string;
  name: string;
}

/** Stable key for a rep, independent of the conversation. */
export function repKey(rep: Pick<RepIdentity, 'tenantId' | 'objectId'>): string {
  return `${rep.tenantId}:${rep.objectId}`;
}

/** Whether two rep keys name the same rep: Entra ids are GUIDs, whatever their case. */
export function sameRep(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
