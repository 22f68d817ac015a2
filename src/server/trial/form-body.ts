/**
 * The trial pages' form posts (application/x-www-form-urlencoded), read as strictly as the server's JSON
 * (src/server/app.ts utf8Body): bytes that are not UTF-8 are a 400 and a charset other than utf-8 a 415, and so is
 * a percent-escape that does not decode to UTF-8 (%FF). @fastify/formbody decodes the bytes with replacement
 * characters, so a value would be stored that the user never typed; node:querystring does the parsing here, with a
 * strict decoder.
 */
import { parse } from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../api/operation-outcome.ts';
import { utf8Body } from '../app.ts';

export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      const text = utf8Body(request, body as Buffer);
      let malformed = false;
      // querystring falls back to a lenient decoder when this one throws: record the failure instead.
      const decodeURIComponent = (s: string): string => {
        try {
          return globalThis.decodeURIComponent(s);
        } catch {
          malformed = true;
          return '';
        }
      };
      const fields = parse(text, '&', '=', { decodeURIComponent, maxKeys: 1000 });
      if (malformed) throw new HttpError(400, 'structure', 'the form body has an escape that is not UTF-8');
      done(null, { ...fields });
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
