import bcrypt from 'bcryptjs';

export async function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

// Compared against when the e-mail is unknown, so that a miss costs as long as a wrong password.
const DUMMY_HASH = '$2b$11$b8YYGw8VbDfGtpvWiaxgJ.CxTJ26XT5Jf1H1X.OdCbARbSOoofL.6';

export async function verifyPassword(password: string, hash: string | null | undefined): Promise<boolean> {
  const matches = await bcrypt.compare(password, hash ?? DUMMY_HASH);
  return Boolean(hash) && matches;
}
