/**
 * The ground truth of a synthetic patient: the recommendation the care pathway (docs/care-pathway.md, version 1.1)
 * should give, derived from what the generator decided to plant (population.ts), never by calling the engine. It is
 * the independent check of the screen and of the engine: the agreement tests compare all three.
 *
 * Only the pathway's numbers come in (cut-off, acute threshold, CRP window, molar factor); the logic here follows the
 * decision table over the planted facts, which the generator keeps clear of every boundary.
 */
import type { Knowledge } from '../knowledge/index.ts';
import { toDayNumber } from '../record/index.ts';
import { PLANTED_CONTRAINDICATIONS } from './population.ts';
import type { CrpResult, PlantedContraindication, SynthPatient } from './population.ts';

/** The file of the ground truth, one line per patient, that `trd synth` writes beside the data it generates. */
export const GROUND_TRUTH_FILE = 'ground-truth.ndjson';

export type TruthScope = 'in-scope' | 'deceased' | 'minor' | 'bipolar' | 'psychotic-disorder' | 'no-depression';

export interface Truth {
  readonly patient: string;
  readonly code: string;
  readonly scope: TruthScope;
  readonly contraindications: readonly PlantedContraindication[];
  /** CRP in mg/L of the result the decision uses, when there is one. */
  readonly crpMgPerL?: number;
}

export interface TruthThresholds {
  readonly cutOffMgPerL: number;
  readonly acuteAboveMgPerL: number;
  readonly windowDays: number;
  readonly molarFactor: number;
  readonly minDurationDays: number;
  readonly requiredTrials: number;
}

/** Completed years on the as-of date, by the calendar: the truth's own count, not the engine's. */
function ageOn(birthDate: string, asOf: string): number {
  const [by = 0, bm = 0, bd = 0] = birthDate.split('-').map(Number);
  const [ay = 0, am = 0, ad = 0] = asOf.split('-').map(Number);
  return ay - by - (am < bm || (am === bm && ad < bd) ? 1 : 0);
}

function scopeOf(p: SynthPatient, asOf: string): TruthScope {
  if (p.deceasedDate !== undefined) return 'deceased';
  if (ageOn(p.birthDate, asOf) < 18) return 'minor';
  if (p.bipolarOnset !== undefined) return 'bipolar';
  if (p.psychoticOnset !== undefined) return 'psychotic-disorder';
  if (p.depression === undefined || p.remissionDate !== undefined) return 'no-depression';
  return 'in-scope';
}

export function crpMgPerL(crp: CrpResult, molarFactor: number): number | undefined {
  switch (crp.unit) {
    case 'mg/L':
      return crp.value;
    case 'mg/dL':
      return crp.value * 10;
    case 'nmol/L':
      return crp.value / molarFactor;
    case 'none':
      return undefined;
  }
}

export function truthOf(p: SynthPatient, asOf: string, t: TruthThresholds): Truth {
  const asOfDay = toDayNumber(asOf) as number;
  const base = { patient: `Patient/${p.id}`, contraindications: [] as PlantedContraindication[] };
  const scope = scopeOf(p, asOf);
  if (scope !== 'in-scope') return { ...base, code: 'out-of-scope', scope };
  const days = (c: SynthPatient['courses'][number]): number =>
    (toDayNumber(c.end) as number) - (toDayNumber(c.start) as number) + 1;
  const adequate = p.courses.filter((c) => c.unitsPerDay !== undefined && days(c) >= t.minDurationDays).length;
  const unverified = p.courses.filter((c) => c.unitsPerDay === undefined).length;
  if (adequate < t.requiredTrials) {
    return { ...base, scope, code: adequate + unverified >= t.requiredTrials ? 'confirm-history' : 'not-trd' };
  }
  // The planted contraindication, a positive IGRA without a documented (completed) treatment course started after it
  // (untreated latent TB), and a positive HBsAg; in the pathway's order. An isolated anti-HBc is a caution only.
  const contraindications = PLANTED_CONTRAINDICATIONS.filter(
    (c) =>
      c === p.contraindication ||
      (c === 'tuberculosis' && p.igra?.answer === 'positive' && p.tbTreatment === undefined) ||
      (c === 'hepatitis' && p.hbsag?.answer === 'positive'),
  );
  if (contraindications.length > 0) return { ...base, scope, code: 'contraindicated', contraindications };
  const crp = p.crp;
  const inWindow = crp !== undefined && asOfDay - (toDayNumber(crp.date) as number) <= t.windowDays;
  const mgPerL = crp === undefined || !inWindow ? undefined : crpMgPerL(crp, t.molarFactor);
  if (mgPerL === undefined) return { ...base, scope, code: 'measure-crp' };
  // A censored "<x": below the cut-off when x is at most the cut-off, else it cannot be placed (indeterminate).
  if (crp?.comparator === '<')
    return { ...base, scope, code: mgPerL <= t.cutOffMgPerL ? 'not-inflamed' : 'repeat-crp' };
  const code =
    mgPerL > t.acuteAboveMgPerL ? 'repeat-crp' : mgPerL >= t.cutOffMgPerL ? 'refer-to-trial' : 'not-inflamed';
  return { ...base, scope, code, crpMgPerL: mgPerL };
}

/** The numbers the truth needs, read from the pathway the screen applies (so a changed cut-off moves both). */
export function thresholdsFrom(k: Knowledge): TruthThresholds {
  const d = k.pathway.definitions;
  return {
    cutOffMgPerL: d.inflammation.cutOff.value,
    acuteAboveMgPerL: d.inflammation.acuteAbove.value,
    windowDays: d.inflammation.windowDays.value,
    molarFactor: d.inflammation.molarFactor.value,
    minDurationDays: d.adequacy.minDurationDays.value,
    requiredTrials: d.adequacy.requiredTrials.value,
  };
}
