/**
 * Schema validation that the build may already have done. `npm run build` validates every bundled knowledge file and
 * stores each schema output with the SHA-256 of the file's text (dist/knowledge-validated.json,
 * scripts/knowledge-snapshot.mjs); the loaders attach that output as `validated` when the file on disk still has that
 * exact text, and validation is skipped. Any other file (an edited one, a --pathway file, anything read from source
 * under tsx) is validated as always.
 */
import type { z } from 'zod';

export interface MaybeValidated {
  readonly json: unknown;
  /** The schema's output for exactly this text, from the build's validation of it. */
  readonly validated?: unknown;
}

export function checked<T>(schema: z.ZodType<T>, file: MaybeValidated): z.ZodSafeParseResult<T> {
  return file.validated !== undefined ? { success: true, data: file.validated as T } : schema.safeParse(file.json);
}
