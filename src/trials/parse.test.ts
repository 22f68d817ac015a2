import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conceptInCodeSet } from '../knowledge/index.ts';
import { unitDimensionProblem } from '../knowledge/cross-check.ts';
import { LAB_DIMENSIONS } from '../knowledge/schema-codesets.ts';
import { conversionCacheSize, convertQuantity } from '../units/index.ts';
import { displayPath, loadKnowledge } from '../knowledge/load.ts';
import { checkProtocol, parseProtocols } from './parse.ts';
import { addTrialCodeSets } from './trial-knowledge.ts';
import { DEFAULT_TRIALS_DIR, loadProtocols, loadTrials } from './load.ts';
import { trials } from './fixtures.test-support.ts';

const bundled = (name: string): unknown => JSON.parse(readFileSync(`${DEFAULT_TRIALS_DIR}${name}`, 'utf8'));

describe('bundled protocol files', () => {
  it('the three protocols validate and cross-check against the knowledge (citations, code sets)', () => {
    const ids = loadProtocols().map((p) => p.id);
    assert.deepEqual(ids, ['insight', 'nct07052058', 'nct07493317']);
    for (const p of trials.protocols) assert.deepEqual(checkProtocol(p, trials.knowledge), [], p.id);
  });
  it('registry ids are the ones of the registry records (docs/trial-criteria.md)', () => {
    const registry = trials.protocols.flatMap((p) => p.registry.map((r) => `${r.system}:${r.id}`));
    assert.deepEqual(registry, ['ISRCTN:ISRCTN16942542', 'NCT:NCT07052058', 'NCT:NCT07493317']);
  });
  it('INSIGHT keeps its thresholds: age 20-65 inclusive (flagged), BDI-II somatic >= 7, hs-CRP >= 3, antidepressant >= 4 weeks', () => {
    const insight = trials.protocols.find((p) => p.id === 'insight');
    const test = (id: string) => insight?.criteria.find((c) => c.id === id);
    assert.deepEqual(test('insight-in-age')?.test, {
      type: 'age-between',
      minYears: 20,
      maxYears: 65,
      inclusive: true,
    });
    assert.equal(test('insight-in-age')?.verified, false, 'the 20-55 recruitment page is [U]');
    assert.deepEqual(test('insight-in-hscrp')?.test, { type: 'crp-at-least', mgPerL: 3, assay: 'high-sensitivity' });
    assert.deepEqual(test('insight-in-antidepressant')?.test, { type: 'current-adequate-antidepressant', minWeeks: 4 });
    const somatic = test('insight-in-somatic-score')?.test;
    assert.ok(somatic?.type === 'scale-total-at-least');
    assert.equal(somatic.min, 7);
    assert.deepEqual(somatic.scales[0]?.items, [4, 15, 16, 18, 19, 20, 21]);
    assert.equal(test('insight-ex-label-safety')?.verified, false, 'intervention-cohort exclusions are [U]');
  });
  it('every trial code set (and the pathway sets the protocols name) loads with its items and prefixes (F31.3 is bipolar, X61 self-harm)', () => {
    const k = trials.knowledge;
    const files = readdirSync(`${DEFAULT_TRIALS_DIR}codesets`);
    for (const f of files) assert.ok(k.codeSets.has(f.replace(/\.json$/, '')), f);
    assert.equal(k.codeSets.get('shaps-items')?.codes.length, 14);
    const icd = (c: string) => ({ codings: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: c }] });
    assert.ok(conceptInCodeSet(k, 'bipolar-disorder', icd('F31.3')));
    assert.ok(conceptInCodeSet(k, 'self-harm', icd('X61')));
    assert.ok(conceptInCodeSet(k, 'psychotic-disorders', icd('F25.1')));
    assert.ok(
      !conceptInCodeSet(k, 'psychotic-disorders', icd('F32.3')),
      'psychotic depression is not a psychotic disorder',
    );
  });
});

describe('protocol validation problems name file and field', () => {
  it('a wrong threshold type and an unknown test type are both reported', () => {
    const json = structuredClone(bundled('insight.json')) as { criteria: { test: Record<string, unknown> }[] };
    json.criteria[4]!.test['minYears'] = 'twenty';
    json.criteria[5]!.test = { type: 'crp-between' };
    const parsed = parseProtocols([{ path: 'knowledge/trials/insight.json', json }]);
    assert.equal(parsed.ok, false);
    const messages = parsed.issues.map((i) => i.message);
    assert.ok(
      messages.some((m) => m.startsWith('knowledge/trials/insight.json: criteria[4].test.minYears:')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('knowledge/trials/insight.json: criteria[5].test')),
      messages.join('\n'),
    );
  });
  it('a range no value lies in (an age range, appliesTo ages, a safety rule or stratum reversed) is refused', () => {
    type Loose = {
      criteria: { id: string; test: Record<string, unknown>; appliesTo?: Record<string, unknown> }[];
      safety: { rules: { bounds: Record<string, number> }[] };
      stratification: { levels: { mgPerL: Record<string, number> }[] }[];
    };
    const json = structuredClone(bundled('insight.json')) as Loose;
    const at = (id: string): number => json.criteria.findIndex((c) => c.id === id);
    const age = at('insight-in-age');
    const pregnancy = at('insight-ex-pregnancy');
    Object.assign(json.criteria[age]!.test, { minYears: 65, maxYears: 20 });
    Object.assign(json.criteria[pregnancy]!.appliesTo!, { minAgeYears: 60, maxAgeYears: 10 });
    json.safety.rules[0]!.bounds = { atLeast: 1, below: 0.5 };
    json.stratification[0]!.levels[1]!.mgPerL = { above: 3, atMost: 3 };
    const parsed = parseProtocols([{ path: 'knowledge/trials/insight.json', json }]);
    assert.deepEqual(
      parsed.issues.map((i) => i.message).sort(),
      [
        `knowledge/trials/insight.json: criteria[${age}].test.maxYears: no age lies between minYears and maxYears (is the range reversed?)`,
        `knowledge/trials/insight.json: criteria[${pregnancy}].appliesTo.maxAgeYears: minAgeYears is above maxAgeYears: no age lies in the range (is it reversed?)`,
        'knowledge/trials/insight.json: stratification[0].levels[1].mgPerL: no value lies within these bounds (is the range reversed?)',
        'knowledge/trials/insight.json: safety.rules[0].bounds: no value lies within these bounds (is the range reversed?)',
      ].sort(),
    );
    // Exclusive ages 64 and 65 leave no whole year between them; 20-65 inclusive is INSIGHT's.
    const exclusive = structuredClone(bundled('insight.json')) as Loose;
    Object.assign(exclusive.criteria[age]!.test, { minYears: 64, maxYears: 65, inclusive: false });
    assert.equal(parseProtocols([{ path: 'p.json', json: exclusive }]).ok, false);
    assert.ok(parseProtocols([{ path: 'p.json', json: bundled('insight.json') }]).ok);
  });
  it('a new protocol file with the registry id of another (a copy edited under a new id) is refused', () => {
    const copy = structuredClone(bundled('nct07052058.json')) as { id: string };
    copy.id = 'nct07052058-amended';
    const parsed = parseProtocols([
      { path: 'knowledge/trials/nct07052058.json', json: bundled('nct07052058.json') },
      { path: 'knowledge/trials/nct07052058-amended.json', json: copy },
    ]);
    assert.deepEqual(
      parsed.issues.map((i) => i.message),
      [
        'knowledge/trials/nct07052058-amended.json: registry[0].id: NCT NCT07052058 is also the registry id of knowledge/trials/nct07052058.json (one protocol file per trial: edit that file, or correct the id)',
        // Its criterion ids still begin with the old protocol id, which IETESTCD then keeps: two of them collide.
        `knowledge/trials/nct07052058-amended.json: criteria[14].id: "nct07052058-ex-pregnancy" and "nct07052058-ex-personality" give one SDTM IETESTCD EXNCEXPR (made from the id's words after the protocol id and in/ex); rename one id so that its words differ`,
      ],
    );
  });
  it('duplicate criterion ids and silence-counts on an inclusion are rejected', () => {
    const json = structuredClone(bundled('nct07052058.json')) as { criteria: Record<string, unknown>[] };
    json.criteria[1]!['id'] = json.criteria[0]!['id'];
    json.criteria[2]!['absentIfNotRecorded'] = true;
    const parsed = parseProtocols([{ path: 'p.json', json }]);
    const codes = parsed.issues.map((i) => i.code);
    assert.deepEqual(codes.sort(), ['trials.criterion.duplicate', 'trials.criterion.invalid']);
  });
  it('two criteria that would get one SDTM IETESTCD are refused when the protocol loads, naming both', () => {
    const json = structuredClone(bundled('insight.json')) as { criteria: { id: string; kind: string }[] };
    const exclusions = json.criteria.flatMap((c, i) => (c.kind === 'exclusion' ? [i] : []));
    // insight-ex-recent-infection is EXRCNINF; insight-ex-recant-infection has the same consonants.
    const [first, second] = [exclusions[0]!, exclusions[1]!];
    json.criteria[first]!.id = 'insight-ex-recent-infection-x';
    json.criteria[second]!.id = 'insight-ex-recant-infection-x';
    const parsed = parseProtocols([{ path: 'p.json', json }]);
    assert.deepEqual(
      parsed.issues.map((i) => [i.code, i.message]),
      [
        [
          'trials.criterion.duplicate',
          `p.json: criteria[${second}].id: "insight-ex-recant-infection-x" and "insight-ex-recent-infection-x" give one SDTM IETESTCD EXRCNINX (made from the id's words after the protocol id and in/ex); rename one id so that its words differ`,
        ],
      ],
    );
  });
  it('two criteria that would get one SDTM IETEST are refused when the protocol loads, naming both and the field', () => {
    type Loose = { criteria: { id: string; text: string; registryText: string | null }[] };
    const json = structuredClone(bundled('nct07052058.json')) as Loose;
    const at = (id: string): number => json.criteria.findIndex((c) => c.id === id);
    // Two criteria the registry does not state alone are named by their text: a copied text names both.
    const [first, second] = [at('nct07052058-ex-bmi'), at('nct07052058-ex-weight')];
    assert.ok(first < second);
    json.criteria[second]!.text = json.criteria[first]!.text;
    const parsed = parseProtocols([{ path: 'p.json', json }]);
    assert.deepEqual(
      parsed.issues.map((i) => [i.code, i.message]),
      [
        [
          'trials.criterion.duplicate',
          `p.json: criteria[${second}].text: "nct07052058-ex-weight" and "nct07052058-ex-bmi" give one SDTM IETEST "${json.criteria[first]!.text}" (the registry's wording, or the text when the registry does not state the criterion alone, within 200 characters); make their text differ`,
        ],
      ],
    );
    // A text that is another criterion's registry wording (its IETEST, the registry stating it alone) names it too.
    const other = structuredClone(bundled('nct07052058.json')) as Loose;
    const age = at('nct07052058-in-age');
    assert.ok(other.criteria[age]!.registryText !== null && age < second);
    other.criteria[second]!.text = other.criteria[age]!.registryText!;
    assert.deepEqual(
      parseProtocols([{ path: 'p.json', json: other }]).issues.map((i) => i.message.split(':').slice(0, 2).join(':')),
      [`p.json: criteria[${second}].text`],
    );
    for (const name of ['insight.json', 'nct07052058.json', 'nct07493317.json']) {
      assert.ok(parseProtocols([{ path: name, json: bundled(name) }]).ok, name);
    }
  });
  it('an unknown code set or citation key fails the cross-check', () => {
    const parsed = parseProtocols([{ path: 'p.json', json: bundled('insight.json') }]);
    assert.ok(parsed.ok);
    const protocol = structuredClone(parsed.value[0]!);
    protocol.criteria[9] = {
      ...protocol.criteria[9]!,
      citation: 'no-such-citation',
      test: { type: 'no-condition-in', codeSet: 'no-such-set' },
    };
    const issues = checkProtocol(protocol, trials.knowledge, 'insight.json');
    assert.deepEqual(
      issues.map((i) => i.message),
      [
        'insight.json: criteria[9].citation: unknown citation "no-such-citation"',
        'insight.json: criteria[9].test.codeSet: unknown code set "no-such-set"',
      ],
    );
  });
  it('loading: a criterion naming an unknown code set or citation is refused naming its file, not the protocol id', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'trd-trials-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(DEFAULT_TRIALS_DIR, dir, { recursive: true });
    const file = join(dir, 'nct07493317.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { criteria: { citation: string; test: object }[] };
    json.criteria[0]!.citation = 'no-such-citation';
    json.criteria[2]!.test = { ...json.criteria[2]!.test, codeSet: 'monocyte' };
    writeFileSync(file, JSON.stringify(json));
    const shown = displayPath(file);
    assert.throws(
      () => loadTrials(loadKnowledge(), dir),
      (e: Error) =>
        e.message ===
        `${shown}: criteria[0].citation: unknown citation "no-such-citation"\n${shown}: criteria[2].test.codeSet: unknown code set "monocyte"`,
    );
  });
  it('loading: every protocol file that is not JSON is named (with the position), none with its text', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'trd-trials-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(DEFAULT_TRIALS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'insight.json'), '{"schema": "precision-trd/trial-protocol@1",');
    writeFileSync(join(dir, 'nct07052058.json'), '{"id": nct}');
    // Outside the working directory a file is named by its absolute path, never by ../../..
    assert.equal(displayPath(join(dir, 'insight.json')), join(dir, 'insight.json'));
    assert.throws(
      () => loadProtocols(dir),
      (e: Error) =>
        e.message ===
        [
          `${join(dir, 'insight.json')}: (file): not valid JSON: malformed string, number or separator at position 44 (line 1, column 45)`,
          `${join(dir, 'nct07052058.json')}: (file): not valid JSON: unexpected character at position 7 (line 1, column 8)`,
        ].join('\n'),
    );
  });
  it('a criterion, or its appliesTo, marked verified on a U-tagged source is refused (as in every knowledge file)', () => {
    const parsed = parseProtocols([{ path: 'p.json', json: bundled('insight.json') }]);
    assert.ok(parsed.ok);
    const protocol = structuredClone(parsed.value[0]!);
    const at = (id: string): number => protocol.criteria.findIndex((c) => c.id === id);
    const [hscrp, pregnancy] = [at('insight-in-hscrp'), at('insight-ex-pregnancy')];
    assert.equal(trials.knowledge.citations.get('crp-molar-factor')?.tag, 'U');
    protocol.criteria[hscrp] = { ...protocol.criteria[hscrp]!, citation: 'crp-molar-factor', verified: true };
    const appliesTo = protocol.criteria[pregnancy]!.appliesTo!;
    protocol.criteria[pregnancy]!.appliesTo = { ...appliesTo, citation: 'crp-molar-factor', verified: true };
    assert.deepEqual(
      checkProtocol(protocol, trials.knowledge, 'insight.json').map((i) => `${i.code} ${i.message}`),
      [
        `knowledge.citation.unverified-source insight.json: criteria[${hscrp}].citation: marked verified but its citation "crp-molar-factor" is tagged U`,
        `knowledge.citation.unverified-source insight.json: criteria[${pregnancy}].appliesTo.citation: marked verified but its citation "crp-molar-factor" is tagged U`,
      ],
    );
    // Unverified, the same citation is what [U] values cite.
    protocol.criteria[hscrp] = { ...protocol.criteria[hscrp]!, verified: false };
    protocol.criteria[pregnancy]!.appliesTo = { ...appliesTo, citation: 'crp-molar-factor', verified: false };
    assert.deepEqual(checkProtocol(protocol, trials.knowledge, 'insight.json'), []);
  });
  it('a lab or measurement criterion whose unit is not UCUM (cells/uL, kg/m^2) is refused: no result could convert', () => {
    const json = bundled('nct07493317.json') as { criteria: { id: string; test: Record<string, unknown> }[] };
    const i = json.criteria.findIndex((c) => c.id === 'nct07493317-in-monocytes');
    const withUnit = (unit: string) => {
      const copy = structuredClone(json);
      copy.criteria[i]!.test.unit = unit;
      return parseProtocols([{ path: 'nct07493317.json', json: copy }]);
    };
    const refused = withUnit('cells/uL');
    assert.ok(!refused.ok);
    assert.deepEqual(
      refused.issues.map((x) => x.message),
      [
        `nct07493317.json: criteria[${i}].test.unit: "cells/uL" is not a UCUM unit (results are converted to it; write it as UCUM, e.g. /uL, 10*9/L, kg/m2)`,
      ],
    );
    assert.ok(withUnit('/mm3').ok);
  });
  it('a lab or measurement criterion, or a safety rule, whose unit is of another dimension (a CRP in 10*9/L, a weight in mg/L) is refused', () => {
    const parse = (name: string) => {
      const parsed = parseProtocols([{ path: name, json: bundled(name) }]);
      assert.ok(parsed.ok);
      return structuredClone(parsed.value[0]!);
    };
    const brazil = parse('nct07052058.json');
    const at = (id: string): number => brazil.criteria.findIndex((c) => c.id === id);
    const [weight, bmi] = [at('nct07052058-ex-weight'), at('nct07052058-ex-bmi')];
    assert.ok(bmi < weight);
    const asUnit = (i: number, unit: string, codeSet?: string): void => {
      const t = brazil.criteria[i]!.test;
      assert.ok(t.type === 'measurement-at-most');
      brazil.criteria[i]!.test = { ...t, unit, ...(codeSet !== undefined && { codeSet }) };
    };
    asUnit(weight, 'mg/L');
    asUnit(bmi, '10*9/L', 'crp');
    assert.deepEqual(
      checkProtocol(brazil, trials.knowledge, 'nct07052058.json').map((i) => `${i.code} ${i.message}`),
      [
        `trials.criterion.invalid nct07052058.json: criteria[${bmi}].test.unit: "10*9/L" is not a unit of what code set "crp" measures (a mass concentration, e.g. mg/L; a substance concentration, e.g. nmol/L): no result could be converted to it`,
        `trials.criterion.invalid nct07052058.json: criteria[${weight}].test.unit: "mg/L" is not a unit of what code set "body-weight" measures (a body mass, e.g. kg): no result could be converted to it`,
      ],
    );
    // Units of the same dimension load: pounds, /mm3 for monocytes.
    asUnit(weight, '[lb_av]', 'body-weight');
    asUnit(bmi, 'kg/m2', 'body-mass-index');
    assert.deepEqual(checkProtocol(brazil, trials.knowledge, 'nct07052058.json'), []);
    const insight = parse('insight.json');
    const rule = insight.safety!.rules.findIndex((r) => r.analyte === 'anc' && r.measure === 'value');
    insight.safety!.rules[rule] = { ...insight.safety!.rules[rule]!, unit: 'U/L' };
    assert.deepEqual(
      checkProtocol(insight, trials.knowledge, 'insight.json').map((i) => `${i.code} ${i.message}`),
      [
        `trials.conduct.invalid insight.json: safety.rules[${rule}].unit: anc: "U/L" is not a unit of what code set "anc" measures (a number concentration (cells), e.g. 10*9/L): no result could be converted to it`,
      ],
    );
  });
  it('a scale criterion on an item its item code set does not number (BDI-II item 22, SHAPS of 15 items) is refused', () => {
    const parse = (name: string) => {
      const parsed = parseProtocols([{ path: name, json: bundled(name) }]);
      assert.ok(parsed.ok);
      return structuredClone(parsed.value[0]!);
    };
    const insight = parse('insight.json');
    const somatic = insight.criteria.findIndex((c) => c.id === 'insight-in-somatic-score');
    const t = insight.criteria[somatic]!.test;
    assert.ok(t.type === 'scale-total-at-least');
    insight.criteria[somatic]!.test = { ...t, scales: [{ ...t.scales[0]!, items: [4, 15, 22] }] };
    const sinai = parse('nct07493317.json');
    const shaps = sinai.criteria.findIndex((c) => c.id === 'nct07493317-in-shaps');
    const s = sinai.criteria[shaps]!.test;
    assert.ok(s.type === 'scale-total-at-least');
    sinai.criteria[shaps]!.test = { ...s, scales: [{ ...s.scales[0]!, itemCount: 15 }] };
    assert.deepEqual(
      [
        ...checkProtocol(insight, trials.knowledge, 'insight.json'),
        ...checkProtocol(sinai, trials.knowledge, 's.json'),
      ].map((i) => `${i.code} ${i.message}`),
      [
        `trials.criterion.invalid insight.json: criteria[${somatic}].test.scales[0].items: BDI-II item 22 not numbered by any code of code set "bdi2-items" (its entries' \`item\`): the sum could never be read`,
        `trials.criterion.invalid s.json: criteria[${shaps}].test.scales[0].itemCount: SHAPS item 15 not numbered by any code of code set "shaps-items" (its entries' \`item\`): the sum could never be read`,
      ],
    );
  });
  it("each dimension's units recognised without UCUM are ones UCUM converts its unit to; the bundled units need no UCUM", () => {
    // The monocyte limit in /uL is checked without loading UCUM's tables (no conversion is computed).
    const monocytes = trials.knowledge.codeSets.get('monocytes');
    assert.ok(monocytes !== undefined);
    const before = conversionCacheSize();
    assert.equal(unitDimensionProblem(monocytes, '/mm3'), undefined);
    assert.equal(conversionCacheSize(), before);
    for (const [dimension, { unit, also }] of Object.entries(LAB_DIMENSIONS)) {
      for (const other of also ?? []) {
        assert.ok(unit !== undefined && convertQuantity({ value: 1, ucum: unit }, other).ok, `${dimension}: ${other}`);
      }
    }
  });
  it('a criterion on a code set whose entries give no dimension is refused: its unit cannot be checked', () => {
    const parsed = parseProtocols([{ path: 'p.json', json: bundled('nct07052058.json') }]);
    assert.ok(parsed.ok);
    const protocol = structuredClone(parsed.value[0]!);
    const i = protocol.criteria.findIndex((c) => c.id === 'nct07052058-ex-weight');
    const t = protocol.criteria[i]!.test;
    assert.ok(t.type === 'measurement-at-most');
    protocol.criteria[i]!.test = { ...t, codeSet: 'depression' };
    assert.deepEqual(
      checkProtocol(protocol, trials.knowledge, 'p.json').map((x) => x.message),
      [
        `p.json: criteria[${i}].test.unit: code set "depression" gives no dimension for its results (\`dimension\` on its entries), so the unit "kg" cannot be checked`,
      ],
    );
  });
  it('trial code sets: an entry marked verified on a U-tagged source, or an unknown citation, is refused as in knowledge/codesets', () => {
    const k = loadKnowledge();
    const antibiotics = bundled('codesets/antibiotics.json') as {
      citations: string[];
      codes: Record<string, unknown>[];
    };
    antibiotics.codes[0] = { ...antibiotics.codes[0], verified: true, citation: 'crp-molar-factor' };
    antibiotics.citations.push('no-such-citation');
    const result = addTrialCodeSets(k, [{ path: 'knowledge/trials/codesets/antibiotics.json', json: antibiotics }]);
    assert.deepEqual(result.ok ? [] : result.issues.map((i) => `${i.code} ${i.message}`), [
      'knowledge.citation.unknown knowledge/trials/codesets/antibiotics.json: citations[1]: unknown citation "no-such-citation" (add it to knowledge/citations.json)',
      'knowledge.citation.unverified-source knowledge/trials/codesets/antibiotics.json: codes[0].citation: marked verified but its citation "crp-molar-factor" is tagged U',
    ]);
  });
  it('trial code sets: a different set under a taken id is an error, an identical one is skipped', () => {
    const k = loadKnowledge();
    const nsaids = k.codeSets.get('nsaids');
    assert.ok(addTrialCodeSets(k, [{ path: 'same/nsaids.json', json: structuredClone(nsaids) }]).ok);
    const changed = { ...structuredClone(nsaids), title: 'Other' };
    const result = addTrialCodeSets(k, [{ path: 'clash/nsaids.json', json: changed }]);
    assert.equal(result.ok, false);
    assert.match(result.issues[0]?.message ?? '', /^clash\/nsaids.json: id: code set "nsaids" is already defined/);
    // A trial code set's id is its file's name, as in knowledge/codesets/.
    const renamed = addTrialCodeSets(k, [
      { path: 'codesets/antibiotic.json', json: { ...changed, id: 'antibiotics' } },
    ]);
    assert.match(
      renamed.ok ? '' : (renamed.issues[0]?.message ?? ''),
      /^codesets\/antibiotic.json: id: "antibiotics" is not the file's name "antibiotic"/,
    );
  });
});
