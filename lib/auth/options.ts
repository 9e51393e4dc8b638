import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import GitHubProvider from 'next-auth/providers/github';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { createUserWithOrg } from '../data/users';
import { logUnexpected } from '../errors';
import { isLockedOut, recordLoginFailure } from './lockout';
import { SIGN_IN_ERRORS } from './messages';
import { verifyPassword } from './password';

const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(254),
  password: z.string().min(1).max(200),
});

function buildAuthOptions(): NextAuthOptions {
  const env = serverEnv();
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      name: 'Email',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) throw new Error(SIGN_IN_ERRORS.invalid);
        const { email, password } = parsed.data;
        if (await isLockedOut(db, email)) throw new Error(SIGN_IN_ERRORS.locked);
        const user = await db.user.findUnique({
          where: { email },
          select: { id: true, name: true, email: true, passwordHash: true },
        });
        if (!(await verifyPassword(password, user?.passwordHash))) {
          await recordLoginFailure(db, email);
          throw new Error(SIGN_IN_ERRORS.invalid);
        }
        return { id: user!.id, name: user!.name, email: user!.email };
      },
    }),
  ];
  if (env.github) {
    providers.push(GitHubProvider({ clientId: env.github.clientId, clientSecret: env.github.clientSecret }));
  }
  return {
    secret: env.nextAuthSecret,
    logger: {
      // npm start sets AUTH_TRUST_HOST when NEXTAUTH_URL is unset (README, Configuration): no need to warn on every session read.
      warn: (code) => {
        if (code !== 'NEXTAUTH_URL') console.warn(`[next-auth] warning: ${code}`);
      },
      // Codes only: next-auth's own error logging prints the error's message and stack.
      error: (code, metadata) => logUnexpected(`next-auth ${code}`, metadata instanceof Error ? metadata : (metadata as { error?: unknown })?.error),
      debug: () => undefined,
    },
    session: { strategy: 'jwt', maxAge: 7 * 24 * 60 * 60 },
    pages: { signIn: '/login', error: '/login' },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'github') return true;
        // GitHub sign-in: link to the account with the same verified e-mail, or create one.
        const email = user.email?.toLowerCase();
        if (!email) return false;
        const githubId = String(account.providerAccountId);
        const existing = await db.user.findUnique({ where: { email }, select: { id: true, githubId: true } });
        if (existing) {
          if (!existing.githubId) await db.user.update({ where: { id: existing.id }, data: { githubId } });
        } else {
          await createUserWithOrg(db, { name: user.name ?? profile?.name ?? email, email, githubId });
        }
        return true;
      },
      async jwt({ token, user, account }) {
        if (user && account?.provider === 'github') {
          const row = await db.user.findUnique({ where: { email: user.email!.toLowerCase() }, select: { id: true } });
          if (row) token.sub = row.id;
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      async session({ session, token }) {
        if (session.user && token.sub) session.user.id = token.sub;
        return session;
      },
    },
  };
}

let options: NextAuthOptions | undefined;
export function authOptions(): NextAuthOptions {
  options ??= buildAuthOptions();
  return options;
}

export function githubSignInEnabled(): boolean {
  return serverEnv().github !== null;
}
