/**
 * The one place that knows the EcoStruxure LOA API's wire format: paths, field names,
 * grant parameters, response and error shapes. Everything else speaks domain types.
 *
 * Documented by the public overview: the two token endpoints and POST /loa/v1/agreements
 * with templateId, signer, cc, formData and notification.
 * ASSUMED (the overview is silent; see bot/loa/openapi.yaml, marked x-assumption):
 *   - previousAgreementId (1.1.0), emailSubject and emailMessage (1.2.0) on create;
 *   - DELETE /loa/v1/agreements/{id} answering 204 (1.3.0);
 *   - GET /loa/v1/agreements/{id}, which the real API may not have;
 *   - the agreement response shape and its status values;
 *   - token responses {access_token, token_type, expires_in}, token errors {error, error_description};
 *   - API errors {code, message, details: [{field, message}]}, with formData fields named formData.<name>;
 *   - 429 and 503 are answered before a request is processed.
 * Swapping in the real specification should touch this file and openapi.yaml only.
 */
import { z } from 'zod';
import type { Agreement, AgreementRequest } from '../domain/agreement';
import type { FieldProblem } from '../domain/loaService';

export type { FieldProblem };

export const PATHS = {
  impersonateToken: '/v1/oauth-impersonate/token',
  idTokenExchange: '/v1/oauth/token',
  agreements: '/loa/v1/agreements',
  agreement: (id: string) => `/loa/v1/agreements/${encodeURIComponent(id)}`,
} as const;

/** Route templates, as the sandbox and the OpenAPI document name them. */
export const ROUTES = {
  impersonateToken: PATHS.impersonateToken,
  idTokenExchange: PATHS.idTokenExchange,
  agreements: PATHS.agreements,
  agreement: '/loa/v1/agreements/:id',
} as const;

export const GRANT = {
  impersonate: 'user_token',
  idToken: 'id_token',
} as const;

/** Status codes that the API answers before it processes a request, so a create may be resent (ASSUMED). */
export const REJECTED_BEFORE_PROCESSING = [429, 503] as const;

/** Error codes the bot reacts to (ASSUMED names). */
export const API_ERROR_CODES = {
  validation: 'VALIDATION_ERROR',
  notFound: 'AGREEMENT_NOT_FOUND',
  forbidden: 'FORBIDDEN',
  unauthorized: 'UNAUTHORIZED',
  rateLimited: 'RATE_LIMITED',
  unavailable: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_ERROR',
} as const;

export type TokenGrant =
  | { type: 'user_token'; email: string }
  /** Sent as the id_token parameter. The API documents a cIAM id_token; LOA_AUTH_MODE=id_token sends an Entra access token there. */
  | { type: 'id_token'; idToken: string };

/** Form body of a token request. Carries the client secret: never log it. */
export function tokenRequestForm(grant: TokenGrant, clientId: string, clientSecret: string): { path: string; form: URLSearchParams } {
  const form = new URLSearchParams({ grant_type: grant.type, client_id: clientId, client_secret: clientSecret });
  if (grant.type === 'user_token') {
    form.set('email', grant.email);
    return { path: PATHS.impersonateToken, form };
  }
  form.set('id_token', grant.idToken);
  return { path: PATHS.idTokenExchange, form };
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

export interface AccessToken {
  value: string;
  /** Lifetime in seconds as the API states it. */
  expiresInS: number;
}

/** Lifetime assumed when a token response omits expires_in. */
const DEFAULT_TOKEN_LIFETIME_S = 300;

export function parseTokenResponse(body: unknown): AccessToken | undefined {
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) return undefined;
  return { value: parsed.data.access_token, expiresInS: parsed.data.expires_in ?? DEFAULT_TOKEN_LIFETIME_S };
}

const partySchema = z.object({ name: z.string(), email: z.string() });
const wireAgreementSchema = z.object({
  id: z.string().min(1),
  templateId: z.string(),
  status: z.string().min(1),
  createdAt: z.string(),
  signer: partySchema,
  cc: partySchema.optional().nullable(),
  formData: z.array(z.object({ name: z.string(), value: z.string() })).optional().nullable(),
  previousAgreementId: z.string().optional().nullable(),
});

/** JSON body of POST /loa/v1/agreements. */
export function toWireCreateRequest(request: AgreementRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    templateId: request.templateId,
    signer: { name: request.signer.name, email: request.signer.email },
  };
  if (request.cc) body.cc = { name: request.cc.name, email: request.cc.email };
  if (request.formData.length > 0) body.formData = request.formData.map((f) => ({ name: f.name, value: f.value }));
  if (request.notification) body.notification = { isEnabled: request.notification.isEnabled, emails: [...request.notification.emails] };
  if (request.emailSubject) body.emailSubject = request.emailSubject;
  if (request.emailMessage) body.emailMessage = request.emailMessage;
  if (request.previousAgreementId) body.previousAgreementId = request.previousAgreementId;
  return body;
}

export function parseAgreement(body: unknown): Agreement | undefined {
  const parsed = wireAgreementSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const a = parsed.data;
  return {
    id: a.id,
    templateId: a.templateId,
    status: a.status.toUpperCase(),
    createdAt: a.createdAt,
    signer: a.signer,
    ...(a.cc ? { cc: a.cc } : {}),
    formData: a.formData ?? [],
    ...(a.previousAgreementId ? { previousAgreementId: a.previousAgreementId } : {}),
  };
}

export interface ParsedApiError {
  code: string;
  message: string;
  details: FieldProblem[];
}

const apiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
const oauthErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

/** Reads either error format the API uses; undefined when the body is neither. */
export function parseApiError(body: unknown): ParsedApiError | undefined {
  const api = apiErrorSchema.safeParse(body);
  if (api.success) return { code: api.data.code, message: api.data.message, details: api.data.details ?? [] };
  const oauth = oauthErrorSchema.safeParse(body);
  if (oauth.success) return { code: oauth.data.error, message: oauth.data.error_description ?? oauth.data.error, details: [] };
  return undefined;
}
