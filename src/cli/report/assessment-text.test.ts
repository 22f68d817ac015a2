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
import { UNDECIDED_HCG } from '../../../test/support/undecided-hcg.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'vignettes');
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as {
  vignettes: { id: string; file: string; asOf: string }[];
};

function assessmentOf(file: string, asOf: string): Assessment {
  const record = bundleToRecord(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
  assert.ok(record.ok, file);
  return assess(record.value, loadKnowledge(), { asOf });
}

/** `text` with the date the assessment gives each resource it names, as the report prints it. */
function withEvidenceDates(a: Assessment, text: string): string {
  return Object.entries(a.evidenceDates).reduce(
    (t, [ref, date]) =>
      t.replace(new RegExp(`${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b(?! \\()`, 'g'), `${ref} (${date})`),
    text,
  );
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
    for (const e of a.treatmentResistance.exposures) {
      assert.ok(flat.includes(withEvidenceDates(a, e.reason).replace(/\s+/g, ' ')), v.id);
    }
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

test('the prose dates the resources it names, the trace says an outcome once, and [U] is flagged at the recommendation', () => {
  let courses = 0;
  for (const v of manifest.vignettes) {
    const a = assessmentOf(v.file, v.asOf);
    const text = formatAssessmentText(a);
    const flat = text.replace(/\s+/g, ' ');
    // Every dated resource named anywhere in the report carries its date there.
    for (const [ref, date] of Object.entries(a.evidenceDates)) {
      const bare = new RegExp(
        `${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w.-])(?! \\(${date.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\))`,
      );
      if (!ref.startsWith('Patient/')) {
        const table = text
          .split('\n')
          .filter((l) => !/\S {2}\S/.test(l.trim()))
          .join(' ');
        // "PHQ-9 on 2026-10-28 (QuestionnaireResponse/q)" gives the date before the reference.
        const prose = table.replace(/\s+/g, ' ').replaceAll(`on ${date} (${ref})`, '');
        assert.doesNotMatch(prose, bare, `${v.id}: ${ref} without its date`);
      }
    }
    const traceAt = text.indexOf('DECISION TRACE');
    const traceLines = text
      .slice(traceAt)
      .replace(/\n {4}(?=\S)/g, ' ')
      .split('\n')
      .slice(2);
    const outcomes = traceLines.map((l) => l.replace(/^ {2}[> ] \d+ \S+: /, '').replace(/ \([^()]+\)$/, ''));
    for (let i = 1; i < outcomes.length; i++) {
      if (outcomes[i] !== '') assert.notEqual(outcomes[i], outcomes[i - 1], `${v.id}: trace line ${i + 1} repeats`);
    }
    const flagged = flat.includes('[U] This result rests on');
    assert.equal(flagged, a.unverified.length > 0, `${v.id}: [U] at the recommendation`);
    assert.ok(!flagged || flat.indexOf('[U] This result') < flat.indexOf('For the patient:'), v.id);
    const seen = new Map<string, number>();
    for (const e of a.treatmentResistance.exposures) seen.set(e.ingredient, (seen.get(e.ingredient) ?? 0) + 1);
    for (const e of a.treatmentResistance.exposures) {
      if ((seen.get(e.ingredient) ?? 0) < 2) continue;
      courses++;
      assert.ok(
        flat.includes(`- ${e.ingredient} from ${e.start ?? '?'} to ${e.end ?? '?'}: `),
        `${v.id}: course dates`,
      );
    }
  }
  assert.ok(courses > 0, 'a vignette has two courses of one ingredient');
});

test('data the assessment could not use is pointed to under the recommendation, as [U] values are', () => {
  const bundle = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', '..', 'examples', 'demo', 'refer-to-trial.json'), 'utf8'),
  ) as { entry: { resource: unknown }[] };
  const report = (): string => {
    const record = bundleToRecord(bundle);
    assert.ok(record.ok);
    return formatAssessmentText(assess(record.value, loadKnowledge(), { asOf: '2026-11-27' })).replace(/\s+/g, ' ');
  };
  assert.doesNotMatch(report(), /data issue/);
  // A quantitative hCG with no interpretation: neither positive nor negative, not used (pathway.pregnancy-test.undecided).
  bundle.entry.push({ resource: UNDECIDED_HCG });
  const flat = report();
  const pointer = flat.indexOf('! The assessment met 1 data issue it could not resolve: see DATA ISSUES.');
  assert.ok(pointer > 0 && pointer < flat.indexOf('For the patient:'), 'under the recommendation');
});
