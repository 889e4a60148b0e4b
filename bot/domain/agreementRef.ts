/**
 * Short references: what a rep reads and types instead of an agreement's GUID. A ref is the
 * first six letters and digits of the id, upper case, lengthened while another of the rep's
 * agreements starts the same way, so it names one LOA among that rep's.
 */
export const SHORT_REF_LENGTH = 6;

/** Typed refs shorter than this are not looked up: too many LOAs would match. */
export const MIN_TYPED_REF_LENGTH = 4;

const compact = (id: string) => id.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

/** The ref of an id on its own: what a card shows before the rep's other LOAs are known. */
export function defaultRef(id: string): string {
  return compact(id).slice(0, SHORT_REF_LENGTH) || id;
}

/** The ref of each of `ids`, unambiguous among them. */
export function shortRefs(ids: readonly string[]): Map<string, string> {
  const compacted = ids.map(compact);
  const refs = new Map<string, string>();
  ids.forEach((id, i) => {
    const own = compacted[i]!;
    let length = SHORT_REF_LENGTH;
    while (length < own.length && compacted.some((other, j) => j !== i && other.startsWith(own.slice(0, length)))) length++;
    refs.set(id, own.slice(0, length) || id);
  });
  return refs;
}

/**
 * The agreements a typed ref may mean: the one whose id it is (in any case), else those whose
 * compacted id starts with it. Several means the rep must say which.
 */
export function matchRef<T extends { id: string }>(items: readonly T[], typed: string): T[] {
  const exact = items.filter((item) => item.id.toLowerCase() === typed.toLowerCase());
  if (exact.length > 0) return exact;
  const prefix = compact(typed);
  if (prefix.length < MIN_TYPED_REF_LENGTH) return [];
  return items.filter((item) => compact(item.id).startsWith(prefix));
}
