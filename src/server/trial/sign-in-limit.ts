/**
 * The sign-in rate limit's counter, kept in the trial store (TrialStore.countSignInAttempt) instead of in the memory
 * of one process: every server process of `trd serve --workers N` on one trial database counts the same attempts,
 * so running more processes does not multiply the attempts a client may make. @fastify/rate-limit keeps its rules
 * (the limit, the window, the 429 answer and its headers); this only answers "how many in the window so far".
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { TrialStore } from '../../trial/store/port.ts';

/**
 * A store class for @fastify/rate-limit (it constructs the store itself) counting in `store`. Only the sign-in route
 * is rate limited, so one counter serves every route that asks (`child`); its keys are client addresses.
 */
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
