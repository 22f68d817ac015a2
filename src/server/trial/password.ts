/**
 * Password hashing with node:crypto scrypt (memory-hard; in Node itself, so no native add-on to build). The stored
 * form carries its parameters, `scrypt$N$r$p$salt$hash` (base64url), so the cost can be raised later without
 * invalidating existing accounts. Verification compares in constant time and also spends the scrypt cost for an
 * unknown user, so response time does not reveal which user names exist.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';

/** OWASP Password Storage Cheat Sheet minimum for scrypt: N=2^17, r=8, p=1 (128 MiB). */
export const defaultScryptCost = { N: 2 ** 17, r: 8, p: 1 } as const;
const keyLength = 32;

/** The longest password taken (characters): at sign-in, at an e-signature, and when one is set from the command line. */
export const MAX_PASSWORD_LENGTH = 1024;

function scryptAsync(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(
  password: string,
  cost: { N: number; r: number; p: number } = defaultScryptCost,
): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

// A fixed dummy so that a missing user costs the same scrypt work as a wrong password.
const dummyHash = `scrypt$${defaultScryptCost.N}$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(keyLength).toString('base64url')}`;

/** True when `password` matches `stored`; a missing or malformed `stored` is a non-match after the same work. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? dummyHash).split('$');
  const [scheme, n, r, p, saltB64, hashB64] = parts;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const wellFormed =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(cost.N) &&
    cost.N >= 2 ** 10 &&
    cost.N <= 2 ** 20 &&
    Number.isInteger(cost.r) &&
    cost.r > 0 &&
    cost.r <= 32 &&
    Number.isInteger(cost.p) &&
    cost.p > 0 &&
    cost.p <= 4;
  const salt = Buffer.from(wellFormed ? (saltB64 ?? '') : '', 'base64url');
  const expected = Buffer.from(wellFormed ? (hashB64 ?? '') : '', 'base64url');
  const actual = await scryptAsync(
    password,
    salt.length > 0 ? salt : Buffer.alloc(16),
    wellFormed ? cost : defaultScryptCost,
  );
  const same = expected.length === actual.length && timingSafeEqual(expected, actual);
  return wellFormed && stored !== undefined && same;
}
