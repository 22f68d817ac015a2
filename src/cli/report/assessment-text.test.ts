/**
 * The text report on every clinical vignette (test/fixtures/vignettes): it never throws, leads with the engine's
 * recommendation and rule, and shows each finding with its evidence. Vignettes are F's goldens; this only checks
 * that the report carries what the assessment says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundleToRecord } from '../../fhir/index.ts';
import { loadKnowledge } from '../../knowledge/load.ts';
import { assess } from '../../pathway/index.ts';
import type { Assessment } from '../../pathway/index.ts';
import { REPORT_WIDTH } from './text-layout.ts';
import { formatAssessmentText } from './assessment-text.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'vignettes');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  vignettes: { id: string; file: string; asOf: string }[];
};

function assessmentOf(file: string, asOf: string): Assessment {
  const record = bundleToRecord(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
  assert.ok(record.ok, file);
  return assess(record.value, loadKnowledge(), { asOf });
}

test('every vignette: the report leads with the recommendation and rule, and names every finding and its evidence', () => {
  assert.ok(manifest.vignettes.length >= 40);
  for (const v of manifest.vignettes) {
    const a = assessmentOf(v.file, v.asOf);
    const text = formatAssessmentText(a);
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      `precision-trd assessment: ${a.patient.reference} (${a.patient.age ?? 'age unknown'}${a.patient.age === undefined ? '' : ' y'}, ${a.patient.sex ?? 'sex unknown'}), as of ${v.asOf}`,
      v.id,
    );
    assert.ok(text.includes(`RECOMMENDATION (rule ${a.recommendation.rule}, ${a.recommendation.code})`), v.id);
    const flat = text.replace(/\s+/g, ' ');
    for (const f of [...a.contraindications, ...a.cautions]) {
      assert.ok(flat.includes(`[${f.code}]`), `${v.id}: ${f.code}`);
      for (const ref of f.evidence) assert.ok(flat.includes(ref), `${v.id}: ${ref}`);
    }
    for (const w of a.missingWorkup) assert.ok(flat.includes(w.title), `${v.id}: ${w.code}`);
    for (const e of a.treatmentResistance.exposures) assert.ok(flat.includes(e.reason.replace(/\s+/g, ' ')), v.id);
    assert.ok(flat.includes(`> ${a.recommendation.rule} ${a.recommendation.code}`), v.id);
    for (const line of lines) {
      // Wrapped prose stays within the width unless one token is too long; tables (two-space columns) may be wider.
      if (line.length > REPORT_WIDTH && !/\S {2}\S/.test(line.trim()))
        assert.doesNotMatch(line.trim(), /\s\S+$/, `${v.id}: ${line}`);
    }
  }
});

test('a safety alert comes first, every cited resource shows its date, and each fact is said once (pathway 1.1)', () => {
  const byId = (id: string): { file: string; asOf: string } => {
    const v = manifest.vignettes.find((x) => x.id === id);
    assert.ok(v !== undefined, id);
    return v;
  };
  const alert = byId('suicide-risk-on-not-trd');
  const a = assessmentOf(alert.file, alert.asOf);
  const text = formatAssessmentText(a);
  const alertAt = text.indexOf('SAFETY ALERT [suicide-risk]');
  assert.ok(alertAt > 0 && alertAt < text.indexOf('RECOMMENDATION ('), 'the alert precedes the recommendation');
  // Not on the referral track: no work-up section at all (definition 8).
  assert.doesNotMatch(text, /MISSING WORK-UP/);
  // The recommendation shows its statement; the facts appear once, in their sections.
  assert.doesNotMatch(text, /Adequate trials: 1 of 2 required/);
  for (const v of manifest.vignettes) {
    const b = assessmentOf(v.file, v.asOf);
    const flat = formatAssessmentText(b).replace(/\s+/g, ' ');
    for (const f of [...b.contraindications, ...b.cautions, ...b.safetyAlerts]) {
      for (const ref of f.evidence) {
        const date = b.evidenceDates[ref];
        if (ref.startsWith('Patient/')) continue;
        assert.ok(date !== undefined, `${v.id}: ${ref} has a date`);
        assert.ok(flat.includes(`${ref} (${date})`), `${v.id}: ${ref} (${date})`);
      }
    }
    if (b.inflammation.crp !== undefined) {
      assert.ok(flat.includes(`${b.inflammation.crp.source} (${b.inflammation.crp.date})`), v.id);
    }
  }
});
