/**
 * Definition 5: inflammation status from the most recent valid CRP in the window. Valid = usable status, a value, and
 * not drawn within `tocilizumabSuppressionDays` after a tocilizumab dose (the drug suppresses CRP, reference
 * section 3.2). Censored results ("<0.3", ">3") are placed against the cut-off only when every value they allow falls on one
 * side; otherwise the status is `indeterminate`. "Most recent" is the latest effective instant; valid results on the
 * same day that times cannot order and that fall in different statuses give `indeterminate`. A result at or above
 * the cut-off drawn while an infection was active, or within the recovery days after it resolved, is `acute`.
 */
import type { CitedValue, Pathway, Threshold } from '../knowledge/schema-pathway.ts';
import type { Comparator, Quantity, Writable } from '../record/index.ts';
import { isRecordedHistory, statuslessLastDay, whyConditionNotCurrent } from './conditions.ts';
import { byRef, dayOf, isoDate, sortInPlace, useThreshold, windowStart, withinDaysAfter } from './context.ts';
import type { EngineContext } from './context.ts';
import type { CrpAssay, CrpResult, InflammationFacts, InflammationStatus } from './facts.ts';
import { inAnySet, matchIn } from './lookups.ts';
import { medicationUses, membership, namedIn, namedOnlyPhrase, noteNamedOnly } from './medication-use.ts';
import { carriesValue, convertNoting, describeQuantity, findObservations, isoDay, latestTies } from './observations.ts';
import { implausible } from './plausibility.ts';
import type { DatedObservation } from './observations.ts';

/** How the molar factor is named where it is reported (`unverified`, the timeline's [U] note). */
export const CRP_MOLAR_FACTOR_ITEM = 'CRP molar factor (nmol/L per mg/L)';

/**
 * The pathway's molar factor when a CRP is reported in a substance unit (nmol/L, mmol/L...) and so is converted to
 * mg/L with it, else undefined. The one test of "converted with the molar factor": the decision reports the factor
 * (unverified when it is [U]) and the web timeline flags such a result [U] by it (src/server/web/timeline.ts).
 */
export function crpMolarFactor(pathway: Pathway, q: Quantity): CitedValue | undefined {
  return (q.ucum ?? q.unitText ?? '').includes('mol') ? pathway.definitions.inflammation.molarFactor : undefined;
}

/**
 * Inclusive day ranges during which tocilizumab was given, from any record kind (statement, request, dispense,
 * administration), as definition 2 reads them (medication-use.ts). A record whose first or last dose is unknown (no
 * date; open-ended; no end or supply) reaches as far as it may: any CRP in that reach may be suppressed. A record that
 * only names tocilizumab ("Actemra", no listed code) may be it: a CRP in its reach is not used either, and the reason
 * asks to confirm the medicine.
 */
function tocilizumabDoses(ctx: EngineContext, codeSets: readonly string[]): TocilizumabDoses[] {
  const out: TocilizumabDoses[] = [];
  for (const u of medicationUses(ctx)) {
    if (u.ignored !== undefined) continue;
    const how = membership(ctx, codeSets, u);
    if (how === undefined) continue;
    const named = how === 'name' ? namedIn(ctx.knowledge, codeSets, u) : undefined;
    if (named !== undefined) noteNamedOnly(ctx, u, named);
    // Dates given only as a month or year reach as far as they may (their widest reading, medication-use.ts).
    const from = u.widest?.startDay ?? u.startDay ?? Number.NEGATIVE_INFINITY;
    const dose: Writable<TocilizumabDoses> = {
      from,
      to: u.widest?.endDay ?? u.lastDay ?? Number.POSITIVE_INFINITY,
      lastDoseKnown: u.lastDay !== undefined,
      source: u.fact.ref,
    };
    if (named !== undefined) dose.namedOnly = namedOnlyPhrase(named);
    out.push(dose);
  }
  return sortInPlace(out, (a, b) => a.from - b.from || byRef(a.source, b.source));
}

interface TocilizumabDoses {
  readonly from: number;
  readonly to: number;
  readonly lastDoseKnown: boolean;
  readonly source: string;
  /** 'named "Actemra" (tocilizumab) without a code the pathway lists', for a record recognised by name only. */
  readonly namedOnly?: string;
}

/** Why a dose leaves a CRP in its reach in doubt, or undefined when the dose is certain. */
function doubt(dose: TocilizumabDoses): string | undefined {
  if (dose.namedOnly !== undefined) {
    return `${dose.namedOnly}: confirm the medicine${dose.lastDoseKnown ? '' : ' and when it was last given'}`;
  }
  return dose.lastDoseKnown ? undefined : 'its last dose is not known (confirm when it was last given)';
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

function result(
  s: Settings,
  status: InflammationStatus,
  reason: string,
  crp?: CrpResult,
  sameDay?: readonly CrpResult[],
): InflammationFacts {
  return {
    status,
    reason,
    crp,
    ...(sameDay !== undefined && sameDay.length > 1 && { sameDay }),
    cutOffMgPerL: s.cutOffMgPerL,
    acuteAboveMgPerL: s.acuteAboveMgPerL,
    windowDays: s.windowDays,
    rejected: s.rejected,
  };
}

/**
 * Infection episodes (the infection set; not refuted or entered in error) as day ranges: from onset (else recorded
 * date) to abatement; open-ended while the clinical status is active (or absent); a resolved one without an
 * abatement date ends on its onset day, the earliest it can have resolved; one without a status or end that is taken
 * as over (definitions.statuslessConditions) ends on the last day it is taken as current.
 */
function infectionEpisodes(
  ctx: EngineContext,
  codeSets: readonly string[],
): { from: number; to: number; ref: string }[] {
  const out: { from: number; to: number; ref: string }[] = [];
  for (const c of ctx.record.conditions) {
    if (!isRecordedHistory(c, ctx.asOfDay) || !inAnySet(ctx, codeSets, c.code)) continue;
    const from = dayOf(c.onset ?? c.recordedDate, 'start') ?? Number.NEGATIVE_INFINITY;
    const abated = c.abatement === undefined ? undefined : dayOf(c.abatement, 'end');
    const open = whyConditionNotCurrent(ctx, c) === undefined;
    // Taken as over (definitions.statuslessConditions): it ran to the last day it is taken as current.
    const to = abated ?? (open ? Number.POSITIVE_INFINITY : (statuslessLastDay(ctx, c) ?? from));
    out.push({ from, to, ref: c.ref });
  }
  return out;
}

interface Candidate {
  readonly obs: DatedObservation['obs'];
  readonly day: number;
  readonly instant?: number;
}

export function deriveInflammation(ctx: EngineContext): InflammationFacts {
  const def = ctx.pathway.definitions.inflammation;
  const windowDays = useThreshold(ctx, 'CRP window (days)', def.windowDays);
  const cutOffMgPerL = useThreshold(ctx, 'CRP cut-off (mg/L)', def.cutOff);
  const acuteAboveMgPerL = useThreshold(ctx, 'CRP acute threshold (mg/L)', def.acuteAbove);
  const from = windowStart(ctx.asOfDay, def.windowDays);
  const { usable, rejected } = findObservations(ctx, def.crpCodeSets, def.validStatuses, from);
  const settings: Settings = { cutOffMgPerL, acuteAboveMgPerL, windowDays, rejected };
  const doses = usable.length > 0 ? tocilizumabDoses(ctx, def.tocilizumabCodeSets) : [];
  // Only a record with tocilizumab relies on the suppression window, so only then is it reported.
  const suppressionDays =
    doses.length > 0 ? useThreshold(ctx, 'tocilizumab CRP suppression (days)', def.tocilizumabSuppressionDays) : 0;
  const valid: Candidate[] = [];
  let toConfirm: TocilizumabDoses | undefined;
  for (const c of usable) {
    const { obs, day } = c;
    const dose = doses.find(
      (d) => day >= d.from && (day <= d.to || withinDaysAfter(day, d.to, def.tocilizumabSuppressionDays)),
    );
    if (dose !== undefined) {
      const unsure = doubt(dose);
      if (unsure !== undefined) toConfirm ??= dose;
      rejected.push({
        source: obs.ref,
        reason:
          unsure === undefined
            ? `drawn within ${suppressionDays} days after tocilizumab (${dose.source}), which suppresses CRP`
            : dose.namedOnly === undefined
              ? `may have been drawn within ${suppressionDays} days after tocilizumab (${dose.source}), which suppresses CRP: ${unsure}`
              : `may have been drawn within ${suppressionDays} days after tocilizumab (${dose.source}, ${unsure}), which suppresses CRP`,
      });
      continue;
    }
    // No value at all (dataAbsentReason) is not a result; a value that is not a number is one the pathway cannot read.
    if (!carriesValue(obs)) {
      rejected.push({
        source: obs.ref,
        reason: obs.dataAbsentReason === undefined ? 'no value' : `no value (${obs.dataAbsentReason})`,
      });
      continue;
    }
    valid.push(c);
  }
  const ties = latestTies(valid);
  const unreadable = ties.find(({ obs }) => obs.value?.kind !== 'quantity');
  if (unreadable !== undefined) {
    return result(
      settings,
      'unknown',
      `the most recent CRP (${isoDay(unreadable.obs)}, ${unreadable.obs.ref}) has no numeric value: it cannot be read, and an older CRP is not used; repeat it`,
    );
  }
  if (ties.length === 0) {
    const reason =
      rejected.length > 0
        ? `no valid CRP in the ${windowDays} days before ${ctx.asOf} (${rejected.length} result(s) not usable)`
        : `no CRP in the ${windowDays} days before ${ctx.asOf}`;
    // A new CRP would be as doubtful until the tocilizumab's last dose is known: say what to confirm first.
    const confirm =
      toConfirm === undefined
        ? ''
        : toConfirm.namedOnly === undefined
          ? `; tocilizumab (${toConfirm.source}) may suppress CRP and its last dose is not known: confirm it first`
          : `; tocilizumab (${toConfirm.source}, ${toConfirm.namedOnly}) may suppress CRP: confirm it first`;
    return result(settings, 'unknown', reason + confirm);
  }
  const read: { crp: CrpResult; status: InflammationStatus }[] = [];
  for (const { obs, day } of ties) {
    const q = (obs.value as { kind: 'quantity'; quantity: Quantity }).quantity;
    // A CRP code without a stated assay is treated as standard: it cannot vouch for low-range precision.
    const assay: CrpAssay = matchIn(ctx, def.crpCodeSets, obs.code)?.entry.assay ?? 'standard';
    const molar = crpMolarFactor(ctx.pathway, q);
    const factor = molar === undefined ? undefined : useThreshold(ctx, CRP_MOLAR_FACTOR_ITEM, molar);
    const converted = convertNoting(ctx, obs, q, 'mg/L', factor);
    if (!converted.ok) {
      return result(
        settings,
        'unknown',
        `the most recent CRP (${isoDay(obs)}, ${obs.ref}) cannot be converted to mg/L: ${converted.reason}`,
      );
    }
    const unbelievable = implausible(
      ctx,
      'CRP',
      ctx.pathway.definitions.plausibility.crpMgPerL,
      converted.value,
      obs.ref,
    );
    if (unbelievable !== undefined) {
      return result(
        settings,
        'unknown',
        `the most recent CRP (${isoDay(obs)}, ${obs.ref}): ${unbelievable}; repeat it`,
      );
    }
    const crp: CrpResult = {
      mgPerL: converted.value,
      comparator: q.comparator,
      date: isoDay(obs),
      assay,
      source: obs.ref,
      reported: describeQuantity(q),
      ...(molar !== undefined && !molar.verified ? { unverifiedConversion: CRP_MOLAR_FACTOR_ITEM } : {}),
    };
    let status = classifyCrp(converted.value, q.comparator, def.cutOff, def.acuteAbove);
    if (status === 'elevated') status = duringInfection(ctx, day) === undefined ? status : 'acute';
    read.push({ crp, status });
  }
  // Among same-day results the highest value is reported, so that nothing depends on resource ids.
  const first = read.reduce((a, b) => (b.crp.mgPerL > a.crp.mgPerL ? b : a));
  // Every tied result is kept: a trial threshold other than the pathway's cut-offs must not rest on the highest alone.
  const sameDay = read.map((r) => r.crp);
  if (read.some((r) => r.status !== first.status)) {
    const list = read.map((r) => `${r.crp.reported} (${r.crp.source}): ${r.status}`).join('; ');
    return result(
      settings,
      'indeterminate',
      `${read.length} valid CRPs on ${first.crp.date} without times that order them fall in different statuses (${list})`,
      first.crp,
      sameDay,
    );
  }
  const infection = first.status === 'acute' ? duringInfection(ctx, dayOf(first.crp.date) ?? ctx.asOfDay) : undefined;
  const reason =
    infection !== undefined && !meets(first.crp.mgPerL, def.acuteAbove)
      ? `${describe(first.crp, cutOffMgPerL, acuteAboveMgPerL)} is at or above the ${cutOffMgPerL} mg/L cut-off while an infection was active or within ${def.infectionRecoveryDays.value} days after it resolved (${infection}): possible acute phase; look for and treat the cause, and repeat at least 2 weeks after it resolves`
      : reasonFor(first.status, first.crp, cutOffMgPerL, acuteAboveMgPerL);
  return result(settings, first.status, reason, first.crp, sameDay);

  /** The infection a CRP drawn on `day` falls in (or within the recovery days after): its reference and dates. */
  function duringInfection(context: EngineContext, day: number): string | undefined {
    const episodes = infectionEpisodes(context, def.infectionCodeSets);
    const hit = episodes.find(
      (e) => day >= e.from && (day <= e.to || withinDaysAfter(day, e.to, def.infectionRecoveryDays)),
    );
    if (hit === undefined) return undefined;
    useThreshold(context, 'infection recovery before CRP (days)', def.infectionRecoveryDays);
    // Dated, as every resource a result cites: when the infection began and, when known, ended.
    const from = Number.isFinite(hit.from) ? `from ${isoDate(hit.from)}` : 'onset unknown';
    const to = Number.isFinite(hit.to) && hit.to !== hit.from ? ` to ${isoDate(hit.to)}` : '';
    return `${hit.ref}, ${from}${to}`;
  }
}

/**
 * The CRP in mg/L as a person reads it. A value given in mg/L is shown as given. A converted one (mg/dL, nmol/L) is
 * rounded to 4 significant digits (the molar factor turns 66.7 nmol/L into 7.0033599328 mg/L), unless the rounding
 * would move it across one of the thresholds it is compared with, and is followed by the value as reported, flagged [U]
 * when an unverified factor converted it.
 */
export function crpText(crp: CrpResult, thresholdsMgPerL: readonly number[]): string {
  const comparator = crp.comparator ?? '';
  const asGiven = `${comparator}${crp.mgPerL} mg/L`;
  if (crp.reported === asGiven) return asGiven;
  const x = crp.mgPerL;
  const rounded = Number(x.toPrecision(4));
  // Below, at or above each threshold, as the full value is (the cut-off is inclusive, the acute threshold is not).
  const sameSide = thresholdsMgPerL.every((t) => Math.sign(rounded - t) === Math.sign(x - t));
  const flag = crp.unverifiedConversion === undefined ? '' : ', converted with an unverified factor [U]';
  return `${comparator}${sameSide ? rounded : x} mg/L (reported as ${crp.reported}${flag})`;
}

function describe(crp: CrpResult, cut: number, acute: number): string {
  return `${crp.assay === 'high-sensitivity' ? 'hs-CRP' : 'CRP (standard assay)'} ${crpText(crp, [cut, acute])} on ${crp.date}`;
}

function reasonFor(status: InflammationStatus, crp: CrpResult, cut: number, acute: number): string {
  const what = describe(crp, cut, acute);
  switch (status) {
    case 'acute':
      return `${what} is above ${acute} mg/L: possible acute infection or inflammation; repeat at least 2 weeks after it resolves`;
    case 'elevated':
      return `${what} is at or above the ${cut} mg/L cut-off`;
    case 'normal':
      return `${what} is below the ${cut} mg/L cut-off`;
    case 'indeterminate':
      // A value censored from below at or above the cut-off (">5 mg/L") is above it for certain: what it cannot show is
      // whether it is above the acute threshold too.
      return (crp.comparator === '>' || crp.comparator === '>=') && crp.mgPerL >= cut
        ? `${what} is at or above the ${cut} mg/L cut-off but censored: it cannot be told whether it is above ${acute} mg/L (possible acute infection or inflammation); repeat with a measured value`
        : `${what} is censored and cannot be placed against the ${cut} mg/L cut-off`;
    case 'unknown':
      return `${what} cannot be interpreted`;
  }
}
