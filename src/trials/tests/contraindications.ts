/**
 * The care pathway's absolute contraindications (definition 6), reused as trial exclusions. A contraindication found
 * fails the test. When none is found, lab- and screen-based ones are only ruled out if the work-up they rest on is
 * present (facts.missingWorkup); condition-based ones rest on the record's silence.
 */
import type { ContraindicationCode, WorkupCode } from '../../pathway/facts.ts';
import type { CriterionTest } from '../schema.ts';
import type { MatchContext, TestOutcome } from '../context.ts';

type NoContraindication = Extract<CriterionTest, { type: 'no-contraindication' }>;

/** Which pathway work-up item rules each contraindication out. */
const WORKUP: Partial<Record<ContraindicationCode, readonly WorkupCode[]>> = {
  neutropenia: ['anc'],
  thrombocytopenia: ['platelets'],
  hepatic: ['alt', 'ast'],
  tuberculosis: ['latent-tb-screen'],
  hepatitis: ['hepatitis-b-serology'],
};

export function noContraindication(ctx: MatchContext, test: NoContraindication): TestOutcome {
  const codes = new Set<string>(test.codes);
  const found = ctx.facts.contraindications.filter((c) => codes.has(c.code));
  if (found.length > 0) {
    return { holds: false, reason: found.map((c) => c.detail).join('; '), evidence: found.flatMap((c) => c.evidence) };
  }
  const needed = new Set(test.codes.flatMap((c) => WORKUP[c] ?? []));
  const missing = ctx.facts.missingWorkup.filter((w) => needed.has(w.code));
  const checked = test.codes.join(', ');
  if (missing.length > 0) {
    return {
      holds: undefined,
      reason: `Cannot rule out ${checked}: ${missing.map((w) => w.title).join(', ')} missing`,
      evidence: [],
      collect: missing.map((w) => w.action).join('; '),
    };
  }
  const silent = test.codes.some((c) => WORKUP[c] === undefined);
  return {
    holds: true,
    reason: `None of ${checked} found${needed.size > 0 ? ' (work-up present)' : ''}`,
    evidence: [],
    ...(silent && {
      bySilence: true,
      collect: `history of ${test.codes.filter((c) => WORKUP[c] === undefined).join(', ')}`,
    }),
  };
}
