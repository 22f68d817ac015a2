/**
 * The bundled data against the cited sources (knowledge/citations.json), typed here independently of the JSON so that an edit to the data
 * that drifts from the reference fails a test.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { matchCoding, resolveAntidepressant } from './lookup.ts';
import { loadKnowledge } from './load.ts';

const k = loadKnowledge();
const RX = 'http://www.nlm.nih.gov/research/umls/rxnorm';
const ATC = 'http://www.whocc.no/atc';

// reference section 4.5, docs/README.md: lower bound of the usual therapeutic dose (mg/day), verified flag.
const MIN_DOSE: Record<string, [number, boolean]> = {
  citalopram: [20, true],
  escitalopram: [10, true],
  fluoxetine: [20, true],
  paroxetine: [20, true],
  sertraline: [50, true],
  fluvoxamine: [50, true],
  venlafaxine: [75, true],
  desvenlafaxine: [50, true],
  duloxetine: [60, true],
  levomilnacipran: [40, true],
  mirtazapine: [15, true],
  bupropion: [300, true],
  vortioxetine: [10, true],
  vilazodone: [20, true],
  agomelatine: [25, true],
  amitriptyline: [100, true],
  clomipramine: [100, true],
  imipramine: [100, true],
  desipramine: [100, true],
  nortriptyline: [75, true],
  phenelzine: [30, true],
  tranylcypromine: [20, true],
  moclobemide: [300, false],
};

// reference section 7.4, docs/README.md: ingredient RxCUIs and whether they are verified ([V]/[V-sec] vs [U]).
const RXCUI: Record<string, [string, boolean]> = {
  fluoxetine: ['4493', true],
  sertraline: ['36437', true],
  citalopram: ['2556', true],
  escitalopram: ['321988', true],
  paroxetine: ['32937', true],
  fluvoxamine: ['42355', true],
  venlafaxine: ['39786', true],
  duloxetine: ['72625', true],
  mirtazapine: ['15996', true],
  bupropion: ['42347', true],
  vortioxetine: ['1455099', true],
  vilazodone: ['1040030', true],
  esketamine: ['2284670', true],
  amitriptyline: ['704', true],
  nortriptyline: ['7531', true],
  imipramine: ['5691', true],
  clomipramine: ['2597', true],
  desipramine: ['3247', true],
  doxepin: ['3638', true],
  trimipramine: ['10834', true],
  desvenlafaxine: ['734064', false],
  phenelzine: ['8123', false],
  tranylcypromine: ['10734', false],
  trazodone: ['10737', false],
};

// reference section 7.5, docs/README.md ATC (desipramine N06AA01 is [U] in 4.5).
const ATC_CODES: Record<string, string> = {
  fluoxetine: 'N06AB03',
  citalopram: 'N06AB04',
  paroxetine: 'N06AB05',
  sertraline: 'N06AB06',
  fluvoxamine: 'N06AB08',
  escitalopram: 'N06AB10',
  imipramine: 'N06AA02',
  clomipramine: 'N06AA04',
  amitriptyline: 'N06AA09',
  nortriptyline: 'N06AA10',
  doxepin: 'N06AA12',
  phenelzine: 'N06AF03',
  tranylcypromine: 'N06AF04',
  moclobemide: 'N06AG02',
  mianserin: 'N06AX03',
  trazodone: 'N06AX05',
  mirtazapine: 'N06AX11',
  bupropion: 'N06AX12',
  venlafaxine: 'N06AX16',
  milnacipran: 'N06AX17',
  duloxetine: 'N06AX21',
  agomelatine: 'N06AX22',
  desvenlafaxine: 'N06AX23',
  vilazodone: 'N06AX24',
  vortioxetine: 'N06AX26',
  esketamine: 'N06AX27',
};

test('minimum adequate daily doses match reference section 4.5, docs/README.md', () => {
  const table = new Map(k.antidepressants.ingredients.map((i) => [i.ingredient, i]));
  assert.deepEqual([...table.keys()].sort(), Object.keys(MIN_DOSE).sort());
  for (const [ingredient, [mg, verified]] of Object.entries(MIN_DOSE)) {
    const row = table.get(ingredient);
    assert.equal(row?.minDailyDoseMg, mg, ingredient);
    assert.equal(row?.minDailyDoseVerified, verified, `${ingredient} verified flag`);
  }
  // The [U] adequacy notes travel with the rows they qualify.
  for (const ingredient of ['fluvoxamine', 'phenelzine', 'tranylcypromine']) {
    assert.match(table.get(ingredient)?.note ?? '', /\[U\]/, ingredient);
  }
});

test('ingredient RxCUIs and ATC codes match reference sections 7.4 and 7.5 (docs/README.md) with their verified flags', () => {
  const rows = [...k.antidepressants.ingredients, ...k.antidepressants.otherIngredients];
  for (const [ingredient, [rxcui, verified]] of Object.entries(RXCUI)) {
    const code = rows.find((r) => r.ingredient === ingredient)?.codes.find((c) => c.system === RX);
    assert.equal(code?.code, rxcui, ingredient);
    assert.equal(code?.verified, verified, `${ingredient} RxCUI verified flag`);
  }
  for (const [ingredient, atc] of Object.entries(ATC_CODES)) {
    const code = rows.find((r) => r.ingredient === ingredient)?.codes.find((c) => c.system === ATC);
    assert.equal(code?.code, atc, ingredient);
  }
});

test('[U] values (docs/README.md) are unverified in the data', () => {
  const code = (setId: string, system: string, value: string) =>
    k.codeSets.get(setId)?.codes.find((c) => c.system === system && c.code === value);
  assert.equal(code('tocilizumab', RX, '612865')?.verified, false, 'tocilizumab RxCUI 612865 is [U]');
  assert.equal(code('tocilizumab', ATC, 'L04AC07')?.verified, true, 'tocilizumab ATC is [V]');
  assert.equal(code('platelets', 'http://loinc.org', '26515-7')?.verified, false);
  assert.equal(code('platelets', 'http://loinc.org', '777-3')?.verified, true);
  assert.equal(code('depression', 'http://snomed.info/sct', '370143000')?.verified, true);
  assert.equal(code('depression', 'http://snomed.info/sct', '36923009')?.verified, false);
  for (const id of ['madrs-total', 'bdi2-total', 'hamd17-total', 'shaps-total', 'chalder-fatigue-total']) {
    assert.ok(
      k.codeSets.get(id)?.codes.every((c) => !c.verified),
      `${id}: no LOINC code was found, local codes are [U]`,
    );
  }
  for (const id of ['infection-active', 'live-vaccines']) {
    assert.ok(
      k.codeSets.get(id)?.codes.every((c) => !c.verified),
      `${id}: code selection is best knowledge`,
    );
  }
});

test('every entry cites an existing citation, and every citation names a section and a tag', () => {
  const keys: string[] = [];
  for (const set of k.codeSets.values()) keys.push(...set.citations, ...set.codes.map((c) => c.citation));
  const t = k.antidepressants;
  keys.push(...t.citations, ...t.products.map((p) => p.citation));
  for (const row of [...t.ingredients, ...t.otherIngredients]) keys.push(...row.codes.map((c) => c.citation));
  keys.push(...t.ingredients.map((row) => row.minDailyDoseCitation));
  for (const key of keys) assert.ok(k.citations.has(key), `citation "${key}" exists`);
  for (const [key, c] of k.citations) {
    assert.ok(c.section.length > 0 && ['V', 'V-sec', 'U'].includes(c.tag), key);
  }
});

test('every code set named in the contracts exists and is non-empty', () => {
  const required = [
    'depression',
    'depression-remission',
    'crp',
    'il6',
    'anc',
    'platelets',
    'alt',
    'ast',
    'wbc',
    'monocytes',
    'hbsag',
    'anti-hbc',
    'igra',
    'phq9-total',
    'phq9-panel',
    'phq9-items',
    'gad7-total',
    'gad7-panel',
    'madrs-total',
    'madrs-items',
    'bdi2-total',
    'bdi2-items',
    'shaps-total',
    'chalder-fatigue-total',
    'hamd17-total',
    'infection-active',
    'tuberculosis-active',
    'tuberculosis-latent',
    'tuberculosis-treatment',
    'hepatitis',
    'immunodeficiency',
    'pregnancy',
    'breastfeeding',
    'pregnancy-test',
    'tocilizumab',
    'biologic-immunosuppressants',
    'diverticulitis',
    'gi-perforation',
    'live-vaccines',
    'nsaids',
    'systemic-corticosteroids',
    'rheumatoid-arthritis',
    'giant-cell-arteritis',
    'augmentation-agents',
    'ect',
  ];
  for (const id of required) assert.ok((k.codeSets.get(id)?.codes.length ?? 0) > 0, id);
  assert.equal(k.codeSets.get('madrs-items')?.codes.length, 10);
  assert.equal(k.codeSets.get('bdi2-items')?.codes.length, 21);
});

test('every code of every set finds itself, and every clinical drug resolves to its ingredient and strength', () => {
  for (const set of k.codeSets.values()) {
    for (const entry of set.codes) {
      const found = matchCoding(k, set.id, { system: entry.system, code: entry.code });
      assert.equal(found?.entry, entry, `${set.id}: ${entry.system}|${entry.code}`);
    }
  }
  for (const product of k.antidepressants.products) {
    const found = resolveAntidepressant(k, { codings: [{ system: product.system, code: product.code }] });
    assert.equal(found?.ingredient, product.ingredient, product.display);
    assert.equal(found?.strengthMg, product.strengthMg, product.display);
    // The strength in the display agrees with strengthMg (guards against a mistyped row).
    assert.match(
      product.display,
      new RegExp(`\\b${String(product.strengthMg).replace('.', '\\.')} MG\\b`),
      product.display,
    );
  }
});

test("docs/care-pathway.md 'Unverified values' names every value the pathway file marks verified: false", () => {
  const doc = readFileSync(new URL('../../docs/care-pathway.md', import.meta.url), 'utf8');
  const section = /## Unverified values in version[^\n]*\n([\s\S]*?)(?:\n## |$)/.exec(doc)?.[1]?.replace(/\s+/g, ' ');
  assert.ok(section !== undefined, 'the section exists');
  // Field path (as walked below) -> the words the section uses for it.
  const named: [RegExp, string][] = [
    [/suicideRisk\.items\[\d+\]\.questionTexts$/, 'suicidal-thoughts question texts'],
    [/suicideRisk\.items\[\d+\]\.atLeast$/, 'MADRS item 10 cut-off'],
    [/openEndedWindowDays$/, 'stale-order window'],
    [/biologicWashout/, 'biologic washouts'],
    [/nonSystemicRoutes$/, 'words that say a medicine is not systemic'],
    [/separateTrialDays$/, 'must run alone to count as a separate trial'],
    [/molarFactor$/, 'CRP molar factor'],
    [/tocilizumabSuppressionDays$/, 'tocilizumab CRP suppression'],
    [/infectionRecoveryDays$/, 'post-infection CRP window'],
    [/symptoms\.instruments\[\d+\]$/, 'symptom item-to-domain mapping'],
    [/plausibility\./, 'plausibility limits'],
    [/statuslessConditions/, 'recorded without a status or end'],
    [/unitLabels$/, 'unit labels'],
    [/minRunningDays$/, 'running course for latent TB'],
    [/defaultUln\.(alt|ast)$/, 'default ULN of ALT and AST'],
    [/testWindowDays$/, 'pregnancy-test window'],
    [/il6BlockerBrandNames\[\d+\]$/, 'IL-6 blocker brand names'],
    [/cautions\[\d+\]\.windowDays$/, 'live-vaccine window'],
  ];
  const unverified: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (o['verified'] === false) unverified.push(path);
      for (const [key, value] of Object.entries(o)) walk(value, `${path}.${key}`);
    }
  };
  walk(k.pathway, '');
  assert.ok(unverified.length > 20);
  for (const path of unverified) {
    const words = named.find(([pattern]) => pattern.test(path))?.[1];
    assert.ok(words !== undefined, `${path} is unverified: name it in the section and here`);
    assert.ok(section.includes(words), `docs/care-pathway.md 'Unverified values' does not name ${path} ("${words}")`);
  }
});
