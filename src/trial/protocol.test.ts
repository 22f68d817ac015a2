import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../engine/index.ts';
import { loadInstruments } from '../instruments/load.ts';
import { loadKnowledge } from '../knowledge/load.ts';
import { RandomizationPlanSchema } from '../randomization/index.ts';
import { checkProtocol } from '../trials/index.ts';
import { loadTrials } from '../trials/load.ts';
import { conductProblems } from './check.ts';
import { criteriaFromMatch, mergeAnswers, screeningVerdict } from './screening.ts';
import { participantLevels, planFactors, planFromProtocol } from './strata.ts';
import { visitSchedule, visitTiming, visitTimingText, windowStatus } from './visits.ts';

const knowledge = loadKnowledge();
const trials = loadTrials(knowledge);
const insight = trials.protocols.find((p) => p.id === 'insight');
assert.ok(insight);

test("INSIGHT's design as data: tocilizumab vs saline, visits, primary BDI-II somatic at day 14, unverified dose flagged", () => {
  assert.deepEqual(
    insight.arms?.map((a) => [a.id, a.ratio]),
    [
      ['tocilizumab', 1],
      ['placebo', 1],
    ],
  );
  const dose = insight.arms?.[0]?.dose;
  assert.equal(dose?.mgPerKg, 8);
  assert.equal(dose?.maxMg, 800);
  assert.equal(dose?.verified, false, 'the dose is [U] in clinical-reference.md 1.1');
  assert.equal(insight.arms?.[1]?.dose, null);
  assert.deepEqual(
    insight.visits?.map((v) => [v.id, v.day]),
    [
      ['screening', -14],
      ['baseline', -3],
      ['infusion', 0],
      ['day-7', 7],
      ['day-14', 14],
      ['day-28', 28],
    ],
  );
  assert.equal(insight.visits?.find((v) => v.dosing)?.id, 'infusion');
  const primary = insight.outcomes?.primary;
  assert.deepEqual([primary?.instrument, primary?.subscale, primary?.visits], ['bdi-ii', 'somatic', ['day-14']]);
  assert.deepEqual(
    insight.outcomes?.secondary.map((o) => o.instrument),
    ['madrs', 'bdi-ii', 'gad-7', 'chalder-fatigue', 'shaps'],
  );
  assert.deepEqual(conductProblems(insight, loadInstruments()), []);
  assert.deepEqual(checkProtocol(insight, trials.knowledge), []);
  // Eligibility is the matcher's criteria, never a copy: nothing in the conduct blocks restates a criterion.
  assert.ok(!('eligibility' in insight));
});

test('conduct cross-checks: unknown instrument, subscale, scoring and citation are reported', () => {
  const broken = structuredClone(insight);
  broken.visits![1]!.instruments = ['hamd-17'];
  broken.outcomes!.primary.subscale = 'cognitive';
  broken.outcomes!.secondary[3]!.scoring = 'sum';
  broken.safety!.rules[0]!.citation = 'nowhere';
  assert.deepEqual(conductProblems(broken, loadInstruments()), [
    'visit baseline: unknown instrument hamd-17',
    'outcome bdi-somatic-day-14: BDI-II has no subscale cognitive',
    'outcome chalder-fatigue-likert: Chalder Fatigue Scale has no scoring sum',
  ]);
  assert.ok(
    checkProtocol(broken, trials.knowledge).some((i) =>
      i.message.includes('safety.rules[0].citation: unknown citation "nowhere"'),
    ),
  );
});

test('stratification levels come from protocol data: CRP band by its bounds, site from the plan; never guessed', () => {
  const factors = planFactors(insight, ['A', 'B']);
  assert.deepEqual(
    factors.map((f) => [f.id, f.levels]),
    [
      ['crp', ['low', 'high']],
      ['site', ['A', 'B']],
    ],
  );
  assert.deepEqual(participantLevels(insight, factors, { site: 'A', baselineCrpMgPerL: 3 }), {
    ok: true,
    levels: { crp: 'high', site: 'A' },
  });
  assert.deepEqual(participantLevels(insight, factors, { site: 'B', baselineCrpMgPerL: 2.9 }), {
    ok: true,
    levels: { crp: 'low', site: 'B' },
  });
  assert.equal(participantLevels(insight, factors, { site: 'A', baselineCrpMgPerL: null }).ok, false);
  assert.equal(participantLevels(insight, factors, { site: 'C', baselineCrpMgPerL: 5 }).ok, false);
  // Bands that overlap at the cut (<= 3 and >= 3): 3 mg/L is in both, and no level is guessed for it.
  const overlapping = {
    ...insight,
    stratification: insight.stratification?.map((f) =>
      f.source === 'baseline-crp'
        ? { ...f, levels: f.levels.map((l) => (l.id === 'low' ? { ...l, mgPerL: { atMost: 3 } } : l)) }
        : f,
    ),
  };
  const edge = participantLevels(overlapping, factors, { site: 'A', baselineCrpMgPerL: 3 });
  assert.equal(edge.ok, false);
  assert.match(edge.ok ? '' : edge.reason, /more than one band of factor crp \(low, high\)/);
  assert.deepEqual(participantLevels(overlapping, factors, { site: 'A', baselineCrpMgPerL: 3.1 }), {
    ok: true,
    levels: { crp: 'high', site: 'A' },
  });
  assert.ok(
    RandomizationPlanSchema.safeParse(
      planFromProtocol(insight, { method: 'permuted-blocks', seed: 1, sites: ['A', 'B'] }),
    ).success,
  );
  assert.ok(RandomizationPlanSchema.safeParse(planFromProtocol(insight, { method: 'minimisation', seed: 1 })).success);
});

test('visit windows from the dosing date', () => {
  const schedule = visitSchedule(insight, '2026-11-05');
  const day14 = schedule.find((v) => v.id === 'day-14');
  assert.deepEqual([day14?.targetDate, day14?.earliest, day14?.latest], ['2026-11-19', '2026-11-17', '2026-11-21']);
  assert.equal(windowStatus(day14!, '2026-11-16'), 'early');
  assert.equal(windowStatus(day14!, '2026-11-21'), 'in-window');
  assert.equal(windowStatus(day14!, '2026-11-22'), 'late');
  assert.equal(day14?.verified, false, 'window widths are project defaults');
  const timing = (date: string) => visitTimingText(visitTiming(insight, '2026-11-05', 'day-14', date));
  assert.deepEqual(['2026-11-16', '2026-11-19', '2026-11-22', '2026-11-25'].map(timing), [
    '1 day early',
    'in window',
    '1 day late',
    '4 days late',
  ]);
  assert.equal(visitTimingText(visitTiming(insight, null, 'day-14', '2026-11-19')), 'unknown (no dose recorded)');
  assert.equal(schedule.find((v) => v.id === 'infusion')?.verified, true);
});

test('screening log from a FHIR Bundle: the matcher criterion by criterion, manual criteria answered by the coordinator', () => {
  const engine = createEngine();
  const bundle = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'seed-vignette.json'), 'utf8'),
  ) as unknown;
  const result = engine.match(bundle, { asOf: '2026-11-27', trials: ['insight'] })[0];
  assert.ok(result);
  const fromRecord = criteriaFromMatch(result);
  assert.equal(fromRecord.length, insight.criteria.length);
  assert.equal(screeningVerdict(fromRecord).verdict, result.verdict);
  const manual = insight.criteria.filter((c) => c.test.type === 'manual');
  assert.ok(manual.length > 0);
  assert.ok(fromRecord.filter((c) => manual.some((m) => m.id === c.id)).every((c) => c.status === 'unknown'));
  const answered = mergeAnswers(
    fromRecord,
    manual.map((m) => ({
      id: m.id,
      kind: m.kind,
      status: m.kind === 'inclusion' ? 'met' : 'not-met',
      reason: 'asked at the visit',
      source: 'entered',
      verified: m.verified,
    })),
  );
  assert.ok(
    answered
      .filter((c) => manual.some((m) => m.id === c.id))
      .every((c) => c.source === 'entered' && c.status !== 'unknown'),
  );
  assert.equal(answered.length, fromRecord.length);
});
