// The kinds of security notification: what each is called on Account → Notifications, who gets
// it, and its words. Pure module (the pages, notify() and the emails share it). To add a kind:
// add an entry here, then call notify() with it in the transaction of its change.
//
// The texts are made from small facts only (names, a slot, a role, how a change was made), never
// from a key, a token, a code or a password: neither the inbox nor an email can show one.

/** What a notification's text is made of. Every field is a name or a small fact, never a secret. */
export type NotificationFacts = {
  /** Who made the change, by name and id (the reader reads "You" for their own). */
  actor?: string;
  actorId?: string;
  /** How: in the portal, through a personal access token (and its name), or by an OAuth client (named as the actor). */
  via?: 'portal' | 'token' | 'oauth_client';
  viaToken?: string;
  /** The client address the change came from. */
  ip?: string;
  org?: string;
  app?: string;
  /** Key slots (1, 2). */
  slots?: number[];
  /** The member a membership change is about. */
  subject?: string;
  subjectId?: string;
  role?: string;
  previousRole?: string;
  /** The name of a token that was created (never the token). */
  tokenName?: string;
  /** The browser and system of a sign-in ("Chrome 131 on Linux"), for sign_in.new. */
  browser?: string;
  /** Where a leaked key was found, for key.leaked. */
  source?: string;
  /** The OAuth client created, for oauth_client.created (never its secret). */
  clientName?: string;
  scopes?: string;
  /** A webhook endpoint's address without its query, for webhook.disabled. */
  endpoint?: string;
};

export type NotificationText = { title: string; body: string };

type KindSpec = {
  /** The row on Account → Notifications. */
  label: string;
  /** Who gets it, as that page says. */
  audience: string;
  /** Cannot be turned off (a leaked key must reach its owners). */
  alwaysOn?: boolean;
  text: (facts: NotificationFacts, readerId: string) => NotificationText;
};

const who = (facts: NotificationFacts, readerId: string) => (facts.actorId && facts.actorId === readerId ? 'You' : (facts.actor ?? 'Someone'));

/** "in the portal", "with the personal access token ci-rotate", and the address. */
function how(facts: NotificationFacts): string {
  const door = facts.via === 'token' ? ` with the personal access token ${facts.viaToken ?? '(deleted)'}` : facts.via === 'portal' ? ' in the portal' : '';
  return `${door}${facts.ip ? ` from ${facts.ip}` : ''}`;
}

const inOrg = (facts: NotificationFacts) => (facts.org ? ` in ${facts.org}` : '');

function keys(slots: number[] = []): string {
  return slots.length > 1 ? `API Keys ${slots.join(' and ')}` : `API Key ${slots[0] ?? ''}`.trim();
}

const NOT_YOU = 'If you did not expect this, check the organization’s Activity page and its members.';

export const NOTIFICATION_KINDS = {
  'api_key.regenerated': {
    label: 'A key of an app is regenerated',
    audience: 'Owners and admins of the organization',
    text: (facts, readerId) => ({
      title: `${keys(facts.slots)} of ${facts.app} regenerated`,
      body: `${who(facts, readerId)} regenerated ${keys(facts.slots)} of the app ${facts.app}${inOrg(facts)}${how(facts)}. The previous key no longer works. ${NOT_YOU}`,
    }),
  },
  'token.created': {
    label: 'A personal access token is created on your account',
    audience: 'You',
    text: (facts, readerId) => ({
      title: `Personal access token ${facts.tokenName} created`,
      body:
        `${who(facts, readerId)} created the personal access token ${facts.tokenName} on your account` +
        `${facts.org ? ` for ${facts.org}` : ' for all of your organizations'}${how(facts)}. ` +
        'If this was not you, revoke it on Personal access tokens and change your password.',
    }),
  },
  'two_factor.disabled': {
    label: 'Two-factor authentication is turned off on your account',
    audience: 'You',
    text: (facts, readerId) => ({
      title: 'Two-factor authentication turned off',
      body:
        `${who(facts, readerId)} turned off two-factor authentication on your account${how(facts)}: the authenticator app, or the last passkey, was removed. ` +
        'If this was not you, change your password, then set it up again under Security.',
    }),
  },
  'member.added': {
    label: 'A member is added to an organization',
    audience: 'Owners and admins of the organization, and the member',
    text: (facts, readerId) => {
      const subject = facts.subjectId === readerId ? 'you' : facts.subject;
      if (facts.actorId && facts.actorId === facts.subjectId) {
        // Joined by accepting an invitation.
        return {
          title: `${facts.subjectId === readerId ? 'You' : facts.subject} joined ${facts.org} as ${facts.role}`,
          body: `${facts.subjectId === readerId ? 'You' : facts.subject} accepted an invitation and joined ${facts.org} as ${facts.role}${how(facts)}. ${NOT_YOU}`,
        };
      }
      return {
        title: `${facts.subjectId === readerId ? 'You were' : `${facts.subject} was`} added to ${facts.org} as ${facts.role}`,
        body: `${who(facts, readerId)} added ${subject} to ${facts.org} as ${facts.role}${how(facts)}. ${NOT_YOU}`,
      };
    },
  },
  'member.role_changed': {
    label: 'A member’s role changes',
    audience: 'Owners and admins of the organization, and the member',
    text: (facts, readerId) => {
      const yours = facts.subjectId === readerId;
      return {
        title: `${yours ? 'Your' : `${facts.subject}’s`} role in ${facts.org} is now ${facts.role}`,
        body: `${who(facts, readerId)} changed ${yours ? 'your' : `${facts.subject}’s`} role in ${facts.org} from ${facts.previousRole} to ${facts.role}${how(facts)}. ${NOT_YOU}`,
      };
    },
  },
  'sign_in.new': {
    label: 'A sign-in from a new browser or address',
    audience: 'You',
    text: (facts) => ({
      title: `New sign-in from ${facts.browser ?? 'a new browser'}`,
      body:
        `Your account was signed in from ${facts.browser ?? 'a browser'}${facts.ip ? ` at ${facts.ip}` : ''}, a browser or address it had not used before. ` +
        'If this was not you, change your password and sign out the other sessions on Account → Sessions.',
    }),
  },
  'invitation.received': {
    label: 'You are invited to an organization',
    audience: 'You',
    text: (facts) => ({
      title: `Invitation to join ${facts.org} as ${facts.role}`,
      body: `${facts.actor ?? 'Someone'} invited you to join ${facts.org} as ${facts.role}. Accept or decline it on Invitations in the portal (/invite); it is valid for 7 days.`,
    }),
  },
  'oauth_client.created': {
    label: 'An OAuth client is created in an organization',
    audience: 'Owners and admins of the organization',
    text: (facts, readerId) => ({
      title: `OAuth client ${facts.clientName} created${inOrg(facts)}`,
      body:
        `${who(facts, readerId)} created the OAuth client ${facts.clientName}${inOrg(facts)}${facts.scopes ? ` with the scopes ${facts.scopes}` : ''}${how(facts)}. ` +
        `It can act in the organization as an admin, limited by its scopes. ${NOT_YOU}`,
    }),
  },
  'webhook.disabled': {
    label: 'A webhook endpoint is disabled after failing for 24 hours',
    audience: 'Owners and admins of the organization',
    text: (facts) => ({
      title: `Webhook endpoint ${facts.endpoint} disabled`,
      body:
        `Deliveries to the webhook endpoint ${facts.endpoint}${inOrg(facts)} have failed for 24 hours, so it was disabled and receives no more events. ` +
        'Check its delivery log under the organization’s Settings → Webhooks, fix the receiver, then enable it again.',
    }),
  },
  'key.leaked': {
    label: 'A key of an app is reported leaked',
    audience: 'Owners and admins of the organization',
    alwaysOn: true,
    text: (facts) => ({
      title: `${keys(facts.slots)} of ${facts.app} reported leaked`,
      body: `${keys(facts.slots)} of the app ${facts.app}${inOrg(facts)} was reported leaked${facts.source ? ` (${facts.source})` : ''}. Regenerate it on the app’s General page.`,
    }),
  },
} as const satisfies Record<string, KindSpec>;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export const NOTIFICATION_KIND_NAMES = Object.keys(NOTIFICATION_KINDS) as NotificationKind[];

export function isNotificationKind(kind: string): kind is NotificationKind {
  return Object.hasOwn(NOTIFICATION_KINDS, kind);
}

/** A stored notification's words, for the reader (their own changes read "You …"). */
export function notificationText(kind: string, facts: NotificationFacts, readerId: string): NotificationText {
  if (!isNotificationKind(kind)) return { title: 'Security notification', body: '' };
  const spec: KindSpec = NOTIFICATION_KINDS[kind];
  return spec.text(facts, readerId);
}

/** Whether a kind can be turned off. */
export function isAlwaysOn(kind: NotificationKind): boolean {
  const spec: KindSpec = NOTIFICATION_KINDS[kind];
  return spec.alwaysOn === true;
}
