/**
 * Definition 6: absolute contraindications to IL-6 blockade (reference section 5). Each pathway entry names one
 * predicate; this module evaluates it against the record and the derived labs and screens. Lab-based ones use the most
 * recent result in the lab window; a boundary value never triggers (ANC exactly 2.0, ALT exactly 1.5 x ULN).
 */
import type { ContraindicationRule } from '../knowledge/schema-pathway.ts';
import { whyNotCurrent } from './conditions.ts';
import { byRef, useThreshold } from './context.ts';
import type { EngineContext } from './context.ts';
import type { ClinicalFacts, Contraindication, LabAnalyte, LabResult } from './facts.ts';
import { inAnySet } from './lookups.ts';
import { findImmunosuppressant } from './immunosuppressant.ts';
import { findPregnancy } from './pregnancy.ts';
import { findTuberculosis } from './tuberculosis.ts';

/** Relative tolerance so that 1.5 x 40 U/L compares equal to 60 U/L despite floating point. */
const RELATIVE_EPSILON = 1e-9;

export interface LabContext {
  readonly labs: Partial<Record<LabAnalyte, LabResult>>;
  readonly screens: ClinicalFacts['screens'];
}

function currentConditions(ctx: EngineContext, codeSets: readonly string[]): string[] {
  return ctx.record.conditions
    .filter((c) => inAnySet(ctx, codeSets, c.code) && whyNotCurrent(c, ctx.asOfDay) === undefined)
    .map((c) => c.ref);
}

/** Is the (possibly censored) value certainly below the threshold? */
function certainlyBelow(r: LabResult, limit: number, inclusive: boolean): boolean {
  if (r.comparator === undefined || r.comparator === '<=') return inclusive ? r.value <= limit : r.value < limit;
  if (r.comparator === '<') return r.value <= limit;
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

type Found = Omit<Contraindication, 'code' | 'title' | 'citation'>;

function evaluate(ctx: EngineContext, rule: ContraindicationRule, lab: LabContext): Found | undefined {
  switch (rule.predicate) {
    case 'active-condition': {
      const refs = currentConditions(ctx, rule.codeSets);
      return refs.length > 0 ? { detail: 'active condition recorded', evidence: refs } : undefined;
    }
    case 'pregnancy':
      return findPregnancy(ctx, rule);
    case 'tuberculosis':
      return findTuberculosis(ctx, rule, lab.screens.latentTb);
    case 'hepatitis': {
      const active = currentConditions(ctx, rule.activeCodeSets);
      if (active.length > 0) return { detail: 'active chronic hepatitis B or C recorded', evidence: active };
      const hbsag = lab.screens.hepatitisBSurfaceAntigen;
      return hbsag?.outcome === 'positive'
        ? { detail: `HBsAg positive on ${hbsag.date}`, evidence: [hbsag.source] }
        : undefined;
    }
    case 'lab-below': {
      const r = lab.labs[rule.analyte];
      const limit = useThreshold(ctx, `${rule.code} threshold`, rule.threshold);
      if (r === undefined || !certainlyBelow(r, limit, rule.threshold.inclusive)) return undefined;
      return {
        detail: `${rule.analyte.toUpperCase()} ${r.comparator ?? ''}${r.value} ${r.unit} on ${r.date} (${rule.threshold.inclusive ? '<=' : '<'} ${limit})`,
        evidence: [r.source],
      };
    }
    case 'lab-above-uln': {
      const multiple = useThreshold(ctx, 'liver enzymes: multiple of ULN', rule.multipleOfUln);
      const details: string[] = [];
      const evidence: string[] = [];
      for (const analyte of rule.analytes) {
        const r = lab.labs[analyte];
        if (r === undefined || (analyte !== 'alt' && analyte !== 'ast')) continue;
        const fallback = rule.defaultUln[analyte];
        const uln = r.upperLimitOfNormal ?? useThreshold(ctx, `default ULN: ${analyte.toUpperCase()}`, fallback);
        const limit = multiple * uln;
        if (certainlyAbove(r.value, r.comparator, limit, rule.multipleOfUln.inclusive)) {
          const basis = r.upperLimitOfNormal === undefined ? 'default ULN' : 'ULN';
          details.push(
            `${analyte.toUpperCase()} ${r.comparator ?? ''}${r.value} ${r.unit} on ${r.date} > ${multiple} x ${basis} ${uln}`,
          );
          evidence.push(r.source);
        }
      }
      return evidence.length > 0 ? { detail: details.join('; '), evidence } : undefined;
    }
    case 'active-allergy': {
      const refs = ctx.record.allergies
        .filter(
          (a) =>
            inAnySet(ctx, rule.codeSets, a.code) &&
            (a.clinicalStatus === undefined || a.clinicalStatus === 'active') &&
            a.verificationStatus !== 'refuted' &&
            a.verificationStatus !== 'entered-in-error',
        )
        .map((a) => a.ref);
      return refs.length > 0 ? { detail: 'active allergy or intolerance recorded', evidence: refs } : undefined;
    }
    case 'current-medication':
      return findImmunosuppressant(ctx, rule);
  }
}

export function deriveContraindications(ctx: EngineContext, lab: LabContext): Contraindication[] {
  const out: Contraindication[] = [];
  for (const rule of ctx.pathway.contraindications) {
    const found = evaluate(ctx, rule, lab);
    if (found !== undefined)
      out.push({
        code: rule.code,
        title: rule.title,
        detail: found.detail,
        evidence: [...found.evidence].sort(byRef),
        citation: rule.citation,
      });
  }
  return out;
}
