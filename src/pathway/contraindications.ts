/**
 * Definition 6: absolute contraindications to IL-6 blockade (reference section 5). Each pathway entry names one
 * predicate; this module evaluates it against the record and the derived labs and screens. Lab-based ones use the most
 * recent result in the lab window; a boundary value never triggers (ANC exactly 2.0, ALT exactly 1.5 x ULN).
 */
import { nameListedIn, unverifiedName } from '../knowledge/index.ts';
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import type { ConditionFact } from '../record/index.ts';
import { unitForReading } from '../units/index.ts';
import { conditionsFound, whyConditionNotCurrent } from './conditions.ts';
import { byRef, noteIssue, noteUnverified, sortInPlace, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type {
  ClinicalFacts,
  Contraindication,
  ContraindicationCode,
  LabAnalyte,
  LabResult,
  UnverifiedItem,
} from './facts.ts';
import { LAB_LABEL } from './labs.ts';
import { inAnySet } from './lookups.ts';
import { namedOnlyPhrase } from './medication-use.ts';
import { findImmunosuppressant } from './immunosuppressant.ts';
import { findPregnancy } from './pregnancy.ts';
import { findTuberculosis } from './tuberculosis.ts';

/** Relative tolerance so that 1.5 x 40 U/L compares equal to 60 U/L despite floating point. */
const RELATIVE_EPSILON = 1e-9;

export interface LabContext {
  readonly labs: Partial<Record<LabAnalyte, LabResult>>;
  /** Per analyte, the unverified values its result's reading relied on (deriveLabs). */
  readonly unverified?: Partial<Record<LabAnalyte, readonly UnverifiedItem[]>>;
  readonly screens: ClinicalFacts['screens'];
}

/**
 * A lab result a rule decides on (or rules out with) brings the unverified values its reading relied on (a unit read by
 * an unverified label): noted again, so that the rule's collector holds them for the trial criteria that read it.
 */
function relyOnLab(ctx: EngineContext, lab: LabContext, analyte: LabAnalyte): void {
  for (const u of lab.unverified?.[analyte] ?? []) noteUnverified(ctx, u.item, u.note, u.citation);
}

function currentConditions(ctx: EngineContext, codeSets: readonly string[]): ConditionFact[] {
  return ctx.record.conditions.filter(
    (c) => inAnySet(ctx, codeSets, c.code) && whyConditionNotCurrent(ctx, c) === undefined,
  );
}

/** Is the (possibly censored) value certainly below the threshold? */
function certainlyBelow(
  value: number,
  comparator: LabResult['comparator'],
  limit: number,
  inclusive: boolean,
): boolean {
  if (comparator === undefined || comparator === '<=') return inclusive ? value <= limit : value < limit;
  if (comparator === '<') return value <= limit;
  return false;
}

function certainlyAbove(
  value: number,
  comparator: LabResult['comparator'],
  limit: number,
  inclusive: boolean,
): boolean {
  const tol = Math.abs(limit) * RELATIVE_EPSILON;
  if (comparator === undefined || comparator === '>=') return inclusive ? value >= limit - tol : value > limit + tol;
  if (comparator === '>') return value >= limit - tol;
  return false;
}

/** The limit one lab rule applies to one result, and on which side of it the contraindication lies. */
interface LabLimit {
  readonly limit: number;
  readonly inclusive: boolean;
  readonly worse: 'below' | 'above';
  /** How the limit reads in a detail: "< 2" or "1.5 x ULN 40". */
  readonly text: string;
}

function labLimit(ctx: EngineContext, rule: ContraindicationRule, r: LabResult): LabLimit | undefined {
  if (rule.predicate === 'lab-below' && rule.analyte === r.analyte) {
    const limit = useThreshold(ctx, `${rule.code} threshold`, rule.threshold);
    const inclusive = rule.threshold.inclusive;
    return { limit, inclusive, worse: 'below', text: `${inclusive ? '<=' : '<'} ${limit}` };
  }
  if (rule.predicate === 'lab-above-uln' && rule.analytes.includes(r.analyte)) {
    if (r.analyte !== 'alt' && r.analyte !== 'ast') return undefined;
    const multiple = useThreshold(ctx, 'liver enzymes: multiple of ULN', rule.multipleOfUln);
    const fallback = rule.defaultUln[r.analyte];
    const uln = r.upperLimitOfNormal ?? useThreshold(ctx, `default ULN: ${r.analyte.toUpperCase()}`, fallback);
    const basis = r.upperLimitOfNormal === undefined ? 'default ULN' : 'ULN';
    return {
      limit: multiple * uln,
      inclusive: rule.multipleOfUln.inclusive,
      worse: 'above',
      text: `> ${multiple} x ${basis} ${uln}`,
    };
  }
  return undefined;
}

const certainlyWorse = (r: LabResult, l: LabLimit): boolean =>
  l.worse === 'below'
    ? certainlyBelow(r.value, r.comparator, l.limit, l.inclusive)
    : certainlyAbove(r.value, r.comparator, l.limit, l.inclusive);

/** Is every value a censored result allows on the safe side of the limit ("ANC >3" against 2.0)? */
function certainlySafe(r: LabResult, l: LabLimit): boolean {
  const v = r.value;
  const tol = Math.abs(l.limit) * RELATIVE_EPSILON;
  if (l.worse === 'below') {
    if (r.comparator === '>') return v >= l.limit - tol;
    if (r.comparator === '>=') return l.inclusive ? v > l.limit + tol : v >= l.limit - tol;
    return false;
  }
  if (r.comparator === '<') return v <= l.limit + tol;
  if (r.comparator === '<=') return l.inclusive ? v < l.limit - tol : v <= l.limit + tol;
  return false;
}

/**
 * A censored result that allows values on both sides of the limit ("ANC <2.5" may be 1.0) can neither show nor rule
 * out the contraindication: the analyte counts as not measured and the work-up asks for a result with a value.
 */
export function withoutUndecidableLabs(
  ctx: EngineContext,
  labs: Partial<Record<LabAnalyte, LabResult>>,
): Partial<Record<LabAnalyte, LabResult>> {
  let out = labs;
  for (const r of Object.values(labs)) {
    if (r.comparator === undefined) continue;
    for (const rule of ctx.pathway.contraindications) {
      const l = labLimit(ctx, rule, r);
      if (l === undefined || certainlyWorse(r, l) || certainlySafe(r, l)) continue;
      noteIssue(
        ctx,
        'pathway.lab.censored',
        `${r.analyte} ${r.comparator}${r.value} ${unitForReading(r.unit)} on ${r.date} cannot be placed against the ${rule.code} limit (${l.text}): counted as not measured; repeat it for a value`,
        r.source,
      );
      out = { ...out };
      delete out[r.analyte];
      break;
    }
  }
  return out;
}

type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

function evaluate(ctx: EngineContext, rule: ContraindicationRule, lab: LabContext): Found | undefined {
  switch (rule.predicate) {
    case 'active-condition': {
      const found = currentConditions(ctx, rule.codeSets);
      return found.length > 0 ? conditionsFound('active condition recorded', found) : undefined;
    }
    case 'pregnancy':
      return findPregnancy(ctx, rule);
    case 'tuberculosis':
      return findTuberculosis(ctx, rule, lab.screens.latentTb);
    case 'hepatitis': {
      const active = currentConditions(ctx, rule.activeCodeSets);
      if (active.length > 0) return conditionsFound('active chronic hepatitis B or C recorded', active);
      const hbsag = lab.screens.hepatitisBSurfaceAntigen;
      return hbsag?.outcome === 'positive'
        ? { detail: `HBsAg positive on ${hbsag.date}`, evidence: [hbsag.source] }
        : undefined;
    }
    case 'lab-below': {
      useThreshold(ctx, `${rule.code} threshold`, rule.threshold); // reported whether or not a result exists
      const r = lab.labs[rule.analyte];
      if (r !== undefined) relyOnLab(ctx, lab, rule.analyte);
      const l = r === undefined ? undefined : labLimit(ctx, rule, r);
      if (r === undefined || l === undefined || !certainlyWorse(r, l)) return undefined;
      return {
        detail: `${LAB_LABEL[rule.analyte]} ${r.comparator ?? ''}${r.value} ${unitForReading(r.unit)} on ${r.date} (${l.text})`,
        evidence: [r.source],
      };
    }
    case 'lab-above-uln': {
      useThreshold(ctx, 'liver enzymes: multiple of ULN', rule.multipleOfUln);
      const details: string[] = [];
      const evidence: string[] = [];
      for (const analyte of rule.analytes) {
        const r = lab.labs[analyte];
        if (r !== undefined) relyOnLab(ctx, lab, analyte);
        const l = r === undefined ? undefined : labLimit(ctx, rule, r);
        if (r === undefined || l === undefined || !certainlyWorse(r, l)) continue;
        details.push(
          `${LAB_LABEL[analyte]} ${r.comparator ?? ''}${r.value} ${unitForReading(r.unit)} on ${r.date} ${l.text}`,
        );
        evidence.push(r.source);
      }
      return evidence.length > 0 ? { detail: details.join('; '), evidence } : undefined;
    }
    case 'active-allergy':
      return activeAllergy(ctx, rule.codeSets);
    case 'current-medication':
      return findImmunosuppressant(ctx, rule);
  }
}

/**
 * An active allergy to the rule's substance: by a listed code, or by name only ("Actemra" as text, a local code whose
 * display names it). An allergy recorded by name is read as an unconfirmed one is: it counts, and the detail asks to
 * confirm the substance (docs/care-pathway.md, "Medications named without a listed code").
 */
function activeAllergy(ctx: EngineContext, codeSets: readonly string[]): Found | undefined {
  const coded: string[] = [];
  const named: { ref: string; phrase: string }[] = [];
  for (const a of ctx.record.allergies) {
    const active =
      (a.clinicalStatus === undefined || a.clinicalStatus === 'active') &&
      a.verificationStatus !== 'refuted' &&
      a.verificationStatus !== 'entered-in-error';
    if (!active) continue;
    if (inAnySet(ctx, codeSets, a.code)) {
      coded.push(a.ref);
      continue;
    }
    const name = nameListedIn(ctx.knowledge, a.code, codeSets);
    if (name === undefined) continue;
    named.push({ ref: a.ref, phrase: namedOnlyPhrase(name) });
    noteIssue(
      ctx,
      'allergy.named-only',
      `allergy ${namedOnlyPhrase(name)}: read as an allergy to ${name.ingredient}; confirm the substance and record it coded`,
      a.ref,
    );
    const unverified = unverifiedName(name);
    if (unverified !== undefined) noteUnverified(ctx, unverified.item, unverified.note, unverified.citation);
  }
  if (coded.length === 0 && named.length === 0) return undefined;
  const byName =
    named.length === 0
      ? ''
      : `; recorded by name only, to confirm: ${named.map((n) => `${n.ref} ${n.phrase}`).join('; ')}`;
  return {
    detail: `active allergy or intolerance recorded${byName}`,
    evidence: [...coded, ...named.map((n) => n.ref)],
  };
}

/**
 * The contraindications found, and per rule the unverified values its evaluation relied on (whether or not it found
 * one: "none found" rests on them too), for the trial criteria that read the rule.
 */
export function deriveContraindications(
  ctx: EngineContext,
  lab: LabContext,
): { found: Contraindication[]; unverified: Partial<Record<ContraindicationCode, readonly UnverifiedItem[]>> } {
  const out: Contraindication[] = [];
  const unverified: Partial<Record<ContraindicationCode, readonly UnverifiedItem[]>> = {};
  for (const rule of ctx.pathway.contraindications) {
    const collector: UnverifiedItem[] = [];
    ctx.collectors.push(collector);
    let found: Found | undefined;
    try {
      found = evaluate(ctx, rule, lab);
    } finally {
      ctx.collectors.pop();
    }
    if (collector.length > 0) unverified[rule.code] = sortInPlace(collector, (a, b) => byRef(a.item, b.item));
    if (found !== undefined)
      out.push({
        code: rule.code,
        title: rule.title,
        detail: found.detail,
        evidence: sortInPlace([...found.evidence], byRef),
        citation: rule.citation,
      });
  }
  return { found: out, unverified };
}
