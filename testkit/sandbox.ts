/** Starts the real LOA sandbox in-process for a test, with typed access to its /_sandbox/ hooks. */
import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { resolve } from 'node:path';
import axios from 'axios';
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse } from 'axios';
import { TemplateCatalog } from '../bot/domain/templateCatalog';
import { tokenRequestForm } from '../bot/loa/contract';
import type { FieldProblem, TokenGrant } from '../bot/loa/contract';
import type {
  CallCounts,
  FaultPlan,
  RunningSandbox,
  SandboxAgreementView,
  SandboxCapabilities,
  SandboxOptions,
  WireAgreement,
} from '../deploy/local/sandbox/sandboxServer';
import { startLocalLoaApi } from '../deploy/local/sandbox/localLoaApi';
import { DISTRIBUTOR_TEMPLATE_ID } from './fixtures';
import { conformanceInterceptor } from './openApi';

export const BUNDLED_CATALOG = TemplateCatalog.fromFile(resolve(__dirname, '../bot/domain/loaTemplates.json'));

export interface TokenAnswer {
  access_token: string;
  token_type: string;
  expires_in: number;
}

export interface OAuthErrorAnswer {
  error: string;
  error_description?: string;
}

export interface ApiErrorAnswer {
  code: string;
  message: string;
  details?: FieldProblem[];
}

/**
 * Any body the LOA API answers, loosely typed so that a test can assert on the fields it
 * expects; the contract checks on every answer pin the exact shape.
 */
export type LoaAnswer = Partial<TokenAnswer & OAuthErrorAnswer & ApiErrorAnswer & WireAgreement>;

/** The axios methods the tests use, with answers typed as LoaAnswer unless a test says otherwise. */
export interface LoaTestClient {
  get<T = LoaAnswer>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  post<T = LoaAnswer>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  delete<T = LoaAnswer>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
}

export interface SandboxHooks {
  agreements(): Promise<SandboxAgreementView[]>;
  setStatus(id: string, status: WireAgreement['status']): Promise<WireAgreement>;
  setFaults(plan: FaultPlan): Promise<void>;
  clearFaults(): Promise<void>;
  setCapabilities(capabilities: Partial<SandboxCapabilities>): Promise<SandboxCapabilities>;
  calls(): Promise<CallCounts>;
  reset(): Promise<void>;
  /** A cIAM id_token with these claims, signed by the sandbox's stand-in for cIAM. */
  mintCiamIdToken(claims: Record<string, unknown>): Promise<string>;
}

export interface TestSandbox {
  sandbox: RunningSandbox;
  url: string;
  clientId: string;
  clientSecret: string;
  hooks: SandboxHooks;
  /** Never throws on a status and checks every answer against the contract into `contractFailures`. */
  api: LoaTestClient;
  contractFailures: string[];
  /** A valid access token for `email` (impersonation grant) or for the given grant. */
  tokenFor(grant: string | TokenGrant): Promise<string>;
  close(): Promise<void>;
}

/**
 * Connections are not kept alive: a pooled socket that the sandbox closes (reset, close())
 * would otherwise make the next test fail with a stale-socket error.
 */
function httpClient(baseURL: string, validateStatus?: (status: number) => boolean): AxiosInstance {
  return axios.create({ baseURL, timeout: 5000, httpAgent: new Agent({ keepAlive: false }), ...(validateStatus ? { validateStatus } : {}) });
}

function hooksFor(http: AxiosInstance): SandboxHooks {
  return {
    agreements: async () => (await http.get<SandboxAgreementView[]>('/_sandbox/agreements')).data,
    setStatus: async (id, status) => (await http.post<WireAgreement>(`/_sandbox/agreements/${encodeURIComponent(id)}/status`, { status })).data,
    setFaults: async (plan) => {
      await http.put('/_sandbox/faults', plan);
    },
    clearFaults: async () => {
      await http.delete('/_sandbox/faults');
    },
    setCapabilities: async (capabilities) => (await http.put<SandboxCapabilities>('/_sandbox/capabilities', capabilities)).data,
    calls: async () => (await http.get<CallCounts>('/_sandbox/calls')).data,
    reset: async () => {
      await http.post('/_sandbox/reset');
    },
    mintCiamIdToken: async (claims) => (await http.post<{ id_token: string }>('/_sandbox/ciam/id-tokens', claims)).data.id_token,
  };
}

/** Starts the sandbox on a free port with the bundled catalog and fresh random credentials. */
export async function startTestSandbox(overrides: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const clientId = `test-client-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(16).toString('base64url');
  const local = await startLocalLoaApi({ port: 0, clientId, clientSecret, catalog: BUNDLED_CATALOG, ...overrides });
  const { sandbox } = local;
  const api = httpClient(sandbox.url, () => true);
  const contractFailures = conformanceInterceptor(api);
  const credentials = { clientId: local.clientId, clientSecret: local.clientSecret };

  const tokenFor = async (grant: string | TokenGrant): Promise<string> => {
    const tokenGrant: TokenGrant = typeof grant === 'string' ? { type: 'user_token', email: grant } : grant;
    const { path, form } = tokenRequestForm(tokenGrant, credentials.clientId, credentials.clientSecret);
    const response = await api.post<Partial<TokenAnswer>>(path, form);
    if (response.status !== 200 || !response.data.access_token) {
      throw new Error(`The sandbox refused a token: ${response.status} ${JSON.stringify(response.data)}`);
    }
    return response.data.access_token;
  };

  return {
    sandbox,
    url: sandbox.url,
    ...credentials,
    hooks: hooksFor(httpClient(sandbox.url)),
    api,
    contractFailures,
    tokenFor,
    close: () => sandbox.close(),
  };
}

/** A JWT shaped like a cIAM id_token but not signed by anyone: the sandbox refuses it. */
export function unsignedIdToken(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

/** Valid form data for the distributor pricing template. */
export const DISTRIBUTOR_FORM_DATA: ReadonlyArray<{ name: string; value: string }> = [
  { name: 'customerName', value: 'Acme Distribution SAS' },
  { name: 'accountNumber', value: '1234567' },
  { name: 'productRange', value: 'LV' },
  { name: 'discountPercent', value: '12.5' },
  { name: 'startDate', value: '2026-04-01' },
  { name: 'endDate', value: '2027-03-31' },
];

/** A create body the sandbox accepts for the distributor pricing template; override any part. */
export function validCreateBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    templateId: DISTRIBUTOR_TEMPLATE_ID,
    signer: { name: 'Signer Example', email: 'example@example.com' },
    formData: DISTRIBUTOR_FORM_DATA.map((f) => ({ ...f })),
    notification: { isEnabled: true, emails: ['example@se.com'] },
    ...overrides,
  };
}

/** Authorization header for the agreement operations. */
export function bearer(token: string): { headers: { Authorization: string } } {
  return { headers: { Authorization: `Bearer ${token}` } };
}
