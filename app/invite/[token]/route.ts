import { NextResponse, type NextRequest } from 'next/server';
import { INVITATION_COOKIE } from '@/lib/auth/invitation-cookie';
import { isWellFormedInvitationToken } from '@/lib/shared/keys/format';

/**
 * An invitation link, `/invite/<token>`: the one URL that holds an invitation token. It keeps the
 * token in a cookie of the invitation page's own path and sends the browser on to /invite, so that
 * signing in or up on the way (and every page after) has no token in its address. No page is
 * rendered here, and proxy.ts answers `Referrer-Policy: no-referrer` on both.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  // A relative Location: the browser stays on the host it used, where the cookie is set.
  const response = new NextResponse(null, { status: 303, headers: { Location: '/invite', 'Cache-Control': 'no-store' } });
  if (isWellFormedInvitationToken(token)) {
    response.cookies.set(INVITATION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/invite',
      secure: request.nextUrl.protocol === 'https:',
      maxAge: 7 * 24 * 60 * 60,
    });
  } else {
    // A mistyped link must not leave an earlier invitation on the page.
    response.cookies.set(INVITATION_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: '/invite', maxAge: 0 });
  }
  return response;
}
