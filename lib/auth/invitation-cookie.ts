/** The cookie (path /invite, httpOnly) that carries an opened invitation link's token to the invitation page, through signing in or up. */
export const INVITATION_COOKIE = 'portal-invitation';
