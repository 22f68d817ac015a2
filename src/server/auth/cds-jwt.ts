/**
 * CDS Hooks 2.0 client authentication ("Trusting CDS Clients"): each call carries `Authorization: Bearer <JWT>`
 * signed by a trusted client. Checked here, before any prefetch is read or fetched and before the engine runs:
 * - alg ES384 or RS384 only (never `none`, never HMAC, whatever the header says), `kid` required;
 * - `iss` a configured client, whose JWKS holds the `kid`;
 * - `aud` the absolute URL of the endpoint called, under the public URL (a service's, or its feedback endpoint's);
 * - `exp` and `iat` required and checked with at most 60 s skew, `iat` not in the future, `exp` at most 5 minutes
 *   (plus the skew) after now as the spec bounds it, and `iat` at most as long ago (a token lives 5 minutes at most,
 *   however far its `exp` is set);
 * - `jti` required and never accepted twice from one issuer while the token could still be valid (replay cache: in
 *   SQLite under the data directory when there is one, replay-store.ts; else in memory).
 * Any failure is a 401 whose message names the check, never the token's content.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { CdsClient } from './jwks.ts';

export const ALLOWED_ALGORITHMS = ['ES384', 'RS384'];
export const CLOCK_SKEW_SECONDS = 60;
/** CDS Hooks: "exp ... SHALL NOT be greater than 5 minutes in the future"; also the oldest `iat` accepted. */
export const MAX_LIFETIME_SECONDS = 300;

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
}

/** Remembers `iss|jti` pairs; `remember` is false for a pair seen while its token could still be valid. */
export interface ReplayGuard {
  remember(issuer: string, jti: string, expiresAt: number, now: number): boolean;
}

/** Seen `iss|jti` pairs in memory until the token they came in has expired (plus the skew). */
export class ReplayCache implements ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}

  /** False when the pair was seen before; otherwise remembers it until `expiresAt` (epoch seconds). */
  remember(issuer: string, jti: string, expiresAt: number, now: number): boolean {
    const key = `${issuer}\u0000${jti}`;
    const known = this.seen.get(key);
    if (known !== undefined && known >= now) return false;
    if (this.seen.size >= this.maxEntries) this.purge(now);
    if (this.seen.size >= this.maxEntries) throw new AuthFailure('too many tokens in flight');
    this.seen.set(key, expiresAt + CLOCK_SKEW_SECONDS);
    return true;
  }

  private purge(now: number): void {
    for (const [key, until] of this.seen) if (until < now) this.seen.delete(key);
  }
}

export interface VerifiedClient {
  readonly issuer: string;
  readonly subject?: string;
}

export interface CdsAuthenticator {
  /** `audience`: the absolute URL of the endpoint being called, the one `aud` value accepted. */
  verify(authorization: string | undefined, audience: string): Promise<VerifiedClient>;
}

export function cdsAuthenticator(
  clients: readonly CdsClient[],
  replay: ReplayGuard = new ReplayCache(),
  now: () => number = () => Math.floor(Date.now() / 1000),
): CdsAuthenticator {
  const byIssuer = new Map(clients.map((c) => [c.issuer, c]));
  return {
    async verify(authorization, audience) {
      // RFC 7235: the scheme is case-insensitive and followed by one or more spaces.
      const match = /^Bearer +([A-Za-z0-9_\-.]+)$/i.exec(authorization ?? '');
      if (match === null) throw new AuthFailure('a Bearer JWT is required');
      const token = match[1] as string;
      let header;
      let claims;
      try {
        header = decodeProtectedHeader(token);
        claims = decodeJwt(token);
      } catch {
        throw new AuthFailure('the token is not a JWT');
      }
      if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) {
        throw new AuthFailure('the token must be signed with ES384 or RS384');
      }
      if (typeof header.kid !== 'string' || header.kid === '') throw new AuthFailure('the token header has no kid');
      const client = typeof claims.iss === 'string' ? byIssuer.get(claims.iss) : undefined;
      if (client === undefined) throw new AuthFailure('unknown issuer');
      let payload;
      try {
        ({ payload } = await jwtVerify(token, client.keys, {
          algorithms: ALLOWED_ALGORITHMS,
          issuer: client.issuer,
          audience,
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(now() * 1000),
          requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
        }));
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey) throw new AuthFailure('unknown kid');
        if (error instanceof errors.JWTExpired) throw new AuthFailure('the token has expired');
        if (error instanceof errors.JWSSignatureVerificationFailed) throw new AuthFailure('bad signature');
        if (error instanceof errors.JWTClaimValidationFailed) {
          // A claim left out, and an aud for another address (a --public-url the EHR was not given, a proxy's
          // address), are said as such: the address expected is the service's public one, never the request's.
          if (error.reason === 'missing') throw new AuthFailure(`the token has no ${error.claim} claim`);
          if (error.claim === 'aud') throw new AuthFailure(`claim aud must be this endpoint's address, ${audience}`);
          throw new AuthFailure(`claim ${error.claim} is not acceptable`);
        }
        throw new AuthFailure('the token could not be verified');
      }
      const t = now();
      const iat = payload.iat as number;
      const exp = payload.exp as number;
      if (iat > t + CLOCK_SKEW_SECONDS) throw new AuthFailure('claim iat is in the future');
      if (exp > t + MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) throw new AuthFailure('claim exp is too far ahead');
      if (t - iat > MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) throw new AuthFailure('claim iat is too old');
      if (typeof payload.jti !== 'string' || payload.jti === '') throw new AuthFailure('claim jti is required');
      if (!replay.remember(client.issuer, payload.jti, exp, t)) throw new AuthFailure('the token was already used');
      return { issuer: client.issuer, ...(typeof payload.sub === 'string' ? { subject: payload.sub } : {}) };
    },
  };
}
