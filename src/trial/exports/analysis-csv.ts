/**
 * The long analysis CSV that `trd analyze` reads (src/analysis/dataset.ts): one row per randomized participant and
 * post-baseline visit of an outcome, with columns
 *   subject, arm, visit, visit_id, outcome, baseline, crp_mg_per_l, visit_timing, crp_as_entered, crp_unit_as_entered,
 *   crp_conversion
 * where `subject` is the site and participant code (`A-P001`, SDTM SUBJID: codes are unique only within a site),
 * `visit` is the visit's day after dosing (numeric, so `trd analyze` orders visits by time), `visit_id` the
 * protocol's visit id, `visit_timing` the form's date against the visit's window (in-window, early, late; unknown
 * without a dose or a form: src/trial/visits.ts visitTiming), for a per-protocol sensitivity analysis, `outcome` the
 * post-baseline score (empty when missing or incomplete: never imputed; a form entered under another scoring than
 * the outcome's is scored again from its answers) and `baseline` the score at the baseline
 * visit, empty when there is no complete one: `trd analyze` then leaves the participant out of the models that adjust
 * for baseline and keeps them in its NRI denominators, which a participant left out of the file would silently leave.
 * `crp_mg_per_l` is the baseline hs-CRP converted to mg/L (the biomarker); `crp_as_entered` and `crp_unit_as_entered`
 * the value and UCUM unit typed at enrolment, the unit empty for an enrolment stored before units were recorded
 * (taken as mg/L; counted in `crpWithoutUnit`); `crp_conversion` names the pathway's CRP molar factor, flagged [U]
 * while unverified, beside a value entered in a molar unit (nmol/L) and so converted with it (counted in
 * `crpMolar`), as the participant page names it (baselineCrpText): the biomarker then rests on that factor.
 * Command: trd analyze FILE --subject subject --arm arm --visit visit --outcome outcome --baseline baseline
 *          --biomarker crp_mg_per_l --treatment <arm> --control <arm> --primary-visit <day>. Pure.
 */
import { csvText, participantSubjid } from './sdtm.ts';
import { scoreInstrument, type InstrumentDefinition } from '../../instruments/index.ts';
import type { Outcome } from '../../trials/schema-conduct.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { CitedValue, Pathway } from '../../knowledge/schema-pathway.ts';
import type { FormRecord, TrialSnapshot } from '../model.ts';
import { crpConversion, crpFactorText } from '../strata.ts';
import { visitTiming } from '../visits.ts';

/** The column naming the molar factor a baseline hs-CRP was converted with; `trd analyze` reads it with --biomarker. */
export const CRP_CONVERSION_COLUMN = 'crp_conversion';

export const ANALYSIS_COLUMNS = [
  'subject',
  'arm',
  'visit',
  'visit_id',
  'outcome',
  'baseline',
  'crp_mg_per_l',
  'visit_timing',
  'crp_as_entered',
  'crp_unit_as_entered',
  CRP_CONVERSION_COLUMN,
] as const;

/** Arm label written when the snapshot is blinded. */
export const CONCEALED_ARM = 'concealed';

export interface AnalysisExport {
  readonly csv: string;
  readonly outcome: Outcome;
  readonly rows: number;
  /** Randomized participants without a complete baseline score (their `baseline` cells are empty). */
  readonly withoutBaseline: number;
  /**
   * Of those, the participants whose baseline-visit form was completed after the infusion: a score taken on the drug
   * is no baseline (as SDTM's QSBLFL, and a lab's baseline, read it), so it is left empty rather than adjusted for.
   */
  readonly baselineAfterInfusion: number;
  /** Forms entered under another scoring than the outcome's, scored again from their answers under the outcome's. */
  readonly rescored: number;
  /** Randomized participants whose baseline hs-CRP was stored without a unit (before units were recorded): mg/L. */
  readonly crpWithoutUnit: number;
  /**
   * Randomized participants whose baseline hs-CRP was entered in a molar unit and converted to mg/L with a CRP molar
   * factor (`crp_conversion` names it): the pathway's (`factor`, and whether it is unverified [U]), or, for
   * `otherFactor` of them, another one (the store converted with a pathway other than this export's).
   */
  readonly crpMolar: {
    readonly n: number;
    readonly factor: string | null;
    readonly unverified: boolean;
    readonly otherFactor: number;
  };
}

/**
 * The value of `outcome` in a form: a subscale or the total; null unless the form is complete. A form entered under
 * another scoring than the outcome's (a Chalder form left on the default bimodal scoring when the outcome is the
 * Likert total) is scored again from its answers under the outcome's scoring, as the store scores (src/instruments):
 * its items are the data, and the bimodal total is no value of the Likert outcome; null without the instrument.
 */
export function outcomeValue(form: FormRecord, outcome: Outcome, def: InstrumentDefinition | undefined): number | null {
  const score =
    outcome.scoring === undefined || form.scoring === outcome.scoring
      ? form.score
      : def === undefined
        ? null
        : scoreInstrument(def, form.answers, outcome.scoring);
  if (score === null || !score.complete) return null;
  return outcome.subscale === undefined ? score.total : (score.subscales[outcome.subscale] ?? null);
}

export function analysisCsv(
  s: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  pathway: Pathway,
  outcomeId?: string,
): AnalysisExport {
  const all = protocol.outcomes === undefined ? [] : [protocol.outcomes.primary, ...protocol.outcomes.secondary];
  const outcome = outcomeId === undefined ? all[0] : all.find((o) => o.id === outcomeId);
  if (outcome === undefined) {
    throw new Error(
      outcomeId === undefined
        ? 'the protocol defines no outcomes'
        : `unknown outcome ${outcomeId} (known: ${all.map((o) => o.id).join(', ')})`,
    );
  }
  const visits = protocol.visits ?? [];
  const baselineVisit =
    visits.find((v) => v.id === 'baseline') ??
    visits.find((v) => v.instruments.includes(outcome.instrument) && v.day < 0);
  const armOf = new Map(s.allocations.map((a) => [a.participantId, a.arm]));
  const dosingVisit = visits.find((v) => v.dosing)?.id;
  const dosedOn = new Map(
    s.doses.filter((d) => d.visit === dosingVisit).map((d) => [d.participantId, d.administeredOn] as const),
  );
  const formsOf = new Map<string, FormRecord[]>();
  for (const f of s.forms) {
    if (f.instrument !== outcome.instrument) continue;
    formsOf.set(f.participantId, [...(formsOf.get(f.participantId) ?? []), f]);
  }
  const def = instruments.get(outcome.instrument);
  const rescoredForms = new Set<string>();
  const valueOf = (form: FormRecord): number | null => {
    if (outcome.scoring !== undefined && form.scoring !== outcome.scoring) rescoredForms.add(form.id);
    return outcomeValue(form, outcome, def);
  };
  const records: (string | number)[][] = [];
  let withoutBaseline = 0;
  let baselineAfterInfusion = 0;
  let crpWithoutUnit = 0;
  let crpMolar = 0;
  let otherFactor = 0;
  let molarFactor: CitedValue | null = null;
  for (const p of s.participants) {
    if (p.randomizationNumber === null) continue;
    if (p.baselineCrp !== null && p.baselineCrp.unit === null) crpWithoutUnit++;
    const conversion = crpConversion(p, pathway);
    if (conversion !== null) {
      crpMolar++;
      molarFactor = conversion.factor;
      if (!conversion.same) otherFactor++;
    }
    const forms = formsOf.get(p.id) ?? [];
    const dosed = dosedOn.get(p.id);
    const atBaseline = forms.find((f) => f.visit === baselineVisit?.id);
    // Completed after the infusion (entered at the wrong visit, or done late): taken on the drug, no baseline.
    const late = atBaseline !== undefined && dosed !== undefined && atBaseline.completedOn > dosed;
    if (late) baselineAfterInfusion++;
    const baselineForm = late ? undefined : atBaseline;
    const baseline = baselineForm === undefined ? null : valueOf(baselineForm);
    if (baseline === null) withoutBaseline++;
    for (const visitId of outcome.visits) {
      const visit = visits.find((v) => v.id === visitId);
      if (visit === undefined) continue;
      const form = forms.find((f) => f.visit === visitId);
      const value = form === undefined ? null : valueOf(form);
      records.push([
        participantSubjid(p),
        armOf.get(p.id) ?? CONCEALED_ARM,
        visit.day,
        visit.id,
        value ?? '',
        baseline ?? '',
        // A censored baseline is written as the laboratory reported it ("<0.2"): trd analyze reads it as a limit.
        p.baselineCrpMgPerL === null ? '' : `${p.baselineCrp?.comparator ?? ''}${p.baselineCrpMgPerL}`,
        form === undefined
          ? 'unknown'
          : visitTiming(protocol, dosedOn.get(p.id) ?? null, visitId, form.completedOn).timing,
        p.baselineCrp === null ? '' : `${p.baselineCrp.comparator ?? ''}${p.baselineCrp.value}`,
        p.baselineCrp?.unit ?? '',
        conversion?.text ?? '',
      ]);
    }
  }
  return {
    csv: csvText([[...ANALYSIS_COLUMNS], ...records], true),
    outcome,
    rows: records.length,
    withoutBaseline,
    baselineAfterInfusion,
    rescored: rescoredForms.size,
    crpWithoutUnit,
    crpMolar: {
      n: crpMolar,
      factor: molarFactor === null ? null : crpFactorText(molarFactor),
      unverified: molarFactor !== null && !molarFactor.verified,
      otherFactor,
    },
  };
}
