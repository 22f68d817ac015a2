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

/** What a test object asks, worked out once (protocols are loaded once; this runs per patient). */
interface Plan {
  readonly codes: ReadonlySet<string>;
  readonly needed: ReadonlySet<WorkupCode>;
  readonly checked: string;
  /** Codes ruled out only by the record's silence (no work-up rules them out). */
  readonly silentCodes: readonly string[];
}
const plans = new WeakMap<NoContraindication, Plan>();
function planOf(test: NoContraindication): Plan {
  let plan = plans.get(test);
  if (plan === undefined) {
    plan = {
      codes: new Set<string>(test.codes),
      needed: new Set(test.codes.flatMap((c) => WORKUP[c] ?? [])),
      checked: test.codes.join(', '),
      silentCodes: test.codes.filter((c) => WORKUP[c] === undefined),
    };
    plans.set(test, plan);
  }
  return plan;
}

export function noContraindication(ctx: MatchContext, test: NoContraindication): TestOutcome {
  const { codes, needed, checked, silentCodes } = planOf(test);
  const found = ctx.facts.contraindications.filter((c) => codes.has(c.code));
  if (found.length > 0) {
    return { holds: false, reason: found.map((c) => c.detail).join('; '), evidence: found.flatMap((c) => c.evidence) };
  }
  const missing = ctx.facts.missingWorkup.filter((w) => needed.has(w.code));
  if (missing.length > 0) {
    return {
      holds: undefined,
      reason: `Cannot rule out ${checked}: ${missing.map((w) => w.title).join(', ')} missing`,
      evidence: [],
      collect: missing.map((w) => w.action).join('; '),
    };
  }
  const reason = `None of ${checked} found${needed.size > 0 ? ' (work-up present)' : ''}`;
  if (silentCodes.length === 0) return { holds: true, reason, evidence: [] };
  return { holds: true, reason, evidence: [], bySilence: true, collect: `history of ${silentCodes.join(', ')}` };
}
