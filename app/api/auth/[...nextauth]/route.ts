import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { authOptions } from '@/lib/auth/options';

/** Whether a callbackUrl parses as an http(s) URL, as next-auth requires (it refuses the whole request otherwise). */
function parsesAsHttpUrl(value: string, base: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value, base).protocol);
  } catch {
    return false;
  }
}

function handler(req: NextRequest, ctx: { params: Promise<{ nextauth: string[] }> }) {
  // A malformed callbackUrl is ignored (sign-in then returns home), never an error page.
  const callbackUrl = req.nextUrl.searchParams.get('callbackUrl');
  if (callbackUrl !== null && !parsesAsHttpUrl(callbackUrl, req.nextUrl.origin)) {
    const url = req.nextUrl.clone();
    url.searchParams.delete('callbackUrl');
    req = new NextRequest(url, req);
  }
  return NextAuth(authOptions())(req, ctx);
}

export { handler as GET, handler as POST };
