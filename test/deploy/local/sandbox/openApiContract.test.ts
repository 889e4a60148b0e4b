import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { API_ERROR_CODES, GRANT, PATHS, ROUTES } from '../../../../bot/loa/contract';
import { assertConformsToContract, conformanceInterceptor, HTTP_METHODS, openApiDocument, resolveRef } from '../../../../testkit/openApi';

type Json = Record<string, unknown>;

/** Every object in the document, with its JSON pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Json]> {
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) yield* walk(child, `${pointer}/${i}`);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  yield [pointer, node as Json];
  for (const [key, child] of Object.entries(node)) yield* walk(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
}

function operations(): Array<[string, Json]> {
  return Object.entries(openApiDocument().paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => m in item).map((m): [string, Json] => [`${m.toUpperCase()} ${path}`, item[m] as Json]),
  );
}

const deref = (node: unknown): Json => {
  const ref = (node as Json).$ref;
  return (typeof ref === 'string' ? resolveRef(ref) : node) as Json;
};

describe('LOA OpenAPI document', () => {
  it('is OpenAPI 3.1 served from the exchange and from the local sandbox', () => {
    const document = openApiDocument();
    assert.match(document.openapi, /^3\.1\.\d+$/);
    assert.deepEqual(
      document.servers.map((s) => s.url),
      ['https://api.exchange.se.com/ecostruxure', 'http://localhost:4010'],
    );
  });

  it('documents exactly the paths that contract.ts names', () => {
    const documented = Object.keys(openApiDocument().paths).sort();
    const named = [PATHS.impersonateToken, PATHS.idTokenExchange, PATHS.agreements, ROUTES.agreement.replace(/:(\w+)/g, '{$1}')].sort();
    assert.deepEqual(documented, named);
  });

  it('gives every operation a unique operationId and at least one described response', () => {
    const ids = new Set<string>();
    for (const [where, operation] of operations()) {
      assert.equal(typeof operation.operationId, 'string', `${where} has no operationId`);
      assert.ok(!ids.has(operation.operationId as string), `${where} repeats operationId ${String(operation.operationId)}`);
      ids.add(operation.operationId as string);
      const responses = Object.entries((operation.responses ?? {}) as Json);
      assert.ok(responses.length > 0, `${where} documents no response`);
      for (const [status, response] of responses) {
        assert.match(status, /^[1-5]\d\d$/, `${where} has response key ${status}`);
        assert.equal(typeof deref(response).description, 'string', `${where} ${status} has no description`);
      }
    }
  });

  it('resolves every $ref', () => {
    const refs = [...walk(openApiDocument())].filter(([, node]) => typeof node.$ref === 'string');
    assert.ok(refs.length > 20, 'the document should share its schemas through $ref');
    for (const [pointer, node] of refs) {
      assert.doesNotThrow(() => resolveRef(node.$ref as string), `${pointer} points at ${String(node.$ref)}, which does not exist`);
    }
  });

  it('declares every path parameter and uses only declared security schemes', () => {
    const document = openApiDocument();
    const schemes = Object.keys(document.components.securitySchemes ?? {});
    for (const [path, item] of Object.entries(document.paths)) {
      const declared = ((item.parameters ?? []) as Json[]).filter((p) => p.in === 'path').map((p) => p.name);
      const used = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual(declared, used, `${path} declares path parameters ${JSON.stringify(declared)}`);
    }
    for (const [where, operation] of operations()) {
      for (const requirement of (operation.security ?? []) as Json[]) {
        for (const scheme of Object.keys(requirement)) assert.ok(schemes.includes(scheme), `${where} uses undeclared scheme ${scheme}`);
      }
    }
  });

  it('says, for every x-assumption, what the overview does not state', () => {
    const assumptions = [...walk(openApiDocument())].filter(([, node]) => 'x-assumption' in node);
    assert.ok(assumptions.length >= 15, `only ${assumptions.length} assumptions are marked`);
    for (const [pointer, node] of assumptions) {
      assert.equal(node['x-assumption'], true, `${pointer} x-assumption must be true`);
      assert.equal(typeof node.description, 'string', `${pointer} is an assumption without a description`);
      assert.match(node.description as string, /overview/i, `${pointer} does not say what the overview leaves open`);
    }
  });

  it('marks the operations and fields the overview does not document as assumptions', () => {
    const paths = openApiDocument().paths;
    const agreement = paths[ROUTES.agreement.replace(':id', '{id}')]!;
    assert.equal((agreement.get as Json)['x-assumption'], true);
    assert.equal((agreement.delete as Json)['x-assumption'], true);
    const request = resolveRef('#/components/schemas/CreateAgreementRequest') as { properties: Record<string, Json> };
    for (const field of ['previousAgreementId', 'emailSubject', 'emailMessage']) {
      assert.equal(request.properties[field]?.['x-assumption'], true, `${field} is not marked as an assumption`);
    }
  });

  it('names every error code of contract.ts and the grants it sends', () => {
    const codes = (resolveRef('#/components/schemas/ApiErrorCode') as { enum: string[] }).enum;
    for (const code of Object.values(API_ERROR_CODES)) assert.ok(codes.includes(code), `ApiErrorCode lacks ${code}`);
    const impersonation = resolveRef('#/components/schemas/ImpersonationTokenRequest/properties/grant_type') as Json;
    const exchange = resolveRef('#/components/schemas/IdTokenExchangeRequest/properties/grant_type') as Json;
    assert.deepEqual([impersonation.const, exchange.const], [GRANT.impersonate, GRANT.idToken]);
  });
});

describe('contract conformance checks', () => {
  const agreement = {
    id: '0d6f5a8e-3b1c-4e7a-9f21-6c4d2b8a7e10',
    templateId: '1891f288-eed5-4253-8934-a1160207b6b9',
    status: 'SENT',
    createdAt: '2026-03-02T09:00:00.000Z',
    updatedAt: '2026-03-02T09:00:00.000Z',
    signer: { name: 'Signer Example', email: 'example@example.com' },
    formData: [],
  };
  const json = { 'Content-Type': 'application/json; charset=utf-8' };

  it('accepts a documented answer, also under the production base path', () => {
    assertConformsToContract({ method: 'GET', path: PATHS.agreement(agreement.id), status: 200, body: agreement, headers: json });
    assertConformsToContract({ method: 'get', path: `https://api.exchange.se.com/ecostruxure${PATHS.agreement(agreement.id)}?x=1`, status: 200, body: agreement });
  });

  const departures: Array<[string, Parameters<typeof assertConformsToContract>[0], RegExp]> = [
    ['a status the operation does not document', { method: 'POST', path: PATHS.agreements, status: 404, body: { code: 'AGREEMENT_NOT_FOUND', message: 'x' } }, /does not document/],
    ['a path outside the contract', { method: 'GET', path: '/loa/v1/templates', status: 200, body: [] }, /not an operation/],
    ['a method the path does not have', { method: 'PUT', path: PATHS.agreement('a'), status: 200, body: agreement }, /not an operation/],
    ['a 204 with a body', { method: 'DELETE', path: PATHS.agreement('a'), status: 204, body: { ok: true } }, /no body/],
    ['a 429 without Retry-After', { method: 'POST', path: PATHS.agreements, status: 429, body: { code: 'RATE_LIMITED', message: 'slow down' }, headers: json }, /retry-after is required/],
    ['a 429 given without its headers', { method: 'POST', path: PATHS.agreements, status: 429, body: { code: 'RATE_LIMITED', message: 'slow down' } }, /retry-after is required/],
    ['a 429 whose Retry-After is not in seconds', { method: 'GET', path: PATHS.agreement('a'), status: 429, body: { code: 'RATE_LIMITED', message: 'slow down' }, headers: { ...json, 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' } }, /retry-after/],
    ['a 401 without a challenge', { method: 'GET', path: PATHS.agreement('a'), status: 401, body: { code: 'UNAUTHORIZED', message: 'no' }, headers: json }, /www-authenticate is required/],
    ['an agreement that leaks its owner', { method: 'GET', path: PATHS.agreement('a'), status: 200, body: { ...agreement, owner: 'x@example.com' } }, /additional properties/],
    ['an agreement without updatedAt', { method: 'POST', path: PATHS.agreements, status: 201, body: { ...agreement, updatedAt: undefined } }, /updatedAt/],
    ['a 404 with another error code', { method: 'GET', path: PATHS.agreement('a'), status: 404, body: { code: 'FORBIDDEN', message: 'x' } }, /constant/],
    ['a validation error without details', { method: 'POST', path: PATHS.agreements, status: 400, body: { code: 'VALIDATION_ERROR', message: 'x' } }, /details/],
    ['a token answer without expires_in', { method: 'POST', path: PATHS.impersonateToken, status: 200, body: { access_token: 'a', token_type: 'Bearer' } }, /expires_in/],
    ['a JSON answer sent as text/html', { method: 'POST', path: PATHS.idTokenExchange, status: 400, body: { error: 'invalid_grant' }, headers: { 'content-type': 'text/html' } }, /Content-Type/],
  ];
  for (const [what, response, message] of departures) {
    it(`rejects ${what}`, () => {
      assert.throws(() => assertConformsToContract(response), message);
    });
  }

  it('collects departures seen by an axios instance, and ignores the /_sandbox/ hooks', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(req.url?.startsWith('/_sandbox/') ? { anything: true } : { id: 42 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = axios.create({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const failures = conformanceInterceptor(http);

      await http.get('/_sandbox/agreements');
      assert.deepEqual(failures, []);
      await http.get(PATHS.agreement('a'));
      assert.equal(failures.length, 1);
      assert.match(failures[0]!, /GET \/loa\/v1\/agreements\/a \(getAgreement\) answered 200/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('checks error answers that axios rejects too', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(418, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const http = axios.create({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
      const failures = conformanceInterceptor(http);

      await assert.rejects(http.delete(PATHS.agreement('a')));
      assert.equal(failures.length, 1);
      assert.match(failures[0]!, /418, a status the contract does not document/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
