import nodemailer from 'nodemailer';
import type { EmailPayload } from './outbox';
import type { OutboxSender } from './worker';

/** Seconds an SMTP server has to connect, greet and answer, each, before the attempt fails. */
const SMTP_TIMEOUT_MS = 10_000;

/** Sends the outbox's emails through the SMTP server at `smtpUrl` (SMTP_URL), from `from` (MAIL_FROM). */
export function emailSender(smtpUrl: string, from: string): OutboxSender {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    // A batch shares a few connections instead of opening one per message.
    pool: true,
    maxConnections: 3,
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    // 30 s, 1, 2, 4 … minutes, at most an hour apart: about 4 hours in 10 attempts.
    retry: { maxAttempts: 10, baseDelayMs: 30_000, maxDelayMs: 60 * 60_000 },
    async send(payload) {
      const email = payload as EmailPayload;
      await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
    },
    close: () => transport.close(),
  };
}
