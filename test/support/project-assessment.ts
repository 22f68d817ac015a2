/**
 * The fields of an Assessment that the vignette manifest fixes, in the manifest's shape: code lists sorted (their
 * order carries no meaning), the CRP rounded to 1e-3 mg/L (conversions such as nmol/L / 9.524 are not exact).
 */
import type { Assessment } from '../../src/pathway/assessment.ts';
import { onlyToConfirm } from '../../src/pathway/index.ts';
import type { Expected } from './vignettes/index.ts';

const CRP_DECIMALS = 3;

export function projectAssessment(a: Assessment): Expected {
  const crp = a.inflammation.crp?.mgPerL;
  const codes = (items: readonly { readonly code: string }[]): string[] => items.map((i) => i.code).sort();
  const toConfirm = codes(a.cautions.filter(onlyToConfirm));
  return {
    recommendation: a.recommendation.code,
    adequateTrials: a.treatmentResistance.count,
    unverifiedTrials: a.treatmentResistance.unverifiedTrials.length,
    inflammation: a.inflammation.status,
    ...(crp !== undefined && { crpMgPerL: Number(crp.toFixed(CRP_DECIMALS)) }),
    contraindications: codes(a.contraindications),
    cautions: codes(a.cautions),
    ...(toConfirm.length > 0 && { cautionsToConfirm: toConfirm }),
    missingWorkup: codes(a.missingWorkup),
    comorbidIl6Disease: codes(a.comorbidIl6Disease),
    scope: a.scope.reason,
    safetyAlerts: codes(a.safetyAlerts),
    issuesInclude: [...new Set(a.issues.map((i) => i.code))].sort(),
  };
}

/**
 * The actual fields the expectation fixes: optional fields (crpMgPerL, comorbidIl6Disease) are compared only when the
 * expectation gives them, so "not fixed by the spec" never reads as "must be absent".
 */
export function fieldsFixedBy(actual: Expected, wanted: Expected): Partial<Expected> {
  // `cite` names the definition an expectation tests; it is documentation, not a result field.
  return Object.fromEntries(
    Object.keys(wanted)
      .filter((k) => k !== 'cite')
      .map((k) =>
        // issuesInclude: the wanted codes that the result lists (extra issues are allowed).
        k === 'issuesInclude'
          ? [k, (wanted.issuesInclude ?? []).filter((c) => (actual.issuesInclude ?? []).includes(c)).sort()]
          : [k, actual[k as keyof Expected]],
      ),
  );
}

/** The expected fields with code lists sorted, for a deepEqual against projectAssessment. */
export function normaliseExpected(withCite: Expected): Expected {
  const { cite: _cite, ...e } = withCite;
  return {
    ...e,
    contraindications: [...e.contraindications].sort(),
    cautions: [...e.cautions].sort(),
    missingWorkup: [...e.missingWorkup].sort(),
    ...(e.comorbidIl6Disease !== undefined && { comorbidIl6Disease: [...e.comorbidIl6Disease].sort() }),
    ...(e.safetyAlerts !== undefined && { safetyAlerts: [...e.safetyAlerts].sort() }),
    ...(e.cautionsToConfirm !== undefined && { cautionsToConfirm: [...e.cautionsToConfirm].sort() }),
    ...(e.issuesInclude !== undefined && { issuesInclude: [...e.issuesInclude].sort() }),
  };
}
