import type { Agreement, AgreementRequest } from '../domain/agreement';
import { LOA_ERROR_CODES, LoaServiceError } from '../domain/loaService';
import type { CallOptions, LoaPrincipal as ServicePrincipal, LoaService } from '../domain/loaService';
import { API_ERROR_CODES } from './contract';
import { LoaApiError } from './loaApiError';
import type { LoaClient, LoaPrincipal } from './loaClient';

/** The API's codes the domain tells apart, in the domain's words; other codes pass through as they are. */
const DOMAIN_CODES: Readonly<Record<string, string>> = {
  [API_ERROR_CODES.validation]: LOA_ERROR_CODES.refusedByField,
  [API_ERROR_CODES.notFound]: LOA_ERROR_CODES.notFound,
};

/**
 * The domain's LoaService over the LOA API client: hands the client back the principal that
 * LoaPrincipals made, and turns each LoaApiError into the domain's LoaServiceError.
 */
export class LoaServiceAdapter implements LoaService {
  constructor(private readonly api: LoaClient) {}

  get canGetAgreement(): boolean {
    return this.api.canGetAgreement;
  }

  createAgreement(principal: ServicePrincipal, request: AgreementRequest, options?: CallOptions): Promise<Agreement> {
    return inDomainTerms(() => this.api.createAgreement(clientPrincipal(principal), request, options));
  }

  getAgreement(principal: ServicePrincipal, id: string, options?: CallOptions): Promise<Agreement> {
    return inDomainTerms(() => this.api.getAgreement(clientPrincipal(principal), id, options));
  }

  deleteAgreement(principal: ServicePrincipal, id: string, options?: CallOptions): Promise<void> {
    return inDomainTerms(() => this.api.deleteAgreement(clientPrincipal(principal), id, options));
  }
}

/** A LoaApiError as the domain sees it; it keeps everything but the client's own retry hint. */
export function toServiceError(err: LoaApiError): LoaServiceError {
  return new LoaServiceError({
    operation: err.operation,
    code: DOMAIN_CODES[err.code] ?? err.code,
    message: err.message,
    ...(err.status !== undefined ? { status: err.status } : {}),
    details: [...err.details],
    retryable: err.retryable,
    outcomeUnknown: err.outcomeUnknown,
  });
}

async function inDomainTerms<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw err instanceof LoaApiError ? toServiceError(err) : err;
  }
}

/** Principals reach the domain from LoaPrincipals and come back here unchanged; anything else is a wiring mistake. */
function clientPrincipal(principal: ServicePrincipal): LoaPrincipal {
  if (!isClientPrincipal(principal)) throw new TypeError('An LOA principal must come from LoaPrincipals');
  return principal;
}

function isClientPrincipal(principal: ServicePrincipal): principal is LoaPrincipal {
  return 'grant' in principal && typeof principal.grant === 'function';
}
