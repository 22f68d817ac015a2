/**
 * A rating instrument as data (schema `precision-trd/instrument@1`, files in knowledge/instruments/): its items, the
 * responses each item accepts, the scoring methods that turn responses into points, and the subscales. Item wording
 * is not reproduced (the scales are copyrighted); items carry the short label the clinic uses. Pure.
 */
import { z } from 'zod';
import { CitationSchema } from '../knowledge/schema-codesets.ts';

const Key = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected a lower-case kebab-case key');
const NonEmpty = z.string().trim().min(1);

export const INSTRUMENT_SCHEMA = 'precision-trd/instrument@1';

export const ScoringSchema = z.strictObject({
  id: Key,
  label: NonEmpty,
  /** Points per response (keys are responses as strings); absent: the response is the points. */
  points: z.record(z.string(), z.number()).optional(),
  /** Bands of the total under this scoring, lowest first: the label applies from `min` up to the next band. */
  bands: z.array(z.strictObject({ min: z.number(), label: NonEmpty })).default([]),
  citation: Key,
  verified: z.boolean(),
});
export type Scoring = z.infer<typeof ScoringSchema>;

export const InstrumentSchema = z
  .strictObject({
    schema: z.literal(INSTRUMENT_SCHEMA),
    id: Key,
    name: NonEmpty,
    /** Short upper-case code for export test codes (SDTM-style QSTESTCD `BDI2I16`, `BDI2TOT`). */
    code: z.string().regex(/^[A-Z][A-Z0-9]{1,4}$/),
    title: NonEmpty,
    /** Who completes it. */
    rater: z.enum(['clinician', 'self']),
    items: z.array(z.strictObject({ number: z.int().min(1), label: NonEmpty })).min(1),
    /** Integer responses every ordinary item accepts, inclusive. */
    responseRange: z.tuple([z.int(), z.int()]),
    /**
     * Items answered with an option code instead of a number (BDI-II 16 and 18: 0, 1a, 1b, 2a, 2b, 3a, 3b): the code
     * maps to the response it scores as; the letter records the direction (a = more, b = less).
     */
    optionItems: z.record(z.string().regex(/^\d+$/), z.record(z.string(), z.int())).default({}),
    /** The first is the default. */
    scorings: z.array(ScoringSchema).min(1),
    subscales: z
      .array(
        z.strictObject({
          id: Key,
          label: NonEmpty,
          items: z.array(z.int().min(1)).min(1),
          citation: Key,
          verified: z.boolean(),
        }),
      )
      .default([]),
    /** Items whose response above `above` needs clinical follow-up the same day (PHQ-9 item 9). */
    followUpItems: z
      .array(z.strictObject({ item: z.int().min(1), above: z.int(), message: NonEmpty, citation: Key }))
      .default([]),
    citation: Key,
    citations: z.record(Key, CitationSchema).default({}),
  })
  .superRefine((def, ctx) => {
    const numbers = def.items.map((i) => i.number);
    const expected = numbers.map((_, i) => i + 1);
    if (numbers.some((n, i) => n !== expected[i])) {
      ctx.addIssue({ code: 'custom', message: 'items must be numbered 1, 2, 3, ... in order', path: ['items'] });
    }
    const known = new Set(numbers);
    for (const s of def.subscales) {
      for (const n of s.items) {
        if (!known.has(n))
          ctx.addIssue({ code: 'custom', message: `subscale ${s.id}: no item ${n}`, path: ['subscales'] });
      }
    }
    for (const key of Object.keys(def.optionItems)) {
      if (!known.has(Number(key)))
        ctx.addIssue({ code: 'custom', message: `optionItems: no item ${key}`, path: ['optionItems'] });
    }
    // The SDTM QS codes of a score under another scoring add the scoring's first two letters
    // (src/trial/exports/sdtm-variables.ts): they must tell the scorings apart and keep QSTESTCD within 8 characters.
    const letters = def.scorings.slice(1).map((s) => s.id.slice(0, 2).toUpperCase());
    if (new Set(letters).size < letters.length) {
      const message = 'scorings after the first must differ in their first two letters (their export test codes)';
      ctx.addIssue({ code: 'custom', message, path: ['scorings'] });
    }
    if (letters.length > 0 && def.subscales.length > 0 && def.code.length > 3) {
      const message = `code ${def.code}: at most 3 characters when subscales are scored under several scorings (QSTESTCD = code + 3 subscale letters + 2 scoring letters, 8 at most)`;
      ctx.addIssue({ code: 'custom', message, path: ['code'] });
    }
  });
export type InstrumentDefinition = z.infer<typeof InstrumentSchema>;
