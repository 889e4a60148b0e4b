import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { EntraHttpClient } from '../../bot/auth/onBehalfOf';
import type { FakeEntra } from './fakeEntra';
import { AUTHORITY } from './fakeEntra';

type PipelineRequest = Parameters<EntraHttpClient['sendRequest']>[0];
type PipelineResponse = Awaited<ReturnType<EntraHttpClient['sendRequest']>>;
type HttpHeaders = PipelineResponse['headers'];

/** The bot's app registration as Entra ID knows it: a client secret, a certificate, or both. */
export interface RegisteredApp {
  clientId: string;
  clientSecret?: string;
  /** The certificate's SHA-1 thumbprint (hex) and its public key, as uploaded to the registration. */
  certificate?: { thumbprint: string; publicKeyPem: string };
}

/** One on-behalf-of request as Entra ID received it. Holds no secret and no assertion. */
export interface OboRequest {
  /** The tenant in the token endpoint's path: whose authority issued the token. */
  tenant: string;
  clientId: string;
  /** How the app proved itself. */
  clientAuthentication: 'secret' | 'certificate' | 'none';
  /** The first scope asked for, without the OpenID scopes MSAL adds. */
  scope: string;
  /** The oid of the user whose token was the assertion. */
  assertionOid: string;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OPENID_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/**
 * Entra ID's token endpoint for the on-behalf-of grant, as @azure/identity's transport:
 * OnBehalfOfCredential (MSAL) sends its real request here instead of over the network. It
 * checks the rep's assertion against FakeEntra's keys, the app's secret or signed client
 * assertion, and that the tenant asked is the assertion's own, then issues an access token
 * for the scope's API, signed by FakeEntra, as Entra ID would.
 */
export class FakeEntraOboEndpoint implements EntraHttpClient {
  readonly requests: OboRequest[] = [];
  private readonly certificateKey: KeyObject | undefined;

  constructor(
    private readonly entra: FakeEntra,
    private readonly app: RegisteredApp,
  ) {
    this.certificateKey = app.certificate ? createPublicKey(app.certificate.publicKeyPem) : undefined;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const url = new URL(request.url);
    const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (request.method !== 'POST' || `${url.protocol}//${url.host}` !== AUTHORITY || !token) return reply(request, 404, { error: 'not_found' });
    const tenant = token[1]!;
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const clientAuthentication = form.get('client_assertion') ? 'certificate' : form.get('client_secret') ? 'secret' : 'none';
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s && !OPENID_SCOPES.has(s)) ?? '';

    if (form.get('grant_type') !== JWT_BEARER || form.get('requested_token_use') !== 'on_behalf_of') return reply(request, 400, aadError('unsupported_grant_type', 'AADSTS70003'));
    const assertion = await this.verifiedAssertion(form.get('assertion') ?? '');
    this.requests.push({ tenant, clientId: form.get('client_id') ?? '', clientAuthentication, scope, assertionOid: assertion?.oid ?? '' });
    if (!assertion) return reply(request, 400, aadError('invalid_grant', 'AADSTS50013: Assertion failed signature validation.'));
    if (form.get('client_id') !== this.app.clientId) return reply(request, 400, aadError('unauthorized_client', 'AADSTS700016: Application not found in the directory.'));
    if (!(await this.clientProved(form, tenant))) return reply(request, 401, aadError('invalid_client', 'AADSTS7000215: Invalid client secret or client assertion.'));
    if (tenant !== assertion.tid) return reply(request, 400, aadError('invalid_request', `AADSTS50020: The user is not in tenant ${tenant}.`));

    const resource = scope.replace(/\/[^/]*$/, '');
    const scp = scope.endsWith('/.default') ? 'user_impersonation' : scope.slice(resource.length + 1);
    const accessToken = await this.entra.ssoToken(assertion, resource, { scp, azp: this.app.clientId });
    return reply(request, 200, { token_type: 'Bearer', scope, expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  }

  /** The user of a valid SSO token issued to the registered app, or undefined. */
  private async verifiedAssertion(assertion: string): Promise<{ oid: string; tid: string; upn: string; name: string } | undefined> {
    try {
      const { payload } = await jwtVerify(assertion, this.entra.keys, { audience: [this.app.clientId, `api://botid-${this.app.clientId}`], algorithms: ['RS256'] });
      const tid = String(payload.tid);
      if (payload.iss !== `${AUTHORITY}/${tid}/v2.0` && payload.iss !== `https://sts.windows.net/${tid}/`) return undefined;
      const upn = [payload.preferred_username, payload.upn].find((v): v is string => typeof v === 'string') ?? '';
      return { oid: String(payload.oid), tid, upn, name: typeof payload.name === 'string' ? payload.name : upn };
    } catch {
      return undefined;
    }
  }

  private async clientProved(form: URLSearchParams, tenant: string): Promise<boolean> {
    const secret = form.get('client_secret');
    if (secret) return this.app.clientSecret !== undefined && secret === this.app.clientSecret;
    const clientAssertion = form.get('client_assertion');
    if (!clientAssertion || form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE || !this.certificateKey || !this.app.certificate) return false;
    const x5t = Buffer.from(this.app.certificate.thumbprint, 'hex').toString('base64url');
    try {
      if (decodeProtectedHeader(clientAssertion).x5t !== x5t) return false;
      const { payload } = await jwtVerify(clientAssertion, this.certificateKey, {
        issuer: this.app.clientId,
        subject: this.app.clientId,
        audience: `${AUTHORITY}/${tenant}/oauth2/v2.0/token`,
        requiredClaims: ['exp', 'jti'],
      });
      return typeof payload.jti === 'string';
    } catch {
      return false;
    }
  }
}

function aadError(error: string, description: string): Record<string, unknown> {
  return { error, error_description: description, error_codes: [Number(/AADSTS(\d+)/.exec(description)?.[1] ?? 0)] };
}

function reply(request: PipelineRequest, status: number, body: unknown): PipelineResponse {
  return { request, status, headers: jsonHeaders(), bodyAsText: JSON.stringify(body) };
}

function jsonHeaders(): HttpHeaders {
  const map = new Map<string, string>([['content-type', 'application/json; charset=utf-8']]);
  return {
    get: (name) => map.get(name.toLowerCase()),
    has: (name) => map.has(name.toLowerCase()),
    set: (name, value) => void map.set(name.toLowerCase(), String(value)),
    delete: (name) => void map.delete(name.toLowerCase()),
    toJSON: () => Object.fromEntries(map),
    [Symbol.iterator]: () => map.entries(),
  };
}
