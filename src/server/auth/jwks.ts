/**
 * Where a trusted CDS client's public keys come from: a JWKS file (re-read when it changes, so keys can rotate
 * without a restart) or an https URL (jose's remote JWKS: cached, refetched when a token names an unknown `kid`,
 * with a cooldown so a flood of bad kids cannot hammer the client's server).
 */
import { readFileSync, statSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { InputError } from '../../engine/index.ts';
import { fsReason, jsonSyntaxReason, utf8Text } from '../../record/index.ts';

export interface CdsClient {
  readonly issuer: string;
  /** The file path or https URL given, for the log. */
  readonly jwksSource: string;
  readonly keys: JWTVerifyGetKey;
}

/** The JWKS in a file; a file that cannot be read, is not UTF-8 or not JSON is said so, as `trd` says it of its input. */
function readJwks(path: string): JSONWebKeySet {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`cannot read JWKS file ${path}: ${fsReason(error)}`, 'auth.jwks.unreadable');
  }
  // UTF-8 and nothing else, a byte order mark dropped, as every input file (src/record/text.ts).
  const text = utf8Text(bytes);
  if (text === undefined) {
    throw new InputError(`JWKS file ${path} is not UTF-8 text (save it as UTF-8)`, 'auth.jwks.unreadable');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      `JWKS file ${path} is not valid JSON: ${jsonSyntaxReason((error as Error).message, text)}`,
      'auth.jwks.unreadable',
    );
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new InputError(`JWKS file ${path} has no "keys" array`, 'auth.jwks.invalid');
  return parsed as JSONWebKeySet;
}

/** Keys from a file, re-read when its modification time or size changes (checked at most once a second). */
function fileJwks(path: string): JWTVerifyGetKey {
  let stamp = '';
  let checkedAt = 0;
  let keys: JWTVerifyGetKey = createLocalJWKSet(readJwks(path));
  const stampOf = (): string => {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}`;
  };
  stamp = stampOf();
  return async (header, token) => {
    const now = Date.now();
    if (now - checkedAt > 1000) {
      checkedAt = now;
      try {
        const current = stampOf();
        if (current !== stamp) {
          keys = createLocalJWKSet(readJwks(path));
          stamp = current;
        }
      } catch {
        // Keep the last good keys when the file is being replaced.
      }
    }
    return keys(header, token);
  };
}

/** `ISS=JWKS` as given to --cds-client. */
export function parseCdsClient(spec: string): CdsClient {
  const at = spec.indexOf('=');
  if (at <= 0 || at === spec.length - 1) throw new InputError('--cds-client must be ISS=JWKS (a file or an https URL)');
  const issuer = spec.slice(0, at);
  const source = spec.slice(at + 1);
  if (/^https:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new InputError('--cds-client JWKS URL is not a valid URL');
    }
    return {
      issuer,
      jwksSource: source,
      keys: createRemoteJWKSet(url, { cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
    };
  }
  if (/^[a-z]+:\/\//i.test(source)) throw new InputError('--cds-client JWKS must be a file or an https URL');
  return { issuer, jwksSource: source, keys: fileJwks(source) };
}
