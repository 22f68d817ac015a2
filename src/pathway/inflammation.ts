/**
 * Definition 5: inflammation status from the most recent valid CRP in the window. Valid = usable status, a value, and
 * not drawn within `tocilizumabSuppressionDays` after a tocilizumab dose (the drug suppresses CRP, clinical-reference
 * 3.2). Censored results ("<0.3", ">3") are placed against the cut-off only when every value they allow falls on one
 * side; otherwise the status is `indeterminate`.
 */
import type { Threshold } from '../knowledge/schema-pathway.ts';
import type { Comparator } from '../record/index.ts';
import { byRef, noteUnverified, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { CrpAssay, CrpResult, InflammationFacts, InflammationStatus } from './facts.ts';
import { matchIn } from './lookups.ts';
import { inMedicationSets, medicationUses } from './medication-use.ts';
import { convert, describeQuantity, findObservations, isoDay } from './observations.ts';

/**
 * Inclusive day ranges during which tocilizumab was given, from any record kind (statement, request, dispense,
 * administration), as definition 2 reads them (medication-use.ts); a record of unknown duration counts from its start.
 */
function tocilizumabDoses(
  ctx: EngineContext,
  codeSets: readonly string[],
): { from: number; to: number; source: string }[] {
  const out: { from: number; to: number; source: string }[] = [];
  for (const u of medicationUses(ctx)) {
    if (u.ignored !== undefined || u.startDay === undefined || !inMedicationSets(ctx, codeSets, u.fact)) continue;
    out.push({ from: u.startDay, to: u.endDay ?? u.startDay, source: u.fact.ref });
  }
  return out.sort((a, b) => a.from - b.from || byRef(a.source, b.source));
}

const meets = (x: number, t: { value: number; inclusive: boolean }): boolean =>
  t.inclusive ? x >= t.value : x > t.value;

/** Places a (possibly censored) value against the cut-off and the acute threshold. */
export function classifyCrp(
  mgPerL: number,
  comparator: Comparator | undefined,
  cutOff: Pick<Threshold, 'value' | 'inclusive'>,
  acute: Pick<Threshold, 'value' | 'inclusive'>,
): InflammationStatus {
  if (comparator === undefined) {
    if (meets(mgPerL, acute)) return 'acute';
    return meets(mgPerL, cutOff) ? 'elevated' : 'normal';
  }
  if (comparator === '<' || comparator === '<=') {
    // The true value is below (or at) mgPerL: normal only if even the limit itself could not reach the cut-off.
    const limitReaches = comparator === '<' ? mgPerL > cutOff.value : meets(mgPerL, cutOff);
    return limitReaches ? 'indeterminate' : 'normal';
  }
  // '>' or '>=': the true value is above (or at) mgPerL; only "acute" can be certain.
  const certainAcute = comparator === '>' ? mgPerL >= acute.value : meets(mgPerL, acute);
  return certainAcute ? 'acute' : 'indeterminate';
}

interface Settings {
  readonly cutOffMgPerL: number;
  readonly acuteAboveMgPerL: number;
  readonly windowDays: number;
  readonly rejected: { source: string; reason: string }[];
}

function result(s: Settings, status: InflammationStatus, reason: string, crp?: CrpResult): InflammationFacts {
  return {
    status,
    reason,
    crp,
    cutOffMgPerL: s.cutOffMgPerL,
    acuteAboveMgPerL: s.acuteAboveMgPerL,
    windowDays: s.windowDays,
    rejected: s.rejected,
  };
}

export function deriveInflammation(ctx: EngineContext): InflammationFacts {
  const def = ctx.pathway.definitions.inflammation;
  const windowDays = useThreshold(ctx, 'CRP window (days)', def.windowDays);
  const cutOffMgPerL = useThreshold(ctx, 'CRP cut-off (mg/L)', def.cutOff);
  const acuteAboveMgPerL = useThreshold(ctx, 'CRP acute threshold (mg/L)', def.acuteAbove);
  const { usable, rejected } = findObservations(ctx, def.crpCodeSets, def.validStatuses, windowDays);
  const settings: Settings = { cutOffMgPerL, acuteAboveMgPerL, windowDays, rejected };
  const doses = usable.length > 0 ? tocilizumabDoses(ctx, def.tocilizumabCodeSets) : [];
  // Only a record with tocilizumab relies on the suppression window, so only then is it reported.
  const suppressionDays =
    doses.length > 0 ? useThreshold(ctx, 'tocilizumab CRP suppression (days)', def.tocilizumabSuppressionDays) : 0;
  for (const { obs, day } of usable) {
    const dose = doses.find((d) => day >= d.from && day - d.to <= suppressionDays);
    if (dose !== undefined) {
      rejected.push({
        source: obs.ref,
        reason: `drawn within ${suppressionDays} days after tocilizumab (${dose.source}), which suppresses CRP`,
      });
      continue;
    }
    if (obs.value?.kind !== 'quantity') {
      rejected.push({
        source: obs.ref,
        reason: obs.dataAbsentReason === undefined ? 'no numeric value' : `no value (${obs.dataAbsentReason})`,
      });
      continue;
    }
    const q = obs.value.quantity;
    // A CRP code without a stated assay is treated as standard: it cannot vouch for low-range precision.
    const assay: CrpAssay = matchIn(ctx, def.crpCodeSets, obs.code)?.entry.assay ?? 'standard';
    const isMolar = q.ucum !== undefined && q.ucum.includes('mol');
    const factor = isMolar ? useThreshold(ctx, 'CRP molar factor (nmol/L per mg/L)', def.molarFactor) : undefined;
    const converted = convert(q, 'mg/L', factor);
    if (!converted.ok) {
      return result(
        settings,
        'unknown',
        `the most recent CRP (${describeQuantity(q)} on ${isoDay(obs)}) cannot be converted to mg/L: ${converted.reason}`,
      );
    }
    if (isMolar && !def.molarFactor.verified) {
      noteUnverified(
        ctx,
        'CRP molar factor (nmol/L per mg/L)',
        `CRP converted from ${q.ucum} with factor ${def.molarFactor.value}`,
        def.molarFactor.citation,
      );
    }
    const crp: CrpResult = {
      mgPerL: converted.value,
      comparator: q.comparator,
      date: isoDay(obs),
      assay,
      source: obs.ref,
      reported: describeQuantity(q),
    };
    const status = classifyCrp(converted.value, q.comparator, def.cutOff, def.acuteAbove);
    return result(settings, status, reasonFor(status, crp, cutOffMgPerL, acuteAboveMgPerL), crp);
  }
  const reason =
    rejected.length > 0
      ? `no valid CRP in the ${windowDays} days before ${ctx.asOf} (${rejected.length} result(s) not usable)`
      : `no CRP in the ${windowDays} days before ${ctx.asOf}`;
  return result(settings, 'unknown', reason);
}

function reasonFor(status: InflammationStatus, crp: CrpResult, cut: number, acute: number): string {
  const what = `${crp.assay === 'high-sensitivity' ? 'hs-CRP' : 'CRP (standard assay)'} ${crp.comparator ?? ''}${crp.mgPerL} mg/L on ${crp.date}`;
  switch (status) {
    case 'acute':
      return `${what} is above ${acute} mg/L: possible acute infection or inflammation; repeat at least 2 weeks after it resolves`;
    case 'elevated':
      return `${what} is at or above the ${cut} mg/L cut-off`;
    case 'normal':
      return `${what} is below the ${cut} mg/L cut-off`;
    case 'indeterminate':
      return `${what} is censored and cannot be placed against the ${cut} mg/L cut-off`;
    case 'unknown':
      return `${what} cannot be interpreted`;
  }
}
