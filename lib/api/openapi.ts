/**
 * OpenAPI 3.1 description of the management API (served by the portal) and the runtime API
 * (served by the runtime server). GET /v1/openapi.json serves it; a test checks real responses
 * against it.
 */
import { ROLES } from '../auth/permissions';
import { API_ERROR_CODES } from './errors';

const role = { type: 'string', enum: [...ROLES] };
import { webhooksOpenApi } from '../webhooks/openapi';

const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
/** The runtime's errors are Spice's runtime's: `{ error }` alone. */
const runtimeError = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/RuntimeError' } } } });
const json = (description: string, schema: object) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** What every management API endpoint may answer, whatever it does. */
const always = {
  401: error('Missing Authorization header, or invalid token (code unauthorized)'),
  410: error('The token has expired (code token_expired)'),
  429: { ...error('Too many failed authentications from this address (code rate_limited)'), headers: { 'Retry-After': { schema: { type: 'string' } } } },
  500: error('Internal server error (code internal)'),
};
const orgName = { $ref: '#/components/parameters/OrgName' };
const body = (schema: object, required = true) => ({ required, content: { 'application/json': { schema } } });

export function openApiDocument(servers: { portal: string; runtime: string }) {
  return withIdempotencyKeys({
    openapi: '3.1.0',
    info: {
      title: 'Spice Portal API',
      version: 'v1',
      description:
        'Management API (personal access tokens, Authorization: Bearer) and runtime API (app API keys, X-API-Key). Shapes follow Spice.ai. Every error body is { error, code, details? }; clients branch on code.',
    },
    servers: [{ url: servers.portal, description: 'Management API (this portal)' }],
    security: [{ BearerAuth: [] }, { OAuth2: [] }],
    components: {
      securitySchemes: {
        BearerAuth: { type: 'http', scheme: 'bearer', description: 'A personal access token (spt_…) from Profile → Personal access tokens.' },
        ApiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An app API key (spk_…) from App → Settings → General.' },
        OAuth2: {
          type: 'oauth2',
          description: "An OAuth client's access token (spo_…, one hour), from Organization → Settings → OAuth clients; sent as Authorization: Bearer.",
          flows: {
            clientCredentials: {
              tokenUrl: '/api/oauth/token',
              scopes: { 'apps:read': 'List apps and read their keys', 'apps:write': 'Also regenerate keys', '*': 'Everything' },
            },
          },
        },
      },
      parameters: {
        OrgName: {
          in: 'header',
          name: 'X-Org-Name',
          required: false,
          description:
            'The organization to act in, by name. Required for a token that covers all of your organizations; a credential pinned to one organization that names another gets 403 org_forbidden. Blank is a 400.',
          schema: { type: 'string' },
        },
        AppId: { in: 'path', name: 'appId', required: true, schema: { type: 'integer' } },
        UserId: { in: 'path', name: 'userId', required: true, description: "The member's user_id", schema: { type: 'string' } },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'code'],
          properties: {
            error: { type: 'string', description: 'For people' },
            code: { type: 'string', enum: [...API_ERROR_CODES], description: 'For programs' },
            details: {
              type: 'object',
              properties: {
                formErrors: { type: 'array', items: { type: 'string' } },
                fieldErrors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              },
            },
          },
        },
        RuntimeError: { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
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
        AppInput: {
          type: 'object',
          properties: {
            name: {
              type: 'string',
              minLength: 4,
              maxLength: 63,
              pattern: '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$',
              description: 'Stored lowercase; unique in the organization',
            },
            description: { type: 'string', maxLength: 500 },
          },
        },
        KeyUsage: {
          type: 'object',
          required: ['created_at', 'last_used_at', 'requests_last_hour', 'requests_last_24h'],
          additionalProperties: false,
          properties: {
            created_at: { type: 'string', format: 'date-time', description: 'When the key was created or last regenerated' },
            last_used_at: { type: ['string', 'null'], format: 'date-time', description: 'When the runtime last accepted it' },
            requests_last_hour: { type: 'integer', minimum: 0 },
            requests_last_24h: { type: 'integer', minimum: 0 },
          },
        },
        ApiKeys: {
          type: 'object',
          required: ['api_key', 'api_key_2', 'api_key_usage', 'api_key_2_usage'],
          additionalProperties: false,
          properties: {
            api_key: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$', description: 'Primary API key' },
            api_key_2: { type: ['string', 'null'], pattern: '^spk_[0-9A-Za-z]{36}$', description: 'Secondary API key (for rotation)' },
            api_key_usage: ref('KeyUsage'),
            api_key_2_usage: ref('KeyUsage'),
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
        Org: {
          type: 'object',
          required: ['id', 'name', 'role'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            name: { type: 'string', description: 'What X-Org-Name takes' },
            role: { ...role, description: "The caller's role" },
          },
        },
        Member: {
          type: 'object',
          required: ['user_id', 'name', 'email', 'role', 'roles', 'is_owner', 'created_at'],
          additionalProperties: false,
          properties: {
            user_id: { type: 'string' },
            name: { type: 'string' },
            email: { type: 'string', format: 'email' },
            role,
            roles: {
              type: 'array',
              items: role,
              minItems: 1,
              maxItems: 1,
              description: "Spice's shape: the one role",
            },
            is_owner: { type: 'boolean' },
            created_at: { type: 'string', format: 'date-time', description: 'When the person became a member' },
          },
        },
        RoleInput: {
          type: 'object',
          properties: {
            role,
            roles: {
              type: 'array',
              items: role,
              minItems: 1,
              maxItems: 1,
              description: "Spice's shape, instead of role",
            },
          },
        },
        Invitation: {
          type: 'object',
          required: ['id', 'email', 'role', 'status', 'invite_url', 'expires_at'],
          additionalProperties: false,
          properties: {
            id: { type: 'string' },
            email: { type: 'string', format: 'email' },
            role,
            status: { type: 'string', const: 'invited' },
            invite_url: { type: 'string', format: 'uri', description: 'The link the person accepts with; shown once' },
            expires_at: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    // The signed deliveries to an organization's webhook endpoints (docs/webhooks.md).
    webhooks: webhooksOpenApi(),
    paths: {
      '/v1/orgs': {
        get: {
          summary: 'List organizations',
          description: 'The organizations the credential reaches, with your role in each: its own for a token pinned to one organization, else all of yours.',
          'x-required-scope': 'apps:read',
          responses: {
            200: json('The organizations', { type: 'object', required: ['orgs'], properties: { orgs: { type: 'array', items: ref('Org') } } }),
            ...always,
          },
        },
      },
      '/v1/apps': {
        parameters: [orgName],
        get: {
          summary: 'List apps',
          description: "The apps of the request's organization.",
          'x-required-scope': 'apps:read',
          responses: {
            200: json('The apps', { type: 'object', required: ['apps'], properties: { apps: { type: 'array', items: ref('App') } } }),
            400: error('X-Org-Name missing for a token that covers all organizations, or blank (code invalid_request)'),
            403: error(
              'Another organization than the credential is pinned to (code org_forbidden); the policy "Require two-factor authentication" (code forbidden)',
            ),
            404: error('Organization not found (code not_found)'),
            ...always,
          },
        },
        post: {
          summary: 'Create an app',
          description: "Creates an app with both API keys in the request's organization (owners and admins), with the portal's name rules.",
          'x-required-scope': 'apps:write',
          requestBody: body({ ...ref('AppInput'), required: ['name'] }),
          responses: {
            201: json('The new app', ref('App')),
            400: error('Invalid request body (code invalid_request, details.fieldErrors)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not create apps (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('Organization not found (code not_found)'),
            409: error('An app with this name exists, or the organization has MAX_APPS_PER_ORG apps (code conflict)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
      },
      '/v1/apps/{appId}': {
        parameters: [{ $ref: '#/components/parameters/AppId' }],
        get: {
          summary: 'Get an app',
          'x-required-scope': 'apps:read',
          responses: {
            200: json('The app', ref('App')),
            400: error('Invalid app ID (code invalid_request)'),
            403: error("An app of another organization than the credential's, which you are a member of (code org_forbidden)"),
            404: error('App not found (code not_found)'),
            ...always,
          },
        },
        patch: {
          summary: 'Update an app',
          description: 'Renames the app and/or edits its description (owners and admins). Fields left out stay as they are.',
          'x-required-scope': 'apps:write',
          requestBody: body(ref('AppInput')),
          responses: {
            200: json('The app as it is now', ref('App')),
            400: error('Invalid app ID or request body (code invalid_request)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not edit apps (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('App not found (code not_found)'),
            409: error('Another app of the organization has this name (code conflict)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
        put: {
          summary: "Update an app (Spice's method: the same as PATCH)",
          description: 'Renames the app and/or edits its description (owners and admins). Fields left out stay as they are.',
          'x-required-scope': 'apps:write',
          requestBody: body(ref('AppInput')),
          responses: {
            200: json('The app as it is now', ref('App')),
            400: error('Invalid app ID or request body (code invalid_request)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not edit apps (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('App not found (code not_found)'),
            409: error('Another app of the organization has this name (code conflict)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
        delete: {
          summary: 'Delete an app',
          description: 'Deletes the app and both of its keys (owners and admins): the runtime refuses both keys from that moment.',
          'x-required-scope': 'apps:write',
          responses: {
            204: { description: 'Deleted' },
            400: error('Invalid app ID (code invalid_request)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not delete apps (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('App not found (code not_found)'),
            ...always,
          },
        },
      },
      '/v1/apps/{appId}/api-keys': {
        parameters: [{ $ref: '#/components/parameters/AppId' }],
        get: {
          summary: 'Get API keys',
          description: 'Both keys, each with its use beside it (api_key_usage, api_key_2_usage), so that a script can tell which key is idle.',
          'x-required-scope': 'apps:read',
          responses: {
            200: json('Both API keys and their use', ref('ApiKeys')),
            400: error('Invalid app ID (code invalid_request)'),
            403: error('A viewer (code forbidden: "Viewers can\'t see API keys."), or another organization (code org_forbidden)'),
            404: error('App not found (code not_found)'),
            ...always,
          },
        },
        post: {
          summary: 'Regenerate API key',
          description: 'Regenerates key 1 (default), key 2, or both at once (key_number 0). The old key stops working immediately.',
          'x-required-scope': 'apps:write',
          requestBody: body({ type: 'object', properties: { key_number: { type: 'integer', enum: [0, 1, 2], default: 1 } } }, false),
          responses: {
            200: json('Regenerated', ref('RegeneratedApiKeys')),
            400: error('Invalid app ID, invalid JSON, or invalid request body (code invalid_request)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not regenerate keys (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('App not found (code not_found)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
      },
      '/v1/members': {
        parameters: [orgName],
        get: {
          summary: 'List members',
          description: "The members of the request's organization, oldest first.",
          'x-required-scope': '*',
          responses: {
            200: json('The members', { type: 'object', required: ['members'], properties: { members: { type: 'array', items: ref('Member') } } }),
            400: error('X-Org-Name missing for a token that covers all organizations, or blank (code invalid_request)'),
            403: error('Insufficient scope (code insufficient_scope), or another organization (code org_forbidden)'),
            404: error('Organization not found (code not_found)'),
            ...always,
          },
        },
        post: {
          summary: 'Add a member',
          description:
            'Invites a person by email with a role (default member), as the portal does: they become a member when they accept the link. Owners and admins; only owners invite owners. Needs a personal access token.',
          'x-required-scope': '*',
          requestBody: body({ allOf: [ref('RoleInput'), { type: 'object', required: ['email'], properties: { email: { type: 'string', format: 'email' } } }] }),
          responses: {
            201: json('Invited', ref('Invitation')),
            400: error('Invalid request body (code invalid_request)'),
            403: error(
              'Insufficient scope (code insufficient_scope), a role that may not invite (or invite owners) (code forbidden), or another organization (code org_forbidden)',
            ),
            404: error('Organization not found (code not_found)'),
            409: error('Already a member, or an invitation to the address is pending (code conflict)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
      },
      '/v1/members/{userId}': {
        parameters: [{ $ref: '#/components/parameters/UserId' }, orgName],
        get: {
          summary: 'Get a member',
          'x-required-scope': '*',
          responses: {
            200: json('The member', ref('Member')),
            400: error('Invalid member ID (code invalid_request)'),
            403: error('Insufficient scope (code insufficient_scope), or another organization (code org_forbidden)'),
            404: error('Member not found (code not_found)'),
            ...always,
          },
        },
        patch: {
          summary: "Change a member's role",
          description: 'Owners and admins; only owners grant, change or remove the owner role; the organization keeps an owner.',
          'x-required-scope': '*',
          requestBody: body(ref('RoleInput')),
          responses: {
            200: json('The member with the new role', ref('Member')),
            400: error('Invalid member ID or request body (code invalid_request)'),
            403: error('Insufficient scope (code insufficient_scope), the owner rules (code forbidden), or another organization (code org_forbidden)'),
            404: error('Member not found (code not_found)'),
            409: error('The organization would have no owner left (code conflict)'),
            413: error('Request body too large (code payload_too_large)'),
            ...always,
          },
        },
        delete: {
          summary: 'Remove a member',
          description: 'Owners and admins; only owners remove an owner; the organization keeps an owner.',
          'x-required-scope': '*',
          responses: {
            204: { description: 'Removed' },
            400: error('Invalid member ID (code invalid_request)'),
            403: error('Insufficient scope (code insufficient_scope), the owner rules (code forbidden), or another organization (code org_forbidden)'),
            404: error('Member not found (code not_found)'),
            409: error('The organization would have no owner left (code conflict)'),
            ...always,
          },
        },
      },
      '/api/oauth/token': {
        post: {
          summary: 'Get an OAuth access token (client credentials)',
          description:
            'RFC 6749 §4.4. The client id and secret in HTTP Basic (form-urlencoded first) or as client_id and client_secret in the body; scope (optional, space-separated) asks for fewer scopes than the client has. Body at most 16 KiB.',
          security: [],
          requestBody: {
            required: true,
            content: Object.fromEntries(
              ['application/x-www-form-urlencoded', 'application/json'].map((type) => [
                type,
                {
                  schema: {
                    type: 'object',
                    required: ['grant_type'],
                    properties: {
                      grant_type: { type: 'string', const: 'client_credentials' },
                      client_id: { type: 'string' },
                      client_secret: { type: 'string' },
                      scope: { type: 'string' },
                    },
                  },
                },
              ]),
            ),
          },
          responses: Object.fromEntries([
            [
              200,
              {
                description: 'An access token for an hour',
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['access_token', 'token_type', 'expires_in', 'scope'],
                      additionalProperties: false,
                      properties: {
                        access_token: { type: 'string', pattern: '^spo_[0-9A-Za-z]{36}$' },
                        token_type: { type: 'string', const: 'Bearer' },
                        expires_in: { type: 'integer', const: 3600 },
                        scope: { type: 'string' },
                      },
                    },
                  },
                },
              },
            ],
            ...(
              [
                [400, 'invalid_request, unsupported_grant_type or invalid_scope'],
                [401, 'invalid_client (WWW-Authenticate: Basic when Basic was used)'],
                [429, 'Too many failed client authentications (Retry-After)'],
              ] as const
            ).map(([status, description]) => [
              status,
              {
                description,
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      required: ['error', 'error_description'],
                      properties: { error: { type: 'string' }, error_description: { type: 'string' } },
                    },
                  },
                },
              },
            ]),
          ]),
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
            400: runtimeError('SQL error, or a statement that is not a read'),
            401: {
              description: 'Missing, malformed, unknown or regenerated key',
              content: { 'text/plain': { schema: { type: 'string', const: 'Unauthorized' } } },
            },
            408: runtimeError('Query time limit exceeded'),
            413: runtimeError('Request body too large'),
            429: {
              ...runtimeError('Too many failed authentications, or the app already runs and queues as many queries as it may'),
              headers: { 'Retry-After': { schema: { type: 'string' } } },
            },
          },
        },
      },
    },
  });
}

type Operation = { security?: unknown; parameters?: unknown[]; responses?: Record<string, { description?: string; headers?: object }> };
type Document = { components: Record<string, Record<string, unknown>>; paths: Record<string, Record<string, unknown>> };

/**
 * The Idempotency-Key header (lib/api/idempotency.ts) on every POST, PUT, PATCH and DELETE of the
 * management API, added here so that every such operation documents it: the operations of the
 * portal's paths (no `servers` of their own) that keep the Bearer token (no `security` of their own).
 */
function withIdempotencyKeys<D extends object>(document: D): D {
  const doc = document as unknown as Document;
  doc.components.parameters = {
    ...doc.components.parameters,
    IdempotencyKey: {
      in: 'header',
      name: 'Idempotency-Key',
      required: false,
      description:
        'Makes a retry safe (as Stripe does): the same key with the same request within 24 hours answers the first answer ' +
        '(marked Idempotent-Replayed: true) and changes nothing. Scoped to the credential; a 5xx is not stored.',
      schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
    },
  };
  const retryAfter = { 'Retry-After': { schema: { type: 'string' } } };
  const inProgress = 'A request with this Idempotency-Key is still in progress (code idempotency_in_progress)';
  const reused = error('This Idempotency-Key was already used for another request (code idempotency_key_reused)');
  const codes = doc.components.schemas?.Error as { properties: { code: { enum?: string[] } } } | undefined;
  if (codes?.properties.code.enum) {
    codes.properties.code.enum = [...new Set([...codes.properties.code.enum, 'invalid_request', 'idempotency_key_reused', 'idempotency_in_progress'])];
  }
  for (const item of Object.values(doc.paths)) {
    if ('servers' in item) continue;
    for (const method of ['post', 'put', 'patch', 'delete']) {
      const operation = item[method] as Operation | undefined;
      if (!operation || operation.security) continue;
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/IdempotencyKey' }];
      const responses = (operation.responses ??= {});
      const conflict = responses['409'];
      responses['409'] = conflict
        ? { ...conflict, description: `${conflict.description}; or ${inProgress}`, headers: { ...conflict.headers, ...retryAfter } }
        : { ...error(inProgress), headers: retryAfter };
      responses['422'] ??= reused;
      const invalid = responses['400'];
      responses['400'] = invalid ? { ...invalid, description: `${invalid.description}; or an invalid Idempotency-Key` } : error('Invalid Idempotency-Key');
    }
  }
  return document;
}
