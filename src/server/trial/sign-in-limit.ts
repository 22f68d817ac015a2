/**
 * The sign-in rate limit's counter, kept in the trial store (TrialStore.countSignInAttempt) instead of in the memory
 * of one process: every server process of `trd serve --workers N` on one trial database counts the same attempts,
 * so running more processes does not multiply the attempts a client may make. @fastify/rate-limit keeps its rules
 * (the limit, the window, the 429 answer and its headers); this only answers "how many in the window so far".
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { TrialStore } from '../../trial/store/port.ts';

/**
 * A store class for @fastify/rate-limit (it constructs the store itself) counting in `store`. One counter serves
 * every route that asks (`child`): sign-in, keyed by client address, and the e-signature, keyed by signatureKey.
 */
/**
 * The sign-in counter key of a client address: an IPv4 address as it is (an IPv4-mapped IPv6 one, ::ffff:a.b.c.d, as
 * its IPv4 address), an IPv6 one by its /64 network. One client (a home line, a cloud machine) usually holds a whole
 * /64 and may use any of its 2^64 addresses: counted per address, it could guess without limit.
 */
export function signInKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped !== null) return mapped[1] as string;
  if (!ip.includes(':')) return ip;
  const address = ip.split('%')[0] ?? ip; // without a zone id (fe80::1%eth0)
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  // An embedded IPv4 address at the end (64:ff9b::192.0.2.1) stands for two groups.
  const width = (part: string[]) => part.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const before = groups(head);
  const after = tail === undefined ? [] : groups(tail);
  const full = [...before, ...Array<string>(Math.max(0, 8 - width(before) - width(after))).fill('0'), ...after];
  const network = full.slice(0, 4).map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16).toString(16) : g));
  return `${network.join(':')}::/64`;
}

/** The e-signature's counter key: per signing user, since a guesser has that user's session, from any address. */
export const signatureKey = (userId: string): string => `e-signature:${userId}`;

export function signInAttemptCounter(store: TrialStore): FastifyRateLimitStoreCtor {
  class SharedAttempts implements FastifyRateLimitStore {
    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      store.countSignInAttempt(key, timeWindow).then(
        ({ attempts, msLeft }) => callback(null, { current: attempts, ttl: msLeft }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedAttempts;
}
