/**
 * The clinical vignette suite: the golden bundles in test/fixtures/vignettes/ are what scripts/make-vignettes.ts
 * generates, and `trd assess`'s logic (bundleToRecord -> loadKnowledge -> assess) gives, for each, the result fields
 * that docs/care-pathway.md demands (recorded in manifest.json). Expectations come from the spec and the
 * contracts' counting rules, never from running the engine.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bundleToRecord } from '../src/fhir/index.ts';
import { loadKnowledge } from '../src/knowledge/load.ts';
import { CONTRAINDICATION_CODES } from '../src/knowledge/schema-pathway.ts';
import type { Assessment } from '../src/pathway/assessment.ts';
import { assess } from '../src/pathway/index.ts';
import { fieldsFixedBy, normaliseExpected, projectAssessment } from './support/project-assessment.ts';
import type { Expected } from './support/vignettes/index.ts';
import { CLINICAL_1_1_VIGNETTES } from './support/vignettes/catalog-clinical-1-1.ts';
import {
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  renderVignetteFiles,
  VIGNETTE_DIR,
  VIGNETTES,
} from './support/vignettes/index.ts';

const root = join(import.meta.dirname, '..');
const dir = join(root, VIGNETTE_DIR);

interface ManifestEntry {
  readonly id: string;
  readonly file: string;
  readonly asOf: string;
  readonly tests: string;
  readonly expected: Expected;
}

const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as {
  schema: string;
  vignettes: ManifestEntry[];
};
const knowledge = loadKnowledge();
const CLINICAL_IDS = new Set(CLINICAL_1_1_VIGNETTES.map((v) => v.id));

function assessFile(file: string, asOf: string): Assessment {
  const bundle: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const record = bundleToRecord(bundle);
  assert.ok(record.ok, `bundleToRecord failed: ${record.issues.map((i) => i.message).join('; ')}`);
  return assess(record.value, knowledge, { asOf });
}

describe('vignette golden files', () => {
  test('regenerating gives byte-identical files and no file is stale', () => {
    const files = renderVignetteFiles();
    const onDisk = readdirSync(dir).filter((name) => name.endsWith('.json'));
    assert.deepEqual([...onDisk].sort(), [...files.keys()].sort(), 'run: node --import tsx scripts/make-vignettes.ts');
    for (const [name, text] of files) {
      assert.equal(readFileSync(join(dir, name), 'utf8'), text, `${name} is stale: run scripts/make-vignettes.ts`);
    }
  });

  test('every care pathway 1.1 vignette cites the definition it tests', () => {
    const ours = manifest.vignettes.filter((v) => v.file.length > 0 && CLINICAL_IDS.has(v.id));
    assert.ok(ours.length >= 25, `${ours.length} vignettes`);
    for (const v of ours) assert.match(v.expected.cite ?? '', /^(definition \d+a?|Inputs)/, v.id);
  });

  test('the manifest lists every vignette with its as-of date and expected fields', () => {
    assert.equal(manifest.schema, MANIFEST_SCHEMA);
    assert.equal(manifest.vignettes.length, VIGNETTES.length);
    assert.ok(manifest.vignettes.length >= 40);
  });

  test('the suite covers every decision row, inflammation status, contraindication and caution', () => {
    const seen = (pick: (e: Expected) => readonly string[]): Set<string> =>
      new Set(manifest.vignettes.flatMap((v) => pick(v.expected)));
    const recommendations = seen((e) => [e.recommendation]);
    for (const code of [
      'out-of-scope',
      'confirm-history',
      'not-trd',
      'contraindicated',
      'measure-crp',
      'repeat-crp',
      'not-inflamed',
      'refer-to-trial',
    ]) {
      assert.ok(recommendations.has(code), code);
    }
    const statuses = seen((e) => [e.inflammation]);
    for (const status of ['unknown', 'indeterminate', 'acute', 'elevated', 'normal']) assert.ok(statuses.has(status));
    const contraindications = seen((e) => e.contraindications);
    // Every contraindication the pathway can derive has a vignette that shows it.
    for (const code of CONTRAINDICATION_CODES) {
      assert.ok(contraindications.has(code), code);
    }
    const cautions = seen((e) => e.cautions);
    for (const code of [
      'gi-perforation-risk',
      'older-age',
      'recent-live-vaccine',
      'crp-confounding-medication',
      'standard-crp-assay',
      'age-unknown',
      'hbv-exposure',
    ]) {
      assert.ok(cautions.has(code), code);
    }
    const scopes = seen((e) => (e.scope === undefined ? [] : [e.scope]));
    for (const reason of ['in-scope', 'deceased', 'minor', 'bipolar', 'psychotic-disorder', 'no-depression']) {
      assert.ok(scopes.has(reason), reason);
    }
    assert.ok(seen((e) => e.safetyAlerts ?? []).has('suicide-risk'));
    const workup = seen((e) => e.missingWorkup);
    for (const code of ['anc', 'platelets', 'alt', 'ast', 'latent-tb-screen', 'hepatitis-b-serology']) {
      assert.ok(workup.has(code), code);
    }
  });
});

describe('vignettes: trd assess gives the expected result fields', () => {
  for (const v of manifest.vignettes) {
    test(`${v.id}: ${v.tests}`, () => {
      const wanted = normaliseExpected(v.expected);
      assert.deepEqual(fieldsFixedBy(projectAssessment(assessFile(join(dir, v.file), v.asOf)), wanted), wanted);
    });
  }

  test('messages frame IL-6 blockade as trial-only and the patient summary matches the scope reason (pathway 1.1)', () => {
    const advice =
      /\b(start|stop|switch|increase|reduce|begin|discontinue)\b[^.]*\b(tocilizumab|sarilumab|antidepressant|medicine|dose)/i;
    for (const v of manifest.vignettes) {
      const a = assessFile(join(dir, v.file), v.asOf);
      const r = a.recommendation;
      for (const text of [r.title, r.clinicianSummary, r.patientSummary]) {
        assert.doesNotMatch(text, /tocilizumab is (not )?suitable|suitable now/i, v.id);
        assert.doesNotMatch(text.replace(/do not stop it/g, ''), advice, `${v.id}: ${text}`);
      }
      if (a.scope.reason !== 'no-depression') {
        assert.doesNotMatch(r.patientSummary, /do not show a current diagnosis of depression/, v.id);
      }
      if (r.code === 'refer-to-trial') assert.match(r.clinicianSummary, /only within a trial/, v.id);
      if (r.code === 'refer-to-trial' && a.safetyAlerts.length > 0) {
        assert.match(r.clinicianSummary, /^Suicide risk recorded: assess and manage the risk first/, v.id);
      }
    }
  });

  test('the seed vignette (examples/seed-vignette.json): refer-to-trial, 2 adequate trials, hs-CRP 7 elevated', () => {
    const assessment = assessFile(join(root, 'examples/seed-vignette.json'), '2026-11-27');
    const { issuesInclude: _issues, ...projected } = projectAssessment(assessment);
    assert.deepEqual(projected, {
      recommendation: 'refer-to-trial',
      adequateTrials: 2,
      unverifiedTrials: 0,
      inflammation: 'elevated',
      crpMgPerL: 7,
      contraindications: [],
      cautions: [],
      missingWorkup: ['latent-tb-screen'],
      comorbidIl6Disease: [],
      scope: 'in-scope',
      safetyAlerts: [],
    });
    assert.deepEqual(assessment.treatmentResistance.adequateTrials.map((t) => t.ingredient).sort(), [
      'escitalopram',
      'sertraline',
    ]);
    assert.equal(assessment.patient.age, 45);
    // PHQ-9 item 4 "Feeling tired or having little energy" answered 3 of 3 (nearly every day).
    assert.equal(assessment.symptomProfile.domains.fatigue, 1);
  });
});
