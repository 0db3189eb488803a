import { commandPolicies, commands } from '@qenex/engine';
import { z } from 'zod';
import type { RouteSpec } from './routes';

/**
 * OpenAPI 3.1, generated from the same zod schemas that validate each command's input, so the
 * document cannot drift from what the server accepts.
 */
type JsonSchema = Record<string, unknown>;

function inputSchema(route: RouteSpec): JsonSchema | undefined {
  const schema = commands[route.command].input as z.ZodType;
  const omitted = new Set([...(route.pathFields ?? []), ...(route.queryFields ?? [])]);
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (properties === undefined) return json;
  for (const field of omitted) delete properties[field];
  if (Array.isArray(json.required)) json.required = (json.required as string[]).filter((field) => !omitted.has(field));
  return json;
}

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'Stable result code, e.g. insufficient_funds' },
    detail: { type: 'string', description: 'What happened and what to do next' },
    instance: { type: 'string' },
  },
};

const transferEventSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'amount'],
  properties: {
    id: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'Client-made 128-bit id; a retry with the same id is idempotent' },
    debitAccountId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    creditAccountId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    amount: { type: 'string', pattern: '^[0-9]+$', description: 'Integer minor units' },
    pendingId: { type: 'string', pattern: '^[0-9a-f]{32}$' },
    ledger: { type: 'integer', description: 'ISO 4217 numeric code of the currency' },
    code: { type: 'integer', minimum: 1, maximum: 65535 },
    flags: { type: 'integer', description: 'linked 1, pending 2, post 4, void 8, balancing debit 16, balancing credit 32, closing debit 64, closing credit 128' },
    timeout: { type: 'integer', description: 'Seconds a pending transfer may wait' },
  },
};

function pathOf(url: string): string {
  return url.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function openApiDocument(routes: readonly RouteSpec[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const operation: JsonSchema = {
      operationId: route.operationId ?? route.command,
      summary: route.summary,
      tags: [route.tag],
      'x-permission': commandPolicies[route.command].permission,
      parameters: [
        ...(route.pathFields ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...(route.queryFields ?? []).map((name) => ({ name, in: 'query', required: false, schema: { type: route.numericQuery?.includes(name) ? 'integer' : 'string' } })),
        ...(route.method === 'POST' && route.public !== true && route.device !== true ? [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } }] : []),
      ],
      responses: {
        [String(route.status ?? 200)]: { description: 'Done' },
        ...(route.method === 'GET' ? {} : { '202': { description: 'Held for approval by a second user' } }),
        default: { description: 'Refused', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      ...(route.public === true || route.device === true ? { security: [] } : {}),
      ...(route.device === true ? { 'x-authentication': 'the workstation\'s hybrid ML-DSA-65 + Ed25519 signature in the body' } : {}),
    };
    if (route.method === 'POST' || route.method === 'PUT') {
      const schema = inputSchema(route);
      if (schema !== undefined) operation.requestBody = { required: true, content: { 'application/json': { schema } } };
    }
    (paths[pathOf(route.url)] ??= {})[route.method.toLowerCase()] = operation;
  }
  paths['/api/v1/transfers'] = {
    post: {
      operationId: 'ledger.create_transfers',
      summary: 'One transfer, or {"transfers": [...]} with one result per item; concurrent requests share commits',
      tags: ['ledger'],
      'x-permission': commandPolicies['ledger.create_transfers'].permission,
      parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { oneOf: [transferEventSchema, { type: 'object', required: ['transfers'], properties: { transfers: { type: 'array', maxItems: 8190, items: transferEventSchema } } }] },
          },
        },
      },
      responses: { '200': { description: 'Per-item results' }, '201': { description: 'Created' }, default: { description: 'Refused' } },
    },
  };
  for (const action of ['post', 'void']) {
    paths[`/api/v1/transfers/{pendingId}/${action}`] = {
      post: {
        operationId: `ledger.${action}_pending`,
        summary: action === 'post' ? 'Post a pending transfer, in full or in part' : 'Void a pending transfer',
        tags: ['ledger'],
        'x-permission': commandPolicies['ledger.create_transfers'].permission,
        parameters: [
          { name: 'pendingId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, amount: { type: 'string' } } } } } },
        responses: { '201': { description: 'Done' }, default: { description: 'Refused' } },
      },
    };
  }
  paths['/api/v1/server-keys'] = { get: { operationId: 'server.keys', summary: "The server's public keys, pinned by workstations at enrolment", security: [], responses: { '200': { description: 'Keys' } } } };
  paths['/api/v1/updates/files/{path}'] = {
    get: {
      operationId: 'update.file',
      summary: 'A file of the signed update repository (metadata/… or targets/…; the path may hold slashes). Public: every file is signed, and clients verify before use',
      tags: ['updates'],
      security: [],
      parameters: [{ name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The file as published', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
        '404': { description: 'No such published file', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  };
  paths['/health'] = { get: { operationId: 'health', summary: 'Liveness', security: [], responses: { '200': { description: 'Up' } } } };
  paths['/ready'] = { get: { operationId: 'ready', summary: 'Readiness: database and cache reachable', security: [], responses: { '200': { description: 'Ready' }, '503': { description: 'Not ready' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'QENEX central server', version: '0.1.0', description: 'Amounts are strings of integer minor units; errors are RFC 9457 problem+json with a stable code.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Problem: problemSchema } },
    paths,
  };
}
