import { apiErrors, methodsNotAllowed } from '@/lib/api/errors';
import { changeRoleBodySchema, memberBody, readBody } from '@/lib/api/management';
import { originOf, withToken } from '@/lib/api/with-token';
import { parseRole } from '@/lib/auth/permissions';
import { changeMemberRoleIn, removeMemberFrom, type MemberRecord } from '@/lib/data/member-changes';
import { findMember } from '@/lib/data/orgs';
import { AppError, ERROR_MESSAGES } from '@/lib/shared/errors';

const noStore = { 'Cache-Control': 'no-store' };

/** The member's user id from the path: 400 "Invalid member ID" for anything that cannot be one. */
function parseUserId(raw: string | undefined): string {
  if (!raw || !/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw apiErrors.invalidRequest({ formErrors: ['Invalid member ID'], fieldErrors: {} });
  return raw;
}

/** A change's "not found" (no such member, or gone meanwhile) as the API's "Member not found". */
async function asMember(change: Promise<MemberRecord>): Promise<MemberRecord> {
  try {
    return await change;
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found' && error.message === ERROR_MESSAGES.not_found) throw apiErrors.memberNotFound();
    throw error;
  }
}

/** GET /v1/members/{userId} (*): one member of the request's organization. */
export const GET = withToken({ scope: '*', permission: 'app:view', org: 'request' }, async (context, params) => {
  const member = await findMember(context.access, parseUserId(params.userId));
  if (!member) throw apiErrors.memberNotFound();
  return Response.json(memberBody({ ...member, role: parseRole(member.role) }), { headers: noStore });
});

/** PATCH /v1/members/{userId} (*): gives the member another role, with the portal's owner rules. */
export const PATCH = withToken({ scope: '*', permission: 'member:manage', org: 'request' }, async (context, params) => {
  const userId = parseUserId(params.userId);
  const { role } = await readBody(context.request, changeRoleBodySchema);
  const member = await asMember(changeMemberRoleIn(context.access, { userId }, role, originOf(context)));
  return Response.json(memberBody(member), { headers: noStore });
});

/** DELETE /v1/members/{userId} (*): removes the member (only owners remove an owner; one owner stays). 204. */
export const DELETE = withToken({ scope: '*', permission: 'member:manage', org: 'request' }, async (context, params) => {
  await asMember(removeMemberFrom(context.access, { userId: parseUserId(params.userId) }, originOf(context)));
  return new Response(null, { status: 204, headers: noStore });
});

export const { POST, PUT } = methodsNotAllowed('GET, PATCH, DELETE');
