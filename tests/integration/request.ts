import { encode } from 'next-auth/jwt';

/** The request the server code sees: its cookies and headers. */
export const request = {
  cookies: new Map<string, string>(),
  headers: new Map<string, string>([
    ['user-agent', 'vitest'],
    ['x-forwarded-for', '203.0.113.7'],
  ]),
};

/** Signs in as the user: a next-auth session cookie, encoded with the portal's secret. */
export async function signInAs(user: { id: string; name: string; email: string }): Promise<void> {
  const token = await encode({
    token: { sub: user.id, name: user.name, email: user.email },
    secret: process.env.NEXTAUTH_SECRET!,
  });
  request.cookies.set('next-auth.session-token', token);
}

export function signOut(): void {
  request.cookies.clear();
}
