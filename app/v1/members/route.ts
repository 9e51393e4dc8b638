import { addMemberBodySchema, memberBody, readBody } from '@/lib/api/management';
import { originOf, withToken } from '@/lib/api/with-token';
import { parseRole } from '@/lib/auth/permissions';
import { listMembers } from '@/lib/data/orgs';
import { inviteMemberTo } from '@/lib/data/member-changes';
import { portalPublicUrl } from '@/lib/shared/http/portal-front';
import { methodsNotAllowed } from '@/lib/api/errors';
import { INVITATION_MESSAGES } from '@/lib/actions/member-rules';
import { AppError } from '@/lib/shared/errors';

const noStore = { 'Cache-Control': 'no-store' };

/** GET /v1/members (*): the members of the request's organization, oldest first. */
export const GET = withToken({ scope: '*', permission: 'app:view', org: 'request' }, async (context) => {
  const members = await listMembers(context.access);
  return Response.json({ members: members.map((member) => memberBody({ ...member, role: parseRole(member.role) })) }, { headers: noStore });
});

/**
 * POST /v1/members (*): adds a person by email with a role, as the portal does: an invitation
 * they accept (201 with the link, shown once). The portal's owner rules apply.
 */
export const POST = withToken({ scope: '*', permission: 'member:manage', org: 'request' }, async (context) => {
  const input = await readBody(context.request, addMemberBodySchema);
  const invitation = await inviteMemberTo(context.access, input, originOf(context)).catch((error: unknown) => {
    // The portal's wording points at its own list; a script's caller is told where that list is.
    if (error instanceof AppError && error.code === 'conflict' && error.message === INVITATION_MESSAGES.pending) {
      throw new AppError('conflict', INVITATION_MESSAGES.pendingApi, { fieldErrors: { email: [INVITATION_MESSAGES.pendingApi] } });
    }
    throw error;
  });
  return Response.json(
    {
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      status: 'invited',
      invite_url: `${portalPublicUrl()}${invitation.path}`,
      expires_at: invitation.expiresAt.toISOString(),
    },
    { status: 201, headers: noStore },
  );
});

export const { PUT, PATCH, DELETE } = methodsNotAllowed('GET, POST');
