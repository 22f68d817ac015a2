/**
 * Definition 7: cautions, shown but not blocking (reference section 5.5, 1.2, 3.2).
 */
import type { CautionRule } from '../knowledge/schema-pathway.ts';
import type { Writable } from '../record/index.ts';
import { conditionsFound, isRecordedHistory } from './conditions.ts';
import { byRef, dayOf, sortInPlace, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import { currentUsesIn, namedOnlyPhrase, namedOnlyUsesIn, notSystemic } from './medication-use.ts';
import type { Caution, ClinicalFacts, InflammationFacts } from './facts.ts';
import { inAnySet } from './lookups.ts';

type Found = Omit<Caution, 'code' | 'title' | 'citation'> & { readonly title?: string };

function evaluate(
  ctx: EngineContext,
  rule: CautionRule,
  age: number | undefined,
  inflammation: InflammationFacts,
  screens: ClinicalFacts['screens'],
): Found | undefined {
  switch (rule.predicate) {
    case 'age-unknown':
      return age === undefined
        ? {
            detail: 'no usable birth date: the adult-age and older-age rules could not be checked',
            evidence: [ctx.record.patient.ref],
          }
        : undefined;
    case 'isolated-anti-hbc': {
      const core = screens.hepatitisBCoreAntibody;
      const surface = screens.hepatitisBSurfaceAntigen;
      // HBsAg positive is the hepatitis contraindication; with HBsAg unknown the work-up asks for the serology.
      return core?.outcome === 'positive' && surface?.outcome === 'negative'
        ? {
            detail: `anti-HBc positive on ${core.date} with HBsAg negative on ${surface.date}`,
            evidence: [core.source, surface.source],
          }
        : undefined;
    }
    case 'condition-history': {
      const found = ctx.record.conditions.filter(
        (c) => inAnySet(ctx, rule.codeSets, c.code) && isRecordedHistory(c, ctx.asOfDay),
      );
      return found.length > 0 ? conditionsFound('history recorded', found) : undefined;
    }
    case 'age-at-least': {
      const limit = useThreshold(ctx, 'older-age caution (years)', rule.ageYears);
      if (age === undefined) return undefined;
      const meets = rule.ageYears.inclusive ? age >= limit : age > limit;
      return meets ? { detail: `age ${age}`, evidence: [ctx.record.patient.ref] } : undefined;
    }
    case 'recent-immunization': {
      const live = ctx.record.immunizations.filter(
        (i) => i.status === 'completed' && inAnySet(ctx, rule.codeSets, i.vaccine),
      );
      if (live.length === 0) return undefined;
      // The window is only relied upon when a live vaccine is on record, so only then is it reported.
      const windowDays = useThreshold(ctx, 'live-vaccine window (days)', rule.windowDays);
      const from = windowStart(ctx.asOfDay, rule.windowDays);
      const refs = live
        .filter((i) => {
          const day = dayOf(i.occurrence, 'start');
          return day !== undefined && day <= ctx.asOfDay && day >= from;
        })
        .map((i) => i.ref);
      return refs.length > 0 ? { detail: `live vaccine in the last ${windowDays} days`, evidence: refs } : undefined;
    }
    case 'current-medication':
      return currentMedication(ctx, rule);
    case 'standard-crp-assay': {
      const crp = inflammation.crp;
      return crp?.assay === 'standard'
        ? { detail: `CRP on ${crp.date} is from a standard, not a high-sensitivity, assay`, evidence: [crp.source] }
        : undefined;
    }
  }
}

/**
 * A current medication of the rule's sets (definition 3a). A record that only names one ("Ibuprofen 400 mg tablet", no
 * listed code), or a coded one whose texts say it is applied or inhaled ("cream": an ingredient code does not give the
 * route), is a possible use: listed in `toConfirm`, named in the detail with what to confirm, and when nothing else is
 * found the title says it is to confirm (docs/care-pathway.md, "Medications named without a listed code").
 */
function currentMedication(ctx: EngineContext, rule: Extract<CautionRule, { predicate: 'current-medication' }>) {
  const coded: string[] = [];
  const toConfirm: { ref: string; phrase: string }[] = [];
  for (const u of currentUsesIn(ctx, rule.codeSets)) {
    const route = notSystemic(ctx, u.fact);
    if (route === undefined) coded.push(u.fact.ref);
    else toConfirm.push({ ref: u.fact.ref, phrase: `is coded as one but recorded as "${route}"` });
  }
  for (const n of namedOnlyUsesIn(ctx, rule.codeSets, false)) {
    toConfirm.push({ ref: n.use.fact.ref, phrase: namedOnlyPhrase(n.named) });
  }
  if (toConfirm.length === 0) return coded.length > 0 ? { detail: rule.detail, evidence: coded } : undefined;
  sortInPlace(toConfirm, (a, b) => byRef(a.ref, b.ref));
  const which = toConfirm.map((t) => `${t.ref} ${t.phrase}`).join('; ');
  const refs = toConfirm.map((t) => t.ref);
  const found: Writable<Found> = {
    detail: `${rule.detail}; to confirm: ${which}: ${rule.toConfirmDetail}`,
    evidence: [...coded, ...refs],
    toConfirm: refs,
  };
  if (coded.length === 0) found.title = rule.toConfirmTitle;
  return found;
}

/** Whether a caution rests only on records to confirm (`toConfirm`): a possible finding, never a confirmed one. */
export function onlyToConfirm(c: Caution): boolean {
  return c.toConfirm !== undefined && c.toConfirm.length === c.evidence.length;
}

export function deriveCautions(
  ctx: EngineContext,
  age: number | undefined,
  inflammation: InflammationFacts,
  screens: ClinicalFacts['screens'],
): Caution[] {
  const out: Caution[] = [];
  for (const rule of ctx.pathway.cautions) {
    const found = evaluate(ctx, rule, age, inflammation, screens);
    if (found === undefined) continue;
    const caution: Writable<Caution> = {
      code: rule.code,
      title: found.title ?? rule.title,
      detail: found.detail,
      evidence: sortInPlace([...found.evidence], byRef),
      citation: rule.citation,
    };
    if (found.toConfirm !== undefined) caution.toConfirm = found.toConfirm;
    out.push(caution);
  }
  return out;
}
