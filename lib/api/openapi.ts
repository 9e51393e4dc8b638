/**
 * OpenAPI 3.1 description of the management API (served by the portal) and the runtime API
 * (served by the runtime server). GET /v1/openapi.json serves it; a test checks real responses
 * against it.
 */
import { webhooksOpenApi } from '../webhooks/openapi';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

export function openApiDocument(servers: { portal: string; runtime: string }) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Spice Portal API',
      version: 'v1',
      description: 'Management API (personal access tokens, Authorization: Bearer) and runtime API (app API keys, X-API-Key). Shapes follow Spice.ai.',
    },
    servers: [{ url: servers.portal, description: 'Management API (this portal)' }],
    security: [{ BearerAuth: [] }],
    components: {
      securitySchemes: {
        BearerAuth: { type: 'http', scheme: 'bearer', description: 'A personal access token (spt_…) from Profile → Personal access tokens.' },
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An app API key (spk_…) from App → Settings → General.' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: { type: 'string' },
            code: { type: 'string', enum: ['insufficient_scope', 'forbidden'] },
            details: {
              type: 'object',
              properties: {
                formErrors: { type: 'array', items: { type: 'string' } },
                fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
        App: {
          type: 'object',
          required: ['id', 'name', 'description', 'visibility', 'created_at', 'api_key'],
          additionalProperties: false,
          properties: {
            id: { type: 'integer' },
            name: { type: 'string' },
            description: { type: 'string' },
            visibility: { type: 'string', enum: ['public', 'private'] },
            created_at: { type: 'string', format: 'date-time' },
            api_key: { type: ['string', 'null'], description: 'Primary API key; null for a role that may not see keys (a viewer)' },
          },
        },
        ApiKeys: {
          type: 'object',
          required: ['api_key', 'api_key_2'],
          additionalProperties: false,
          properties: {
            api_key: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$', description: 'Primary API key' },
            api_key_2: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$', description: 'Secondary API key (for rotation)' },
          },
        },
        RegeneratedApiKeys: {
          type: 'object',
          required: ['api_key', 'api_key_2', 'regenerated_key'],
          additionalProperties: false,
          properties: {
            api_key: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$' },
            api_key_2: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$' },
            regenerated_key: { type: 'integer', enum: [0, 1, 2], description: 'Which key was regenerated (0 = both, 1 = primary, 2 = secondary)' },
          },
        },
      },
    },
    // The signed deliveries to an organization's webhook endpoints (docs/webhooks.md).
    webhooks: webhooksOpenApi(),
    paths: {
      '/v1/apps': {
        get: {
          summary: 'List apps',
          description: "The apps of the token's organization. A token for all organizations names one in X-Org-Name.",
          'x-required-scope': 'apps:read',
          parameters: [{ in: 'header', name: 'X-Org-Name', required: false, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'The apps',
              content: {
                'application/json': {
                  schema: { type: 'object', required: ['apps'], properties: { apps: { type: 'array', items: { $ref: '#/components/schemas/App' } } } },
                },
              },
            },
            400: error('X-Org-Name missing for a token that covers all organizations'),
            401: error('Missing Authorization header, or invalid token'),
            403: error('Insufficient scope'),
            404: error('Organization not found'),
            429: error('Too many failed authentications'),
            500: error('Internal server error'),
          },
        },
      },
      '/v1/apps/{appId}/api-keys': {
        parameters: [{ in: 'path', name: 'appId', required: true, schema: { type: 'integer' } }],
        get: {
          summary: 'Get API keys',
          'x-required-scope': 'apps:read',
          responses: {
            200: { description: 'Both API keys', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiKeys' } } } },
            400: error('Invalid app ID'),
            401: error('Missing Authorization header, or invalid token'),
            403: error('Insufficient scope (code insufficient_scope), or the user may not see keys, a viewer (code forbidden: "Viewers can\'t see API keys.")'),
            404: error('App not found'),
            429: error('Too many failed authentications'),
            500: error('Internal server error'),
          },
        },
        post: {
          summary: 'Regenerate API key',
          description: 'Regenerates key 1 (default), key 2, or both at once (key_number 0). The old key stops working immediately.',
          'x-required-scope': 'apps:write',
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { key_number: { type: 'integer', enum: [0, 1, 2], default: 1 } },
                },
              },
            },
          },
          responses: {
            200: { description: 'Regenerated', content: { 'application/json': { schema: { $ref: '#/components/schemas/RegeneratedApiKeys' } } } },
            400: error('Invalid app ID, invalid JSON, or invalid request body'),
            401: error('Missing Authorization header, or invalid token'),
            403: error('Insufficient scope (code insufficient_scope), or the user may not regenerate keys (code forbidden)'),
            404: error('App not found'),
            413: error('Request body too large'),
            429: error('Too many failed authentications'),
            500: error('Internal server error'),
          },
        },
      },
      '/health': {
        servers: [{ url: servers.runtime, description: 'Runtime' }],
        get: {
          summary: 'Runtime health',
          security: [],
          responses: { 200: { description: 'Healthy', content: { 'text/plain': { schema: { type: 'string', const: 'ok' } } } } },
        },
      },
      '/v1/ready': {
        servers: [{ url: servers.runtime, description: 'Runtime' }],
        get: {
          summary: 'Runtime readiness',
          security: [],
          responses: { 200: { description: 'Ready', content: { 'text/plain': { schema: { type: 'string', const: 'ready' } } } } },
        },
      },
      '/v1/sql': {
        servers: [{ url: servers.runtime, description: 'Runtime' }],
        post: {
          summary: 'Run a SQL query',
          security: [{ ApiKeyAuth: [] }],
          requestBody: {
            required: true,
            content: {
              'text/plain': { schema: { type: 'string', description: 'One read-only SQL statement' } },
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['sql'],
                  properties: {
                    sql: { type: 'string' },
                    parameters: { type: 'array', items: { type: ['string', 'number', 'boolean', 'null'] }, description: 'Bound to $1, $2, …' },
                  },
                },
              },
            },
          },
          responses: {
            200: {
              description: 'Rows (at most 500; X-Rows-Truncated: true when cut). Integers beyond 2^53 are strings.',
              headers: {
                'X-Rows-Truncated': { schema: { type: 'string', const: 'true' } },
                'X-Row-Limit': { schema: { type: 'string' } },
              },
              content: {
                'application/json': { schema: { type: 'array', items: { type: 'object' } } },
                'text/csv': { schema: { type: 'string' } },
              },
            },
            400: error('SQL error, or a statement that is not a read'),
            401: {
              description: 'Missing, malformed, unknown or regenerated key',
              content: { 'text/plain': { schema: { type: 'string', const: 'Unauthorized' } } },
            },
            408: error('Query time limit exceeded'),
            413: error('Request body too large'),
            429: {
              ...error('Too many failed authentications, or the app already runs and queues as many queries as it may'),
              headers: { 'Retry-After': { schema: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
