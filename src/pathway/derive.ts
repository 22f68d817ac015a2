/**
 * deriveFacts: every derivation of docs/care-pathway.md definitions 0-10 for one record on one as-of date. The decision
 * (decide.ts) and the trial matcher (src/trials) both start from these facts.
 */
import type { Knowledge } from '../knowledge/index.ts';
import type { PatientRecord } from '../record/index.ts';
import { deriveTreatmentResistance } from './adequacy.ts';
import { deriveCautions } from './cautions.ts';
import { deriveComorbidIl6Disease } from './comorbidity.ts';
import { ageOn, ageRangeOn, byRef, createContext, sortInPlace } from './context.ts';
import type { EngineContext } from './context.ts';
import { deriveContraindications, withoutUndecidableLabs } from './contraindications.ts';
import { deriveDepression } from './depression.ts';
import { deriveSegments } from './exposures.ts';
import type { ClinicalFacts } from './facts.ts';
import { deriveInflammation } from './inflammation.ts';
import { deriveLabs, deriveScreens, deriveUpperLimitsOfNormal } from './labs.ts';
import { deriveMaudsley } from './maudsley.ts';
import { deriveSymptomProfile } from './symptoms.ts';
import { medicationStatus } from './medication-use.ts';
import { deriveSafetyAlerts } from './safety.ts';
import { deriveScope } from './scope.ts';
import { deriveMissingWorkup } from './workup.ts';
import { negativePregnancyTest, notBreastfeedingAnswer } from './pregnancy.ts';

export function deriveFactsInContext(ctx: EngineContext): ClinicalFacts {
  const { record } = ctx;
  const age = ageOn(record.patient.birthDate, ctx.asOfDay);
  const ageRange = ageRangeOn(record.patient.birthDate, ctx.asOfDay);
  const depression = deriveDepression(ctx);
  const { segments, ignored } = deriveSegments(ctx);
  const treatmentResistance = deriveTreatmentResistance(ctx, segments, ignored);
  const inflammation = deriveInflammation(ctx);
  const read = deriveLabs(ctx);
  const lab = {
    labs: withoutUndecidableLabs(ctx, read.labs),
    unverified: read.unverified,
    screens: deriveScreens(ctx),
  };
  const { found: contraindications, unverified: contraindicationsUnverified } = deriveContraindications(ctx, lab);
  const pregnancyRule = ctx.pathway.contraindications.find((c) => c.predicate === 'pregnancy');
  // Read only when no pregnancy is found: the contraindication's reading of the tests has then run in full.
  const notPregnant =
    pregnancyRule?.predicate !== 'pregnancy' || contraindications.some((c) => c.code === pregnancyRule.code)
      ? undefined
      : {
          negativePregnancyTest: negativePregnancyTest(ctx, pregnancyRule),
          notBreastfeeding: notBreastfeedingAnswer(ctx, pregnancyRule),
        };
  const cautions = deriveCautions(ctx, age, inflammation, lab.screens);
  const missingWorkup = deriveMissingWorkup(ctx, lab);
  const symptomProfile = deriveSymptomProfile(ctx);
  const scope = deriveScope(ctx, ageRange?.youngest ?? age, age, depression);
  const safetyAlerts = deriveSafetyAlerts(ctx);
  const comorbidIl6Disease = deriveComorbidIl6Disease(ctx);
  const maudsleyStaging = deriveMaudsley(ctx, depression, treatmentResistance);
  return {
    asOf: ctx.asOf,
    patient: {
      reference: record.patient.ref,
      age,
      ...(ageRange !== undefined && { ageRange }),
      sex: record.patient.sex,
    },
    scope,
    safetyAlerts,
    depression,
    medications: medicationStatus(ctx),
    treatmentResistance,
    inflammation,
    labs: lab.labs,
    upperLimitsOfNormal: deriveUpperLimitsOfNormal(ctx),
    screens: lab.screens,
    contraindications,
    ...(notPregnant?.negativePregnancyTest !== undefined && {
      negativePregnancyTest: notPregnant.negativePregnancyTest,
    }),
    ...(notPregnant?.notBreastfeeding !== undefined && { notBreastfeeding: notPregnant.notBreastfeeding }),
    contraindicationsUnverified,
    cautions,
    missingWorkup,
    symptomProfile,
    comorbidIl6Disease,
    maudsleyStaging,
    // Sorted so that a result never depends on the order of the input's entries.
    unverified: sortInPlace([...ctx.unverified.values()], (a, b) => byRef(a.item, b.item)),
    issues: sortInPlace(
      [...record.issues, ...ctx.issues],
      (a, b) => byRef(a.path ?? '', b.path ?? '') || byRef(a.code, b.code) || byRef(a.message, b.message),
    ),
  };
}

/**
 * @param asOf YYYY-MM-DD; nothing dated after it is used. Throws only for a malformed asOf (a programmer error: the
 * CLI validates it).
 */
export function deriveFacts(record: PatientRecord, knowledge: Knowledge, asOf: string): ClinicalFacts {
  return deriveFactsInContext(createContext(record, knowledge, asOf));
}
