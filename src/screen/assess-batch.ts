/**
 * One batch of patients through the one engine (src/engine), each to its output line (result-line.ts). The same
 * code runs in the screen's own thread and in its worker threads (assess-worker.ts), so both give the same bytes.
 */
import { engineFrom, type Engine } from '../engine/engine.ts';
import type { Knowledge } from '../knowledge/index.ts';
import { cutOffDependentCodes } from '../pathway/index.ts';
import { InputError } from '../record/index.ts';
import { linkedPatient } from './patient-links.ts';
import { errorLine, screenLine, type ScreenLine } from './result-line.ts';
import type { PatientInput } from './sources/source.ts';

export interface BatchResult {
  /** The output lines, each ending in a newline. */
  readonly text: string;
  /** Patients whose data could not be assessed at all (an error line each). */
  readonly notAssessed: number;
}

/** An engine that applies the same pathway with another CRP cut-off (the knowledge changed, not the rule). */
export function engineAtCutOff(engine: Engine, cutOffMgPerL: number): Engine {
  const k = engine.knowledge;
  const inflammation = k.pathway.definitions.inflammation;
  if (!(cutOffMgPerL > 0 && cutOffMgPerL <= inflammation.acuteAbove.value)) {
    throw new InputError(
      `--cut-offs: each cut-off must be above 0 and at most the acute threshold (${inflammation.acuteAbove.value} mg/L)`,
      'screen.cut-off.invalid',
    );
  }
  const changed: Knowledge = {
    ...k,
    pathway: {
      ...k.pathway,
      definitions: {
        ...k.pathway.definitions,
        inflammation: { ...inflammation, cutOff: { ...inflammation.cutOff, value: cutOffMgPerL } },
      },
    },
  };
  return engineFrom(changed, changed, engine.protocols);
}

/**
 * A resource as an entry of the patient's Bundle. A Medication of a flattened export had the fullUrl
 * `urn:uuid:<its id>` in the transaction bundle it came from, and a medicationReference may still name it so
 * (docs/screening.md, "Which Observation lines are parsed"): the entry gets that fullUrl back, so that the engine
 * resolves the reference as it resolves `Medication/<id>`. Other resources are referred to by no other resource the
 * engine reads; a Patient's `urn:uuid` is matched by the projection.
 */
function entryOf(resource: unknown): { resource: unknown; fullUrl?: string } {
  const r = resource as { resourceType?: unknown; id?: unknown } | null;
  if (r !== null && typeof r === 'object' && r.resourceType === 'Medication' && typeof r.id === 'string') {
    return { fullUrl: `urn:uuid:${r.id}`, resource };
  }
  return { resource };
}

/**
 * A person's resources when other records were merged into theirs (patient-links.ts): the merged records' Patient
 * resources are left out (the surviving record gives the person's demographics), and a subject or patient reference
 * that names a merged record names the surviving one, so that the engine reads every resource as the person's
 * (docs/screening.md, "Merged patient records"). The resources are copied, never changed in place.
 */
function asOnePerson(patient: string, merged: readonly string[], resources: readonly unknown[]): unknown[] {
  const aliases = new Set(merged);
  const out: unknown[] = [];
  for (const resource of resources) {
    const r = resource as Record<string, unknown>;
    if (r['resourceType'] === 'Patient') {
      if (aliases.has(`Patient/${String(r['id'])}`)) continue;
      out.push(r);
      continue;
    }
    let copy = r;
    for (const field of ['subject', 'patient']) {
      const target = r[field] as { reference?: unknown } | undefined;
      const reference = target?.reference;
      if (typeof reference !== 'string') continue;
      const named = linkedPatient(reference);
      if (named !== undefined && aliases.has(named)) copy = { ...copy, [field]: { ...target, reference: patient } };
    }
    out.push(copy);
  }
  return out;
}

export function assessBatch(
  engine: Engine,
  cutOffEngines: readonly (readonly [string, Engine])[],
  asOf: string,
  patients: readonly PatientInput[],
): BatchResult {
  let text = '';
  let notAssessed = 0;
  const dependsOnCutOff = cutOffDependentCodes(engine.knowledge.pathway.decision);
  for (const p of patients) {
    let line: ScreenLine;
    try {
      const read = p.resources ?? (JSON.parse(p.resourcesJson ?? '[]') as unknown[]);
      const resources = p.merged === undefined ? read : asOnePerson(p.patient, p.merged, read);
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: resources.map(entryOf) };
      const assessment = engine.assess(bundle, { asOf });
      let atCutOff: Record<string, string> | undefined;
      if (cutOffEngines.length > 0) {
        atCutOff = {};
        for (const [c, e] of cutOffEngines) {
          atCutOff[c] = dependsOnCutOff.has(assessment.recommendation.code)
            ? e.assess(bundle, { asOf }).recommendation.code
            : assessment.recommendation.code;
        }
      }
      line = screenLine(p.patient, assessment, atCutOff);
    } catch (error) {
      // Bad data is the patient's line; so is a defect of the engine met on one patient's records: a screen of a
      // million patients must not stop, and stop again on resume, at one of them. The line names the error's kind
      // only (its message may quote the record), and the patient is counted as not assessed.
      line = errorLine(
        p.patient,
        error instanceof InputError
          ? error.message
          : `internal error (${error instanceof Error ? error.name : typeof error}): not assessed; please report it (trd assess on this patient's records with TRD_DEBUG=1 shows the details)`,
      );
      notAssessed++;
    }
    if (p.merged !== undefined) line = { ...line, mergedRecords: p.merged };
    text += `${JSON.stringify(line)}\n`;
  }
  return { text, notAssessed };
}
