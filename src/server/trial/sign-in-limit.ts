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
