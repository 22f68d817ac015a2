/**
 * Definition 8: work-up required before referral: safety labs in the lab window, latent-TB screen within its window,
 * hepatitis B serology; confirmation of a stale immunosuppressant order (definition 3a), or of a record that names an
 * immunosuppressant without a listed code (docs/care-pathway.md, "Medications named without a listed code"). An item is missing when no
 * usable result exists (not when the result is abnormal: abnormal results are contraindications). The assessment
 * lists it only on the referral track (REFERRAL_TRACK).
 */
import type { RecommendationCode } from './assessment.ts';
import { dayOf, useThreshold, windowStart } from './context.ts';
import type { EngineContext } from './context.ts';
import type { MissingWorkup } from './facts.ts';
import type { LabContext } from './contraindications.ts';
import { namedOnlyUsesIn, staleUsesIn } from './medication-use.ts';
import { undecidedPregnancyTest } from './pregnancy.ts';

/** Decision rows whose patients may go on to a referral, so the work-up matters (rules 5, 6 and 8). */
export const REFERRAL_TRACK: ReadonlySet<RecommendationCode> = new Set(['measure-crp', 'repeat-crp', 'refer-to-trial']);

export function deriveMissingWorkup(ctx: EngineContext, lab: LabContext): MissingWorkup[] {
  const out: MissingWorkup[] = [];
  for (const rule of ctx.pathway.missingWorkup) {
    let present: boolean;
    if (rule.predicate === 'lab-in-window') {
      present = lab.labs[rule.analyte] !== undefined;
    } else if (rule.predicate === 'undecided-pregnancy-test') {
      // Definition 6, `pregnancy`: a test that reads neither way is not "not pregnant"; ask for its result.
      const pregnancy = ctx.pathway.contraindications.find((c) => c.predicate === 'pregnancy');
      present = pregnancy?.predicate !== 'pregnancy' || undecidedPregnancyTest(ctx, pregnancy) === undefined;
    } else if (rule.predicate === 'stale-medication') {
      // Definition 6: a stale record of an immunosuppressant is not current; ask whether it is still taken. A record
      // that only names one is not a confirmed use: ask which medicine it is.
      const stale = staleUsesIn(ctx, rule.codeSets).length > 0;
      if (namedOnlyUsesIn(ctx, rule.codeSets, true).length > 0) {
        const action = stale ? `${rule.namedOnlyAction} ${rule.action}` : rule.namedOnlyAction;
        out.push({ code: rule.code, title: rule.namedOnlyTitle, action, citation: rule.citation });
        continue;
      }
      present = !stale;
    } else {
      const screen = lab.screens[rule.screen];
      const windowDays =
        rule.windowDays === undefined ? undefined : useThreshold(ctx, `${rule.code} window (days)`, rule.windowDays);
      present =
        screen !== undefined &&
        screen.outcome !== 'indeterminate' &&
        (windowDays === undefined ||
          rule.windowDays === undefined ||
          (dayOf(screen.date) ?? Number.NEGATIVE_INFINITY) >= windowStart(ctx.asOfDay, rule.windowDays));
    }
    if (!present) out.push({ code: rule.code, title: rule.title, action: rule.action, citation: rule.citation });
  }
  return out;
}
