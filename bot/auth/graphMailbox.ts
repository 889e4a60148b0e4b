import axios from 'axios';
import type { AxiosInstance } from 'axios';
import type { Clock } from '../domain/clock';
import { systemClock, withDeadline } from '../domain/clock';
import type { OnBehalfOf, SignedInRep } from './onBehalfOf';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';
/** Delegated permission to read the signed-in user's own profile, mail included. */
export const GRAPH_USER_READ_SCOPE = 'https://graph.microsoft.com/User.Read';

/** Where a rep's mailbox address comes from. */
export interface MailboxLookup {
  /** The rep's mailbox address, lowercased, or undefined when their account has none. */
  mailOf(repKey: string, signedIn: SignedInRep): Promise<string | undefined>;
  /** The address last read for the rep, while it may still be reused; for work outside a turn. */
  cachedMailOf(repKey: string): string | undefined;
}

/** Microsoft Graph could not say what the rep's mailbox is. Never carries a token. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface GraphMailboxOptions {
  onBehalfOf: OnBehalfOf;
  timeoutMs: number;
  /** How long an address is reused per rep; 0: never. */
  cacheMs: number;
  maxEntries?: number;
  /** Default https://graph.microsoft.com/v1.0; tests point it at a local fake. */
  baseUrl?: string;
  clock?: Clock;
}

interface Cached {
  mail: string;
  until: number;
}

/**
 * Reads the rep's mailbox address (the `mail` of Graph's /me) with a token obtained on their
 * behalf. The address is reused for a few minutes per rep, like their resolved identity; an
 * account without one is asked again every time, so that a newly added mailbox counts at once.
 */
export class GraphMailbox implements MailboxLookup {
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly cache = new Map<string, Cached>();
  private readonly pending = new Map<string, Promise<string | undefined>>();

  constructor(private readonly o: GraphMailboxOptions) {
    this.clock = o.clock ?? systemClock;
    this.http = axios.create({ baseURL: (o.baseUrl ?? GRAPH_BASE_URL).replace(/\/+$/, ''), maxRedirects: 0, validateStatus: () => true });
  }

  mailOf(repKey: string, signedIn: SignedInRep): Promise<string | undefined> {
    const cached = this.cachedMailOf(repKey);
    if (cached) return Promise.resolve(cached);
    const inFlight = this.pending.get(repKey);
    if (inFlight) return inFlight;
    const lookup = this.lookUp(repKey, signedIn).finally(() => this.pending.delete(repKey));
    this.pending.set(repKey, lookup);
    return lookup;
  }

  cachedMailOf(repKey: string): string | undefined {
    const cached = this.cache.get(repKey);
    return cached && this.clock.now() < cached.until ? cached.mail : undefined;
  }

  private async lookUp(repKey: string, signedIn: SignedInRep): Promise<string | undefined> {
    const token = await this.o.onBehalfOf.accessTokenFor(signedIn, GRAPH_USER_READ_SCOPE);
    const mail = await this.readMail(token);
    if (mail && this.o.cacheMs > 0) this.remember(repKey, mail);
    return mail;
  }

  private async readMail(token: string): Promise<string | undefined> {
    // axios' timeout is an idle timeout: the signal bounds the whole exchange.
    let deadline: AbortSignal | undefined;
    let res;
    try {
      res = await withDeadline(this.o.timeoutMs, (signal) => {
        deadline = signal;
        return this.http.get<unknown>('/me', {
          params: { $select: 'mail' },
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          timeout: this.o.timeoutMs,
          signal,
        });
      });
    } catch (err) {
      // Never rethrow the axios error: its config carries the bearer token.
      const code = deadline?.aborted ? 'a timeout' : typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'a network error';
      throw new GraphError(`Microsoft Graph /me did not answer (${code})`);
    }
    if (res.status !== 200) throw new GraphError(`Microsoft Graph /me answered ${res.status}`, res.status);
    const mail = (res.data as { mail?: unknown } | null)?.mail;
    if (mail === null || mail === undefined || mail === '') return undefined;
    if (typeof mail !== 'string' || !mail.includes('@')) throw new GraphError('Microsoft Graph /me answered a mail that is not an address', res.status);
    return mail.trim().toLowerCase();
  }

  private remember(repKey: string, mail: string): void {
    this.cache.delete(repKey);
    this.cache.set(repKey, { mail, until: this.clock.now() + this.o.cacheMs });
    while (this.cache.size > (this.o.maxEntries ?? 10_000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) return;
      this.cache.delete(oldest);
    }
  }
}
