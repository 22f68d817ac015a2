/**
 * Writes the synthetic demo patients of examples/demo/ (served by `trd serve` and used by its tests) from the seed
 * vignette: each is the seed patient with one clinically meaningful change, so each shows one path of the decision.
 * Synthetic: invented names, ids and values. Run: `npx tsx scripts/make-demo-patients.ts`. The files are written as
 * prettier formats them (the repository's .prettierrc), so that `npm test`'s format check passes on what the script
 * writes; test/demo-patients.test.ts checks that running it changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Resource {
  resourceType: string;
  id: string;
  [key: string]: unknown;
}
interface Bundle {
  resourceType: 'Bundle';
  type: string;
  entry: { fullUrl?: string; resource: Resource }[];
}

const seed = JSON.parse(readFileSync(join(ROOT, 'examples', 'seed-vignette.json'), 'utf8')) as Bundle;
const AS_OF = '2026-11-27';

/** The seed with every id prefixed and references rewritten, a new name, and `change` applied. */
function variant(
  prefix: string,
  given: string,
  family: string,
  change: (resources: Resource[]) => Resource[],
  gender: 'female' | 'male' = 'female',
): Bundle {
  const text = JSON.stringify(seed.entry.map((e) => e.resource)).replace(/seed-/g, `${prefix}-`);
  const resources = change(JSON.parse(text) as Resource[]);
  const patient = resources.find((r) => r.resourceType === 'Patient');
  if (patient !== undefined) {
    patient.name = [{ family, given: [given] }];
    patient.gender = gender;
  }
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.id}`, resource })),
  };
}

function lab(
  id: string,
  patient: string,
  loinc: string,
  display: string,
  value: number,
  unit: string,
  ucum: string,
  date: string,
): Resource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: loinc, display }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: ucum },
  };
}

const HS_CRP = ['30522-7', 'C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method'] as const;
const ANC = ['751-8', 'Neutrophils [#/volume] in Blood by Automated count'] as const;

const patients: { file: string; title: string; expect: string; bundle: Bundle }[] = [
  {
    file: 'refer-to-trial.json',
    title: 'Ruth Okafor, 45: two adequate trials, hs-CRP 7 mg/L, latent TB screen due',
    expect: 'refer-to-trial',
    bundle: variant('demo-refer', 'Ruth', 'Okafor', (rs) => [
      ...rs,
      lab('demo-refer-hscrp-earlier', 'demo-refer-patient', ...HS_CRP, 4.6, 'mg/L', 'mg/L', '2026-06-12T08:40:00Z'),
      lab('demo-refer-hscrp-2025', 'demo-refer-patient', ...HS_CRP, 5.8, 'mg/L', 'mg/L', '2025-12-02T09:10:00Z'),
      lab('demo-refer-anc-earlier', 'demo-refer-patient', ...ANC, 4.1, '10^9/L', '10*9/L', '2026-06-12T08:40:00Z'),
    ]),
  },
  {
    file: 'neutropenia.json',
    title: 'Daniel Hughes, 45: referral track but ANC 1.5 x10^9/L (neutropenia)',
    expect: 'contraindicated',
    bundle: variant(
      'demo-neutro',
      'Daniel',
      'Hughes',
      (rs) =>
        rs.map((r) =>
          r.id === 'demo-neutro-anc' ? { ...r, valueQuantity: { ...(r.valueQuantity as object), value: 1.5 } } : r,
        ),
      'male',
    ),
  },
  {
    file: 'measure-crp.json',
    title: 'Maria Santos, 45: two adequate trials, no CRP in the last 90 days',
    expect: 'measure-crp',
    bundle: variant('demo-nocrp', 'Maria', 'Santos', (rs) =>
      rs.map((r) => (r.id === 'demo-nocrp-hscrp' ? { ...r, effectiveDateTime: '2026-05-04T10:00:00Z' } : r)),
    ),
  },
  {
    file: 'suicide-risk.json',
    title: 'Tom Becker, 45: referral track, PHQ-9 item 9 answered "more than half the days"',
    expect: 'refer-to-trial with a suicide-risk safety alert',
    bundle: variant(
      'demo-risk',
      'Tom',
      'Becker',
      (rs) =>
        rs.map((r) => {
          if (r.resourceType !== 'QuestionnaireResponse') return r;
          const items = (r.item as { linkId: string; answer: unknown[] }[]).map((item) =>
            item.linkId === '44260-8'
              ? {
                  ...item,
                  answer: [
                    {
                      valueCoding: {
                        extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/ordinalValue', valueDecimal: 2 }],
                        system: 'http://loinc.org',
                        code: 'LA6570-1',
                        display: 'More than half the days',
                      },
                    },
                  ],
                }
              : item,
          );
          return { ...r, item: items };
        }),
      'male',
    ),
  },
  {
    file: 'not-trd.json',
    title: 'Priya Nair, 45: one adequate antidepressant trial only',
    expect: 'not-trd',
    bundle: variant('demo-one', 'Priya', 'Nair', (rs) => rs.filter((r) => r.id !== 'demo-one-escitalopram')),
  },
];

/** Each file of examples/demo/ (path relative to the repository) with its text, formatted as prettier writes it. */
export async function demoPatientFiles(): Promise<Map<string, string>> {
  const index = {
    description: 'Synthetic demo patients (invented people, ids and values), each assessed as of asOf.',
    asOf: AS_OF,
    patients: patients.map((p) => ({
      id: p.file.replace(/\.json$/, ''),
      file: p.file,
      title: p.title,
      expect: p.expect,
    })),
  };
  const files = new Map<string, string>();
  for (const [file, value] of [...patients.map((p) => [p.file, p.bundle] as const), ['index.json', index] as const]) {
    const path = join('examples', 'demo', file);
    const options = (await resolveConfig(join(ROOT, path))) ?? {};
    files.set(path, await format(JSON.stringify(value, null, 2), { ...options, filepath: path }));
  }
  return files;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [path, text] of await demoPatientFiles()) writeFileSync(join(ROOT, path), text);
}
