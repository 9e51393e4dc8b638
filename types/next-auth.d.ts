import type { DefaultSession } from 'next-auth';

declare module 'next-auth' {
  interface Session {
    user: { id: string } & DefaultSession['user'];
    /** The UserSession row behind this cookie (lib/auth/sessions.ts). */
    sessionId: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** The UserSession row behind this cookie. */
    sid?: string;
  }
}
