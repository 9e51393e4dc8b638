import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import GitHubProvider from 'next-auth/providers/github';
import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { createUserWithOrg } from './accounts';
import { logUnexpected } from '../shared/errors';
import { observability } from '../observability';
import { clientAddress } from '../shared/http/client-address';
import { TooManyAttempts } from './attempts';
import { isSignInMessage, SIGN_IN_ERRORS } from './messages';
import { PasskeyError, parseAuthenticationResponse, signInWithPasskey } from './passkeys';
import { endSession, SESSION_MAX_AGE_SECONDS, SessionEnded, sessionUser, startSession, type SignInContext } from './sessions';
import { sendToSecondStep, settleSecondStep } from './second-step-cookie';
import { authorizeCredentials, startSecondStepFor } from './sign-in';
import { hasSecondFactor } from './two-factor';
import { noteSignIn } from '../notifications/sign-in';

const optional = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((value) => value || undefined);
// A ticket from the first step (startSignIn) with the second factor, or email and password.
const credentialsSchema = z.union([
  z.object({ ticket: z.string().min(20).max(100), code: optional(20), recoveryCode: optional(40), passkey: optional(32_000) }),
  z.object({ email: z.string().trim().toLowerCase().email().max(254), password: z.string().min(1).max(200) }),
]);

/** The browser and address of the sign-in being handled (next-auth runs in our route handler, where the request's headers are readable). */
async function signInContext(): Promise<SignInContext> {
  try {
    const requestHeaders = await headers();
    return { userAgent: requestHeaders.get('user-agent'), address: clientAddress(requestHeaders) };
  } catch {
    return {};
  }
}

/** One sign-in attempt's outcome, counted for GET /api/metrics (never who, nor from where); true when it succeeded. */
function signedIn(method: 'password' | 'passkey' | 'github', result: 'ok' | 'invalid' | 'rate_limited' | 'unavailable'): boolean {
  observability().signIns.inc({ method, result });
  return result === 'ok';
}

function buildAuthOptions(): NextAuthOptions {
  const env = serverEnv();
  const providers: NextAuthOptions['providers'] = [
    CredentialsProvider({
      name: 'Email',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
        ticket: { type: 'hidden' },
        code: { label: 'Code', type: 'text' },
        recoveryCode: { label: 'Recovery code', type: 'text' },
        passkey: { label: 'Passkey answer', type: 'text' },
      },
      async authorize(credentials, req) {
        const parsed = credentialsSchema.safeParse(credentials);
        if (!parsed.success) {
          signedIn('password', 'invalid');
          throw new Error(SIGN_IN_ERRORS.invalid);
        }
        try {
          const headers = req.headers ?? {};
          const userAgent = typeof headers['user-agent'] === 'string' ? headers['user-agent'] : null;
          const host = typeof headers.host === 'string' ? headers.host : null;
          const user = await authorizeCredentials(parsed.data, clientAddress(headers), userAgent, new Date(), host);
          signedIn('password', 'ok');
          return user;
        } catch (error) {
          // next-auth sends the thrown message to the browser: only our own wording goes there.
          if (error instanceof TooManyAttempts || (error instanceof Error && isSignInMessage(error.message))) {
            signedIn('password', error instanceof TooManyAttempts ? 'rate_limited' : 'invalid');
            throw error;
          }
          signedIn('password', 'unavailable');
          logUnexpected('sign-in', error);
          throw new Error(SIGN_IN_ERRORS.unavailable);
        } finally {
          if ('ticket' in parsed.data) await settleSecondStep(parsed.data.ticket);
        }
      },
    }),
    // A passkey instead of a password: the browser's answer to a sign-in challenge
    // (lib/actions/begin-passkey-sign-in.ts), checked against the stored challenge, the origin and
    // the counter. It ends in the same session as a password sign-in.
    CredentialsProvider({
      id: 'passkey',
      name: 'Passkey',
      credentials: { response: { label: 'Passkey answer', type: 'text' } },
      async authorize(credentials, req) {
        try {
          const host = req.headers?.host as string | undefined;
          const user = await signInWithPasskey(db, parseAuthenticationResponse(credentials?.response), host);
          signedIn('passkey', 'ok');
          return user;
        } catch (error) {
          if (error instanceof PasskeyError) {
            signedIn('passkey', 'invalid');
            throw error;
          }
          signedIn('passkey', 'unavailable');
          logUnexpected('passkey sign-in', error);
          throw new Error(SIGN_IN_ERRORS.unavailable);
        }
      },
    }),
  ];
  if (env.github) {
    providers.push(GitHubProvider({ clientId: env.github.clientId, clientSecret: env.github.clientSecret }));
  }
  return {
    secret: env.nextAuthSecret,
    logger: {
      // npm start sets AUTH_TRUST_HOST when NEXTAUTH_URL is unset (docs/configuration.md): no need to warn on every session read.
      warn: (code) => {
        if (code !== 'NEXTAUTH_URL') console.warn(`[next-auth] warning: ${code}`);
      },
      // Codes only: next-auth's own error logging prints the error's message and stack. An ended
      // session (signed out elsewhere) is expected, not an error.
      error: (code, metadata) => {
        const error = metadata instanceof Error ? metadata : (metadata as { error?: unknown })?.error;
        if (error instanceof SessionEnded) return;
        logUnexpected(`next-auth ${code}`, error);
      },
      debug: () => undefined,
    },
    // A JWT that names a UserSession row: the cookie is refused once the row is gone.
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: '/login', error: '/login' },
    providers,
    callbacks: {
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'github') return true;
        // GitHub sign-in: the account this GitHub user made, or a new one. An existing account
        // with the same e-mail is never taken over: GitHub may report an address its user never
        // verified, so an account made with a password stays reachable only with its password.
        const email = user.email?.toLowerCase();
        if (!email) return signedIn('github', 'invalid');
        const githubId = String(account.providerAccountId);
        const existing = await db.user.findUnique({ where: { email }, select: { id: true, githubId: true } });
        if (existing) {
          if (existing.githubId !== githubId) return signedIn('github', 'invalid');
          // GitHub is one factor: an account with two-factor authentication goes on to the second
          // step with a ticket, as after its password (lib/auth/second-step-cookie.ts). No session yet.
          if (await hasSecondFactor(db, existing.id)) return sendToSecondStep(await startSecondStepFor(existing.id));
          return signedIn('github', 'ok');
        }
        const { userAgent, address: ip } = await signInContext();
        await createUserWithOrg(db, { name: user.name ?? profile?.name ?? email, email, githubId, ip, userAgent });
        return signedIn('github', 'ok');
      },
      async jwt({ token, user, account }) {
        if (user) {
          // A sign-in: a new session row, named in the cookie.
          const userId =
            account?.provider === 'github'
              ? (await db.user.findUniqueOrThrow({ where: { githubId: String(account.providerAccountId) }, select: { id: true } })).id
              : user.id;
          const context = await signInContext();
          const sid = await startSession(db, userId, context);
          await noteSignIn(db, userId, sid, context);
          return { sub: userId, name: user.name, email: user.email, sid };
        }
        // Every later read: the session must still be current (signing out ends it), and the user
        // is read fresh. Throwing makes next-auth answer "no session" and clear the cookie.
        const current = token.sid ? await sessionUser(db, token.sid) : null;
        if (!current) throw new SessionEnded();
        return { ...token, sub: current.id, name: current.name, email: current.email };
      },
      async session({ session, token }) {
        session.user = { id: token.sub!, name: token.name, email: token.email };
        session.sessionId = token.sid!;
        return session;
      },
      // Where next-auth may send the browser: our own origin only. A callbackUrl that is not a
      // URL at all is ignored (next-auth's default would throw on it: a 500).
      async redirect({ url, baseUrl }) {
        try {
          // Parsed as a browser would (tabs and line breaks dropped), then compared by origin.
          const target = new URL(url, baseUrl);
          if (target.origin === new URL(baseUrl).origin) return target.toString();
        } catch {
          // not a URL: home
        }
        return baseUrl;
      },
    },
    events: {
      // Signing out ends the session on the server: the old cookie no longer works anywhere.
      async signOut({ token }) {
        if (token?.sid) await endSession(db, token.sid);
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
