import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { displayPath } from '../knowledge/load.ts';
import { loadInstruments } from '../instruments/load.ts';
import { loadKnowledge } from '../knowledge/load.ts';
import { loadTrials } from '../trials/load.ts';
import { assessLab, gradeLab, type LabReading } from './index.ts';
import { loadCtcae } from './load.ts';

const ctcae = loadCtcae('5.0');
const insight = loadTrials(loadKnowledge()).protocols.find((p) => p.id === 'insight');
const rules = insight?.safety?.rules ?? [];

const reading = (r: Partial<LabReading> & Pick<LabReading, 'analyte' | 'value' | 'unit'>): LabReading => ({
  upperLimitOfNormal: null,
  lowerLimitOfNormal: null,
  baselineValue: null,
  ...r,
});

test('CTCAE v5.0 neutrophil count decreased: band edges read as the CTCAE text (<1.5-1.0 is 1.0 <= x < 1.5)', () => {
  const g = (value: number, lln: number | null = 2.0) =>
    gradeLab(ctcae, reading({ analyte: 'anc', value, unit: '10*9/L', lowerLimitOfNormal: lln })).grade;
  assert.equal(g(2.5), 0);
  assert.equal(g(1.8), 1);
  assert.equal(g(1.5), 1);
  assert.equal(g(1.49), 2);
  assert.equal(g(1.0), 2);
  assert.equal(g(0.99), 3);
  assert.equal(g(0.8), 3);
  assert.equal(g(0.5), 3);
  assert.equal(g(0.49), 4);
  assert.equal(g(1.8, null), null, 'grade 0 or 1 needs the LLN');
  assert.equal(g(0.8, null), 3, 'grades 2-4 do not need the LLN');
});

test('CTCAE v5.0: counts in /uL and 10*3/uL convert; an unknown unit is not guessed', () => {
  assert.equal(gradeLab(ctcae, reading({ analyte: 'anc', value: 800, unit: '/uL' })).grade, 3);
  assert.equal(gradeLab(ctcae, reading({ analyte: 'platelets', value: 60, unit: '10*3/uL' })).grade, 2);
  const bad = gradeLab(ctcae, reading({ analyte: 'platelets', value: 60, unit: 'mg/dL' }));
  assert.equal(bad.grade, null);
  assert.equal(bad.issues[0]?.code, 'safety.lab.unit');
});

test('CTCAE v5.0 platelets and ALT/AST (normal and abnormal baseline)', () => {
  const plt = (value: number) =>
    gradeLab(ctcae, reading({ analyte: 'platelets', value, unit: '10*9/L', lowerLimitOfNormal: 150 })).grade;
  assert.deepEqual([200, 120, 75, 74, 50, 49, 25, 24].map(plt), [0, 1, 1, 2, 2, 3, 3, 4]);
  const alt = (value: number, baselineValue: number | null = null) =>
    gradeLab(ctcae, reading({ analyte: 'alt', value, unit: 'U/L', upperLimitOfNormal: 40, baselineValue })).grade;
  assert.deepEqual(
    [40, 41, 120, 121, 200, 201, 800, 801].map((v) => alt(v)),
    [0, 1, 1, 2, 2, 3, 3, 4],
  );
  // Baseline 80 U/L (2 x ULN): grades by multiples of baseline.
  assert.equal(alt(100, 80), 0);
  assert.equal(alt(120, 80), 1);
  assert.equal(alt(250, 80), 2);
  // A baseline of 45 U/L reported by a laboratory whose ULN is 50 was normal, though above this result's ULN of 40
  // (another laboratory): 130 U/L is 3.25 x ULN, grade 2, not 2.9 x an abnormal baseline, grade 1.
  const otherLab = (baselineUpperLimitOfNormal: number | null) =>
    gradeLab(
      ctcae,
      reading({
        analyte: 'alt',
        value: 130,
        unit: 'U/L',
        upperLimitOfNormal: 40,
        baselineValue: 45,
        baselineUpperLimitOfNormal,
      }),
    ).grade;
  assert.deepEqual([otherLab(50), otherLab(null)], [2, 1], "the baseline's own ULN, else this result's");
  // A baseline in another unit of the same kind is converted (UCUM): 1.2 ukat/L with a ULN of 0.6 ukat/L is 72 U/L
  // against 36, an abnormal baseline, so 130 U/L is 1.8 x baseline (grade 1), not 3.25 x ULN (grade 2).
  const inUnit = (baselineUnit: string) =>
    gradeLab(
      ctcae,
      reading({
        analyte: 'alt',
        value: 130,
        unit: 'U/L',
        upperLimitOfNormal: 40,
        baselineValue: 1.2,
        baselineUpperLimitOfNormal: 0.6,
        baselineUnit,
      }),
    );
  assert.equal(inUnit('ukat/L').grade, 1);
  // One that does not convert leaves the basis unknown: no grade, an issue saying why, never the ULN's grade.
  const unconvertible = inUnit('10*9/L');
  assert.equal(unconvertible.grade, null);
  assert.equal(unconvertible.issues[0]?.code, 'safety.lab.baseline-unit');
  assert.match(unconvertible.issues[0]?.message ?? '', /the baseline 1\.2 10\*9\/L cannot be converted to U\/L/);
  const noUln = gradeLab(ctcae, reading({ analyte: 'ast', value: 100, unit: 'U/L' }));
  assert.equal(noUln.grade, null);
  assert.equal(noUln.issues[0]?.code, 'safety.lab.uln-missing');
});

test('label rules (US PI 5.3): ANC hold 0.5-1.0, discontinue < 0.5 x10^9/L; platelets hold 50-100, discontinue < 50', () => {
  const act = (analyte: 'anc' | 'platelets', value: number) =>
    assessLab(
      ctcae,
      rules,
      reading({ analyte, value, unit: '10*9/L', lowerLimitOfNormal: analyte === 'anc' ? 2 : 150 }),
    ).action;
  assert.deepEqual(
    [1.5, 1.01, 1.0, 0.8, 0.5, 0.49].map((v) => act('anc', v)),
    ['continue', 'continue', 'hold', 'hold', 'hold', 'discontinue'],
  );
  assert.deepEqual(
    [150, 101, 100, 60, 50, 49].map((v) => act('platelets', v)),
    ['continue', 'continue', 'hold', 'hold', 'hold', 'discontinue'],
  );
  const anc = assessLab(ctcae, rules, reading({ analyte: 'anc', value: 0.8, unit: '10*9/L', lowerLimitOfNormal: 2 }));
  assert.deepEqual(anc.rules, ['anc-hold']);
  assert.ok(anc.citations.includes('actemra-us-pi-5.3'));
  assert.equal(anc.grade, 3);
});

test('label rules: ALT/AST > 1-3 x ULN monitor, > 3-5 hold, > 5 discontinue; without a ULN the action is unknown', () => {
  const act = (value: number, uln: number | null = 40) =>
    assessLab(ctcae, rules, reading({ analyte: 'ast', value, unit: 'U/L', upperLimitOfNormal: uln })).action;
  assert.deepEqual(
    [40, 60, 120, 121, 200, 201].map((v) => act(v)),
    ['continue', 'monitor', 'monitor', 'hold', 'hold', 'discontinue'],
  );
  const unknown = assessLab(ctcae, rules, reading({ analyte: 'alt', value: 500, unit: 'U/L' }));
  assert.equal(unknown.action, 'unknown', 'never "continue" when the rule could not be evaluated');
  assert.equal(unknown.grade, null);
});

test("label rules (US PI 5.2) before the infusion: ANC < 2, platelets < 100 x10^9/L, ALT/AST > 1.5 x ULN: don't initiate", () => {
  const act = (r: Parameters<typeof reading>[0], beforeDosing: boolean) =>
    assessLab(ctcae, rules, { ...reading(r), beforeDosing });
  const anc = (value: number) => ({ analyte: 'anc' as const, value, unit: '10*9/L', lowerLimitOfNormal: 2 });
  const platelets = (value: number) => ({
    analyte: 'platelets' as const,
    value,
    unit: '10*9/L',
    lowerLimitOfNormal: 150,
  });
  const alt = (value: number) => ({ analyte: 'alt' as const, value, unit: 'U/L', upperLimitOfNormal: 40 });
  // ANC 1.5 before the infusion: the label does not recommend starting; after it, above 1.0, the dose is kept.
  assert.deepEqual(
    [2.0, 1.99, 1.5, 1.01].map((v) => act(anc(v), true).action),
    ['continue', 'hold', 'hold', 'hold'],
  );
  assert.equal(act(anc(1.5), false).action, 'continue');
  assert.deepEqual(act(anc(1.5), true).rules, ['anc-do-not-initiate']);
  assert.ok(act(anc(1.5), true).citations.includes('actemra-us-pi-5.2'));
  // The stricter rule that applies wins: ANC 0.4 before the infusion is still "discontinue".
  assert.equal(act(anc(0.4), true).action, 'discontinue');
  assert.deepEqual(
    [101, 99.9, 60].map((v) => act(platelets(v), true).action),
    ['continue', 'hold', 'hold'],
  );
  assert.equal(act(platelets(120), true).action, 'continue');
  // ALT 1.8 x ULN: "monitor" after the infusion, but not to be started on.
  assert.deepEqual(
    [60, 61, 72, 120].map((v) => act(alt(v), true).action),
    ['monitor', 'hold', 'hold', 'hold'],
  );
  assert.equal(act(alt(72), false).action, 'monitor');
  // Without a ULN, before the infusion as after it: unknown, never continue.
  assert.equal(act({ analyte: 'ast', value: 50, unit: 'U/L' }, true).action, 'unknown');
});

test('the INSIGHT protocol pins CTCAE v5.0 and cites every rule', () => {
  assert.equal(insight?.safety?.ctcaeVersion, '5.0');
  assert.equal(rules.length, 14);
  assert.ok(
    rules.every(
      (r) => r.verified && r.citation === (r.beforeDosing === true ? 'actemra-us-pi-5.2' : 'actemra-us-pi-5.3'),
    ),
  );
  assert.throws(() => loadCtcae('6.0'), /not bundled/);
});

test('a broken CTCAE or instrument file is a KnowledgeError naming the file and field, not an internal error', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'trd-safety-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bundled = new URL('../../knowledge/', import.meta.url);
  cpSync(new URL('safety/', bundled), join(dir, 'safety'), { recursive: true });
  cpSync(new URL('instruments/', bundled), join(dir, 'instruments'), { recursive: true });
  const table = join(dir, 'safety', 'ctcae-v5.0.json');
  const json = JSON.parse(readFileSync(table, 'utf8')) as { terms: { anc: { grades: Record<string, unknown>[] } } };
  json.terms.anc.grades[0] = { ...json.terms.anc.grades[0], atLeast: 1.5, below: 1 };
  writeFileSync(table, JSON.stringify(json));
  const safetyDir = pathToFileURL(`${join(dir, 'safety')}/`);
  assert.throws(
    () => loadCtcae('5.0', safetyDir),
    (e: Error) =>
      e.name === 'KnowledgeError' &&
      e.message ===
        `${displayPath(table)}: terms.anc.grades[0]: no value lies within these bounds (is the range reversed?)`,
  );
  writeFileSync(table, '{"schema": "precision-trd/ctcae@1",');
  assert.throws(
    () => loadCtcae('5.0', safetyDir),
    (e: Error) =>
      e.name === 'KnowledgeError' && e.message.startsWith(`${displayPath(table)}: (file): not valid JSON: `),
  );
  const phq9 = join(dir, 'instruments', 'phq-9.json');
  writeFileSync(phq9, JSON.stringify({ ...JSON.parse(readFileSync(phq9, 'utf8')), id: 7 }));
  assert.throws(
    () => loadInstruments(join(dir, 'instruments')),
    (e: Error) => e.name === 'KnowledgeError' && e.message.startsWith(`${displayPath(phq9)}: id: `),
  );
});

test('a censored result is graded and ruled on only where every value it allows gives the same verdict', () => {
  const anc = (value: number, comparator: '<' | '>') =>
    assessLab(
      ctcae,
      rules,
      reading({ analyte: 'anc', value, comparator, unit: '10*9/L', lowerLimitOfNormal: 2, beforeDosing: true }),
    );
  // "<0.5": grade 4 and below the stop limit whatever the value.
  assert.deepEqual([anc(0.5, '<').grade, anc(0.5, '<').action], [4, 'discontinue']);
  // "<1.0" may be grade 3 (a hold) or grade 4 (a stop): neither is given with confidence.
  const ambiguous = anc(1.0, '<');
  assert.deepEqual([ambiguous.grade, ambiguous.action], [null, 'unknown']);
  assert.ok(
    ambiguous.issues.some((i) => i.code === 'safety.lab.censored' && /<1 10\*9\/L is censored/.test(i.message)),
  );
  // ">3": above the LLN and every threshold: grade 0, nothing applies.
  assert.deepEqual([anc(3, '>').grade, anc(3, '>').action], [0, 'continue']);
  const alt = (value: number, comparator: '<' | '>', baseline?: { value: number; comparator?: '<' | '>' }) =>
    assessLab(
      ctcae,
      rules,
      reading({
        analyte: 'alt',
        value,
        comparator,
        unit: 'U/L',
        upperLimitOfNormal: 40,
        baselineValue: baseline?.value ?? null,
        baselineComparator: baseline?.comparator,
      }),
    );
  // "<5" U/L: below the ULN whatever it is; ">1000" (25 x ULN): grade 4 and a stop.
  assert.deepEqual([alt(5, '<').grade, alt(5, '<').action], [0, 'continue']);
  assert.deepEqual([alt(1000, '>').grade, alt(1000, '>').action], [4, 'discontinue']);
  // ">100" (2.5 x ULN and more): grade 1 or higher, a monitor, hold or stop: undecided.
  assert.deepEqual([alt(100, '>').grade, alt(100, '>').action], [null, 'unknown']);
  // A censored baseline that cannot be placed against the ULN leaves the grading basis unknown; "<5" is a normal one.
  assert.equal(alt(30, '<', { value: 100, comparator: '<' }).grade, null);
  assert.equal(alt(5, '<', { value: 5, comparator: '<' }).grade, 0);
});
