/**
 * A drug concept without a strength, a Clinical Drug Form ("tocilizumab Injection") or a Branded Drug Form
 * ("tocilizumab Prefilled Syringe [Actemra]"), has no drug_strength row: the OMOP vocabulary places it under its
 * ingredient in concept_ancestor, the table OHDSI analyses roll drugs up to ingredients with. A current exposure to
 * such a form of tocilizumab is the immunosuppressant contraindication, and an allergy to one is the hypersensitivity
 * contraindication, as the FHIR path reads the product's name.
 *
 * Each scenario runs on DuckDB and on PostgreSQL: PGlite in-process by default, the real server when TRD_PG_URL is
 * set (.ci/run starts one).
 */
import assert from 'node:assert/strict';
import {
  dayFromAsOf,
  type assessPersons,
  omopScenario,
  twoReferablePersons,
  populationForFile,
  conceptRow,
  mapsToItself,
  type PersonPair,
} from './fixtures.test-support.ts';

const population = populationForFile(600, 20261203);

const day = dayFromAsOf;

type Two = PersonPair;

/** Two referable persons by OMOP person_id: one on a drug form of tocilizumab, one allergic to one. */
const referablePersons = (): Two => twoReferablePersons(population());

/** Site rows: the two forms under tocilizumab in concept_ancestor, an exposure to one, an allergy to the other. */
function siteRows(t: (table: string) => string, [exposed, allergic]: Two): string[] {
  const ids = { tocilizumab: 2100000301, form: 2100000302, brandedForm: 2100000303, allergyToDrug: 2100000304 };
  return [
    `INSERT INTO ${t('concept')} VALUES
      ${conceptRow(ids.tocilizumab, 'tocilizumab', 'Drug', 'RxNorm', 'Ingredient', '612865')},
      ${conceptRow(ids.form, 'tocilizumab Injection', 'Drug', 'RxNorm', 'Clinical Drug Form', 'synth-toc-inj')},
      ${conceptRow(ids.brandedForm, 'tocilizumab Prefilled Syringe [Actemra]', 'Drug', 'RxNorm', 'Branded Drug Form', 'synth-toc-pfs')},
      ${conceptRow(ids.allergyToDrug, 'Allergy to drug', 'Observation', 'SNOMED', 'Clinical Finding', '416098002')}`,
    `INSERT INTO ${t('concept_relationship')} VALUES ${mapsToItself(Object.values(ids))}`,
    // Each concept is its own ancestor (level 0), as in the OMOP vocabulary; the forms are one and two levels down.
    `INSERT INTO ${t('concept_ancestor')} VALUES (${ids.tocilizumab}, ${ids.tocilizumab}, 0, 0),
      (${ids.form}, ${ids.form}, 0, 0), (${ids.tocilizumab}, ${ids.form}, 1, 1),
      (${ids.brandedForm}, ${ids.brandedForm}, 0, 0), (${ids.tocilizumab}, ${ids.brandedForm}, 2, 2)`,
    `INSERT INTO ${t('drug_exposure')} VALUES (${exposed * 100 + 95}, ${exposed}, ${ids.form}, DATE '${day(-30)}',
      DATE '${day(30)}', 32838, NULL, NULL, '162 mg every week', 'tocilizumab', 0)`,
    `INSERT INTO ${t('observation')} (observation_id, person_id, observation_concept_id, observation_date,
      observation_type_concept_id, value_as_number, value_as_concept_id, unit_concept_id, observation_source_value,
      observation_source_concept_id)
     VALUES (${allergic * 100 + 95}, ${allergic}, ${ids.allergyToDrug}, DATE '${day(-200)}', 32817, NULL,
      ${ids.brandedForm}, 0, 'Actemra syringe', 0)`,
  ];
}

function check(results: Awaited<ReturnType<typeof assessPersons>>, [exposed, allergic]: Two): void {
  assert.deepEqual(
    results.get(exposed)?.contraindications.map((c) => c.code),
    ['immunosuppressant'],
    'a current exposure to a Clinical Drug Form of tocilizumab',
  );
  assert.deepEqual(
    results.get(allergic)?.contraindications.map((c) => c.code),
    ['hypersensitivity'],
    'an allergy to a Branded Drug Form of tocilizumab',
  );
}

omopScenario(
  'a drug form reaches its ingredient through concept_ancestor',
  population,
  referablePersons,
  siteRows,
  check,
);
