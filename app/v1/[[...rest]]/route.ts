import { endpointNotFound } from '@/lib/api/errors';

/**
 * Any /v1 path the management API does not have answers a JSON 404 (code not_found), whatever the
 * method: a typo in a script reads as an API error, not as the portal's sign-in page or a 404 page.
 */
export const GET = endpointNotFound;
export const POST = endpointNotFound;
export const PUT = endpointNotFound;
export const PATCH = endpointNotFound;
export const DELETE = endpointNotFound;
