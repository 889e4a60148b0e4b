/**
 * Checks HTTP answers against bot/loa/openapi.yaml, so that the sandbox (and any fake built
 * later) cannot drift from the documented contract without a test failing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import axios from 'axios';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { parse } from 'yaml';
import { z } from 'zod';

export const OPENAPI_FILE = resolve(__dirname, '../bot/loa/openapi.yaml');

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Where the component schemas live once they are handed to ajv. */
const COMPONENTS_ID = 'https://loa-bot.local/openapi/components.json';
const SCHEMA_REF_PREFIX = '#/components/schemas/';

const documentSchema = z.looseObject({
  openapi: z.string(),
  servers: z.array(z.looseObject({ url: z.string() })).min(1),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
});
const operationSchema = z.looseObject({ operationId: z.string(), responses: z.record(z.string(), z.unknown()) });
const responseSchema = z.looseObject({
  description: z.string(),
  headers: z.record(z.string(), z.unknown()).optional(),
  content: z.record(z.string(), z.looseObject({ schema: z.unknown() })).optional(),
});
const headerSchema = z.looseObject({ required: z.boolean().optional(), schema: z.record(z.string(), z.unknown()) });

export type OpenApiDocument = z.infer<typeof documentSchema>;

interface DocumentedHeader {
  name: string;
  required: boolean;
  numeric: boolean;
  validate: ValidateFunction;
}

interface DocumentedResponse {
  /** Undefined when the response has no body. */
  validateBody?: ValidateFunction;
  headers: DocumentedHeader[];
}

interface DocumentedOperation {
  method: string;
  pathTemplate: string;
  operationId: string;
  matches: RegExp;
  responses: Map<string, DocumentedResponse>;
}

export interface ContractResponse {
  method: string;
  /** A path (the servers' base paths are stripped) or a full URL; the query is ignored. */
  path: string;
  status: number;
  body: unknown;
  /** Case-insensitive. When absent, Content-Type is not checked and required headers count as missing. */
  headers?: Record<string, unknown>;
}

interface Contract {
  document: OpenApiDocument;
  operations: DocumentedOperation[];
  basePaths: string[];
}

let loaded: Contract | undefined;

/** The parsed OpenAPI document, as loaded by the conformance checks. */
export function openApiDocument(): OpenApiDocument {
  return contract().document;
}

/** Resolves a local `$ref` (e.g. `#/components/schemas/Agreement`); throws when it points nowhere. */
export function resolveRef(ref: string, document: unknown = openApiDocument()): unknown {
  if (!ref.startsWith('#/')) throw new Error(`$ref ${ref} is not local to the document`);
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) {
      throw new Error(`$ref ${ref} does not resolve in bot/loa/openapi.yaml`);
    }
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function deref(value: unknown, document: unknown): unknown {
  const seen = new Set<string>();
  let node = value;
  while (typeof node === 'object' && node !== null && typeof (node as { $ref?: unknown }).$ref === 'string') {
    const ref = (node as { $ref: string }).$ref;
    if (seen.has(ref)) throw new Error(`$ref cycle at ${ref}`);
    seen.add(ref);
    node = resolveRef(ref, document);
  }
  return node;
}

/** Points schema `$ref`s at the components schema registered with ajv. */
function retargetSchemaRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(retargetSchemaRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      if (key === '$ref' && typeof child === 'string' && child.startsWith(SCHEMA_REF_PREFIX)) {
        return [key, `${COMPONENTS_ID}#/$defs/${child.slice(SCHEMA_REF_PREFIX.length)}`];
      }
      return [key, retargetSchemaRefs(child)];
    }),
  );
}

function createAjv(schemas: Record<string, unknown>): Ajv2020 {
  // Strict mode turns a misspelt keyword or a `required` without its property into an error.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-assumption', schemaType: 'boolean' });
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: retargetSchemaRefs(schemas) });
  return ajv;
}

function templateToRegExp(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

function compileResponse(raw: unknown, document: OpenApiDocument, ajv: Ajv2020, where: string): DocumentedResponse {
  const response = responseSchema.parse(deref(raw, document), { error: () => `${where} is not a response object` });
  const headers = Object.entries(response.headers ?? {}).map(([name, rawHeader]) => {
    const header = headerSchema.parse(deref(rawHeader, document), { error: () => `${where} header ${name} is not a header object` });
    const type = header.schema.type;
    return {
      name: name.toLowerCase(),
      required: header.required ?? false,
      numeric: type === 'integer' || type === 'number',
      validate: ajv.compile(retargetSchemaRefs(header.schema) as object),
    };
  });
  if (!response.content) return { headers };
  const json = response.content['application/json'];
  if (!json) throw new Error(`${where} documents a body that is not application/json`);
  return { headers, validateBody: ajv.compile(retargetSchemaRefs(json.schema) as object) };
}

function loadContract(): Contract {
  const document = documentSchema.parse(parse(readFileSync(OPENAPI_FILE, 'utf8')));
  const ajv = createAjv(document.components.schemas);
  const operations: DocumentedOperation[] = [];
  for (const [pathTemplate, pathItem] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      if (!(method in pathItem)) continue;
      const where = `${method.toUpperCase()} ${pathTemplate}`;
      const operation = operationSchema.parse(pathItem[method], { error: () => `${where} is not an operation with responses` });
      const responses = new Map<string, DocumentedResponse>();
      for (const [status, raw] of Object.entries(operation.responses)) {
        responses.set(status, compileResponse(raw, document, ajv, `${where} ${status}`));
      }
      operations.push({ method: method.toUpperCase(), pathTemplate, operationId: operation.operationId, matches: templateToRegExp(pathTemplate), responses });
    }
  }
  // Literal paths first, so that /a/b is never taken for /a/{id}.
  operations.sort((a, b) => (a.pathTemplate.match(/\{/g)?.length ?? 0) - (b.pathTemplate.match(/\{/g)?.length ?? 0));
  const basePaths = document.servers.map((s) => new URL(s.url).pathname.replace(/\/+$/, '')).filter((p) => p !== '');
  return { document, operations, basePaths };
}

function contract(): Contract {
  loaded ??= loadContract();
  return loaded;
}

function pathOf(pathOrUrl: string, basePaths: string[]): string {
  const path = /^https?:\/\//.test(pathOrUrl) ? new URL(pathOrUrl).pathname : (pathOrUrl.split('?')[0] ?? '');
  const base = basePaths.find((b) => path.startsWith(`${b}/`));
  return base ? path.slice(base.length) : path;
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value = entry?.[1];
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

const PARAMS_WORTH_SHOWING = new Set(['additionalProperties', 'const', 'enum']);

function errorsOf(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((e) => `  - ${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${PARAMS_WORTH_SHOWING.has(e.keyword) ? `: ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}

const isEmptyBody = (body: unknown) => body === undefined || body === null || body === '';

/** Throws an Error naming every way the response departs from bot/loa/openapi.yaml. */
export function assertConformsToContract(response: ContractResponse): void {
  const { operations, basePaths } = contract();
  const method = response.method.toUpperCase();
  const path = pathOf(response.path, basePaths);
  const operation = operations.find((op) => op.method === method && op.matches.test(path));
  if (!operation) throw new Error(`${method} ${path} is not an operation of bot/loa/openapi.yaml`);
  const where = `${method} ${path} (${operation.operationId}) answered ${response.status}`;
  const documented = operation.responses.get(String(response.status));
  if (!documented) {
    throw new Error(`${where}, a status the contract does not document for it (documented: ${[...operation.responses.keys()].join(', ')})`);
  }

  const problems: string[] = [];
  // Without headers a required one (Retry-After on a 429) counts as missing: it must be checked.
  const headers = response.headers ?? {};
  for (const header of documented.headers) {
    const value = headerValue(headers, header.name);
    if (value === undefined) {
      if (header.required) problems.push(`  - header ${header.name} is required`);
      continue;
    }
    const typed = header.numeric && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    if (!header.validate(typed)) problems.push(`  - header ${header.name}: ${JSON.stringify(value)} ${errorsOf(header.validate).replace(/^\s+- \(body\) /, '')}`);
  }

  if (!documented.validateBody) {
    if (!isEmptyBody(response.body)) problems.push(`  - the contract documents no body, yet one came: ${JSON.stringify(response.body).slice(0, 200)}`);
  } else {
    const contentType = headerValue(headers, 'content-type');
    if (response.headers && !contentType?.toLowerCase().startsWith('application/json')) {
      problems.push(`  - Content-Type is ${contentType ?? 'missing'}, not application/json`);
    }
    if (!documented.validateBody(response.body)) problems.push(errorsOf(documented.validateBody));
  }

  if (problems.length > 0) throw new Error(`${where}, which departs from the contract:\n${problems.join('\n')}`);
}

/**
 * Checks every answer `instance` receives, except from the sandbox's /_sandbox/ hooks, and
 * collects the departures in the returned array: assert it is empty at the end of a test.
 */
export function conformanceInterceptor(instance: AxiosInstance): string[] {
  const failures: string[] = [];
  const check = (response: AxiosResponse) => {
    const path = new URL(instance.getUri(response.config)).pathname;
    if (path.startsWith('/_sandbox/')) return;
    try {
      assertConformsToContract({
        method: response.config.method ?? 'get',
        path,
        status: response.status,
        body: response.data,
        headers: { ...(response.headers as Record<string, unknown>) },
      });
    } catch (err) {
      failures.push((err as Error).message);
    }
  };
  instance.interceptors.response.use(
    (response) => {
      check(response);
      return response;
    },
    (error: unknown) => {
      if (axios.isAxiosError(error) && error.response) check(error.response);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return failures;
}
