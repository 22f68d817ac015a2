/**
 * An infusion's dose against the protocol's: the weight-based dose (mg/kg x the body weight recorded at the infusion)
 * capped at the maximum per infusion. The largest mg/kg and maximum over the arms are used, so the check is the same
 * in every arm and reveals none (a placebo infusion is prescribed by the same calculation). A dose without a body
 * weight is checked against the maximum only and says so: it is never "within the dose". Values the protocol marks
 * unverified are flagged [U] wherever the check is shown. Pure.
 */
import type { TrialProtocol } from '../trials/schema.ts';
import type { DoseInput } from './model.ts';

export interface DoseCheck {
  /** `above`: above the weight-based dose or the maximum; `unknown`: the dose or the body weight is not recorded. */
  readonly status: 'within' | 'above' | 'unknown';
  /** One line without the participant or the arm. */
  readonly text: string;
}

/** Weight x mg/kg in mg, at 12 significant digits (8 x 70.3 is 562.4, not 562.4000000000001). */
const mgFor = (mgPerKg: number, kg: number): number => Number((mgPerKg * kg).toPrecision(12));

/** The check of a recorded dose; null when no arm of the protocol has a dose (nothing to check against). */
export function checkDose(protocol: TrialProtocol, dose: Pick<DoseInput, 'doseMg' | 'bodyWeightKg'>): DoseCheck | null {
  const doses = (protocol.arms ?? []).flatMap((a) => (a.dose === null ? [] : [a.dose]));
  if (doses.length === 0) return null;
  const maxMg = Math.max(...doses.map((d) => d.maxMg));
  const mgPerKg = Math.max(...doses.map((d) => d.mgPerKg));
  const u = doses.some((d) => !d.verified) ? ' [U]' : '';
  if (dose.doseMg === null) return { status: 'unknown', text: `Dose not recorded: it cannot be checked${u}` };
  if (dose.doseMg > maxMg) {
    return {
      status: 'above',
      text: `Infusion recorded at ${dose.doseMg} mg, above the protocol's maximum of ${maxMg} mg per infusion${u}: check the record or report the deviation`,
    };
  }
  if (dose.bodyWeightKg === null) {
    return {
      status: 'unknown',
      text: `Infusion recorded at ${dose.doseMg} mg, within the maximum of ${maxMg} mg; body weight not recorded, so the protocol's ${mgPerKg} mg/kg cannot be checked${u}: record the weight`,
    };
  }
  const allowed = Math.min(mgFor(mgPerKg, dose.bodyWeightKg), maxMg);
  if (dose.doseMg > allowed) {
    return {
      status: 'above',
      text: `Infusion recorded at ${dose.doseMg} mg for ${dose.bodyWeightKg} kg, above the protocol's ${mgPerKg} mg/kg (${allowed} mg)${u}: check the record or report the deviation`,
    };
  }
  return {
    status: 'within',
    text: `Infusion recorded at ${dose.doseMg} mg for ${dose.bodyWeightKg} kg, within the protocol's ${mgPerKg} mg/kg (${allowed} mg, maximum ${maxMg} mg)${u}`,
  };
}
