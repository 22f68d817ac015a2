/**
 * From a protocol's conduct blocks to a randomization plan's arms and factors, and from a participant's baseline
 * hs-CRP and site to their stratification levels. Pure.
 */
import type { Arm, Factor, RandomizationPlan } from '../randomization/index.ts';
import { censoredEnds, within, type CensoredComparator } from '../safety/schema.ts';
import type { CitedValue, Pathway } from '../knowledge/schema-pathway.ts';
import { CRP_MOLAR_FACTOR_ITEM, crpMolarFactor } from '../pathway/inflammation.ts';
import type { TrialProtocol } from '../trials/schema.ts';
import { convertQuantity } from '../units/index.ts';
import type { BaselineCrp, EnrolInput, Participant } from './model.ts';

/**
 * The baseline hs-CRP an enrolment (or its correction) gives: `baselineCrp` as entered, or the older
 * `baselineCrpMgPerL`, whose field names its unit (mg/L); null for none, undefined when neither field is given.
 */
export function enteredBaselineCrp(
  input: Partial<Pick<EnrolInput, 'baselineCrp' | 'baselineCrpMgPerL'>>,
): BaselineCrp | null | undefined {
  if (input.baselineCrp !== undefined) return input.baselineCrp;
  if (input.baselineCrpMgPerL === undefined) return undefined;
  return input.baselineCrpMgPerL === null ? null : { value: input.baselineCrpMgPerL, unit: 'mg/L' };
}

/**
 * A baseline hs-CRP in mg/L, the unit of the stratification bands: converted with UCUM as the pathway converts a CRP
 * (mg/dL x 10, ug/mL x 1; a substance unit such as nmol/L with the pathway's molar factor, crpMolarFactor of
 * src/pathway/inflammation.ts, [U] while unverified), or the reason it cannot be (a unit that is not UCUM, or not a
 * concentration of CRP). Units are never guessed.
 */
export function baselineCrpMgPerL(
  crp: BaselineCrp,
  pathway: Pathway,
): { ok: true; mgPerL: number } | { ok: false; reason: string } {
  const q = { value: crp.value, ucum: crp.unit };
  const molar = crpMolarFactor(pathway, q);
  const c = convertQuantity(q, 'mg/L', molar === undefined ? undefined : { molarMassFactor: molar.value });
  return c.ok ? { ok: true, mgPerL: c.value } : { ok: false, reason: `baseline hs-CRP unit ${crp.unit}: ${c.reason}` };
}

/** The pathway's CRP molar factor as the participant page and the analysis file name it, flagged [U] while unverified. */
export function crpFactorText(factor: CitedValue): string {
  return `${CRP_MOLAR_FACTOR_ITEM} ${factor.value}${factor.verified ? '' : ' [U]'}`;
}

/**
 * The conversion a baseline hs-CRP in mg/L rests on, when it was entered in a molar unit (null for a mass unit): the
 * pathway's CRP molar factor (`CRP molar factor (nmol/L per mg/L) 9.524 [U]`) when the stored mg/L is that factor's
 * conversion of the value entered; otherwise the store converted it with another pathway's factor (a server given
 * `--pathway`), which cannot be named here: said so, flagged [U], never named as this pathway's. The participant page
 * (baselineCrpText) and the analysis file's `crp_conversion` both say it so.
 */
export function crpConversion(
  p: Pick<Participant, 'baselineCrp' | 'baselineCrpMgPerL'>,
  pathway: Pathway,
): { factor: CitedValue; same: boolean; text: string } | null {
  const crp = p.baselineCrp;
  if (crp === null || crp.unit === null || p.baselineCrpMgPerL === null) return null;
  const factor = crpMolarFactor(pathway, { value: crp.value, ucum: crp.unit });
  if (factor === undefined) return null;
  const again = baselineCrpMgPerL({ value: crp.value, unit: crp.unit }, pathway);
  const same = again.ok && Math.abs(again.mgPerL - p.baselineCrpMgPerL) <= 1e-9 * Math.abs(p.baselineCrpMgPerL);
  return {
    factor,
    same,
    text: same
      ? crpFactorText(factor)
      : `${CRP_MOLAR_FACTOR_ITEM} not this pathway's ${factor.value}: converted at enrolment with another [U]`,
  };
}

/**
 * The baseline hs-CRP as a reader checks it against the report: as entered, with mg/L beside a value entered in
 * another unit ("0.5 mg/dL (5 mg/L)"), and beside one converted with a molar factor the conversion it rests on
 * (crpConversion: the pathway's factor, flagged [U] while unverified, or that another pathway's was used); one stored
 * before units were recorded says it is taken as mg/L.
 */
export function baselineCrpText(
  p: Pick<Participant, 'baselineCrp' | 'baselineCrpMgPerL'>,
  pathway: Pathway,
): string | null {
  const crp = p.baselineCrp;
  if (crp === null || p.baselineCrpMgPerL === null) return null;
  const c = crp.comparator ?? '';
  if (crp.unit === null) return `${c}${crp.value} mg/L (unit not recorded: taken as mg/L)`;
  if (crp.unit === 'mg/L') return `${c}${crp.value} mg/L`;
  const conversion = crpConversion(p, pathway);
  const factor = conversion === null ? '' : `, ${conversion.text}`;
  return `${c}${crp.value} ${crp.unit} (${c}${p.baselineCrpMgPerL} mg/L${factor})`;
}

/** Arms with their ratios, as the protocol gives them. */
export function planArms(protocol: TrialProtocol): Arm[] {
  return (protocol.arms ?? []).map((a) => ({ id: a.id, ratio: a.ratio }));
}

/** The protocol's factors; `sites` (site codes) replaces the protocol's default site levels when given. */
export function planFactors(protocol: TrialProtocol, sites?: readonly string[]): Factor[] {
  return (protocol.stratification ?? []).map((f) => ({
    id: f.id,
    levels: f.source === 'site' && sites !== undefined && sites.length > 0 ? [...sites] : f.levels.map((l) => l.id),
    weight: 1,
  }));
}

/**
 * The trial's site codes: the plan's levels of the protocol's site factor; undefined when the protocol has no site
 * factor (the sites are then not listed anywhere).
 */
export function planSites(protocol: TrialProtocol, factors: readonly Factor[]): readonly string[] | undefined {
  const siteFactor = protocol.stratification?.find((f) => f.source === 'site');
  return siteFactor === undefined ? undefined : factors.find((f) => f.id === siteFactor.id)?.levels;
}

/**
 * The participant's level for each factor, or the reason one cannot be given (no baseline CRP, a CRP in no band or
 * in more than one, a site not in the plan). Levels are never guessed. A censored baseline ("<0.2" mg/L) has the
 * band that holds every value it allows (censoredEnds: "<0.2" is below a 3 mg/L cut), and none when it straddles a
 * cut ("<5"), as the pathway places a censored CRP.
 */
export function participantLevels(
  protocol: TrialProtocol,
  factors: readonly Factor[],
  participant: {
    site: string;
    baselineCrpMgPerL: number | null;
    baselineCrpComparator?: CensoredComparator | null | undefined;
  },
): { ok: true; levels: Record<string, string> } | { ok: false; reason: string } {
  const levels: Record<string, string> = {};
  for (const f of protocol.stratification ?? []) {
    if (f.source === 'site') {
      const allowed = factors.find((p) => p.id === f.id)?.levels ?? [];
      if (!allowed.includes(participant.site)) return { ok: false, reason: `site is not a level of factor ${f.id}` };
      levels[f.id] = participant.site;
    } else {
      const crp = participant.baselineCrpMgPerL;
      if (crp === null) return { ok: false, reason: `factor ${f.id} needs the baseline hs-CRP (mg/L)` };
      const comparator = participant.baselineCrpComparator ?? undefined;
      const values = comparator === undefined ? [crp] : censoredEnds(crp, comparator);
      const bands = f.levels.filter((l) => values.every((v) => within(v, l.mgPerL)));
      if (bands.length === 0 && comparator !== undefined) {
        return {
          ok: false,
          reason: `baseline hs-CRP ${comparator}${crp} mg/L is censored and may fall in more than one band of factor ${f.id}: measure it for a value`,
        };
      }
      if (bands.length === 0) return { ok: false, reason: `baseline hs-CRP falls in no band of factor ${f.id}` };
      // Overlapping bands (e.g. `atMost: 3` and `atLeast: 3`) give a value on the edge two levels: the first is not
      // taken, since the stratum would then depend on the order the protocol lists its bands in.
      if (bands.length > 1) {
        return {
          ok: false,
          reason: `baseline hs-CRP falls in more than one band of factor ${f.id} (${bands.map((l) => l.id).join(', ')}): the protocol's bands overlap`,
        };
      }
      levels[f.id] = (bands[0] as (typeof bands)[number]).id;
    }
  }
  return { ok: true, levels };
}

export interface PlanSettings {
  readonly method: 'permuted-blocks' | 'minimisation';
  readonly seed: number;
  /** Site codes: the levels of the protocol's site factor (default: the protocol's own). */
  readonly sites?: readonly string[];
  /** Permuted blocks (defaults 2,4,6 and 100). */
  readonly blockSizes?: readonly number[];
  readonly perStratum?: number;
  /** Minimisation (default 0.8). */
  readonly pBest?: number;
}

/** The randomization plan for a protocol (validate it with RandomizationPlanSchema before use). */
export function planFromProtocol(protocol: TrialProtocol, s: PlanSettings): RandomizationPlan {
  const common = { arms: planArms(protocol), factors: planFactors(protocol, s.sites), seed: s.seed };
  return s.method === 'permuted-blocks'
    ? {
        method: 'permuted-blocks',
        ...common,
        blockSizes: [...(s.blockSizes ?? [2, 4, 6])],
        perStratum: s.perStratum ?? 100,
      }
    : { method: 'minimisation', ...common, pBest: s.pBest ?? 0.8 };
}
