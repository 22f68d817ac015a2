/**
 * A death recorded as a fatal adverse event but not as the participant's exit leaves the participant enrolled, data
 * entry open and SDTM DM without DTHFL; the safety dashboard lists it until the death is recorded as the exit. A real
 * server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('the safety dashboard lists a fatal adverse event until the death is recorded as the exit', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const ae = await coord.post('/trial/api/adverse-events', {
      participantId,
      term: 'Myocardial infarction',
      onsetOn: '2026-11-18',
      grade: 5,
      seriousCriteria: ['death'],
      relatedness: 'unlikely',
      expectedness: 'unexpected',
      outcome: 'fatal',
    });
    assert.equal(ae.status, 201, ae.text);
    const pending = (await coord.get('/trial/api/safety')).json as {
      deathsWithoutExit: { participantId: string }[];
      counts: { label: string; n: number }[];
    };
    assert.deepEqual(
      pending.deathsWithoutExit.map((e) => e.participantId),
      [participantId],
    );
    assert.equal(pending.counts.find((c) => c.label.startsWith('Fatal adverse events'))?.n, 1);
    const page = await coord.get('/trial/safety');
    assert.match(page.text, /Record the death as the participant's exit/);
    assert.ok(page.text.includes(`/trial/participants/${participantId}`));
    const exit = await coord.post('/trial/api/dispositions', { participantId, event: 'death', on: '2026-11-19' });
    assert.equal(exit.status, 201, exit.text);
    const done = (await coord.get('/trial/api/safety')).json as { deathsWithoutExit: unknown[] };
    assert.equal(done.deathsWithoutExit.length, 0);
  } finally {
    await t.close();
  }
});

test('the safety dashboard names the participant of each flagged lab and open alert', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const first = await enrolThroughApi(coord, protocol, 'site-a');
    const second = await enrolThroughApi(coord, protocol, 'site-a');
    const lab = (participantId: string, value: number) =>
      coord.post('/trial/api/labs', {
        participantId,
        visit: 'baseline',
        analyte: 'platelets',
        value,
        unit: '10*9/L',
        lowerLimitOfNormal: 150,
        upperLimitOfNormal: null,
        collectedOn: '2026-11-04',
      });
    assert.equal((await lab(first, 250)).status, 201);
    assert.equal((await lab(second, 60)).status, 201);
    const record = (await coord.get(`/trial/api/participants/${second}`)).json as {
      participant: { participantCode: string };
    };
    const code = record.participant.participantCode;
    const api = (await coord.get('/trial/api/safety')).json as { participantCodes: Record<string, string> };
    assert.deepEqual(api.participantCodes, { [second]: code });
    const page = (await coord.get('/trial/safety')).text;
    const link = `<a href="/trial/participants/${second}">${code}</a>`;
    const labs = page.slice(page.indexOf('Labs at CTCAE grade 3'));
    assert.ok(labs.includes(link), 'the flagged lab row names its participant');
    assert.ok(page.slice(0, page.indexOf('<h2>Counts')).includes(link), 'the open alert names its participant');
    assert.ok(!page.includes(`/trial/participants/${first}"`), 'a participant with nothing flagged is not listed');
  } finally {
    await t.close();
  }
});

test('an open hold alert whose lab was corrected since says what the result now reads', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const entered = await coord.post('/trial/api/labs', {
      participantId,
      visit: 'baseline',
      analyte: 'anc',
      value: 0.8,
      unit: '10*9/L',
      lowerLimitOfNormal: 2,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-04',
    });
    assert.equal(entered.status, 201, entered.text);
    const { lab, alerts } = entered.json as { lab: { id: string }; alerts: { id: string; kind: string }[] };
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['hold-rule'],
    );
    const before = (await coord.get('/trial/api/safety')).json as { correctedSince: Record<string, unknown> };
    assert.deepEqual(before.correctedSince, {});
    const fixed = await coord.post(`/trial/api/labs/${lab.id}/corrections`, {
      value: 2.8,
      reason: '0.8 typed for 2.8',
    });
    assert.equal(fixed.status, 200, fixed.text);
    const after = (await coord.get('/trial/api/safety')).json as {
      openAlerts: { id: string }[];
      correctedSince: Record<string, { id: string; version: number }>;
    };
    assert.ok(
      after.openAlerts.some((a) => a.id === alerts[0]?.id),
      'the alert stays open until acknowledged',
    );
    assert.equal(after.correctedSince[alerts[0]?.id ?? '']?.version, 2);
    const line =
      /The result was corrected since \(version 2\): it now reads 2\.8 10\*9\/L,\s+no hold or stop rule applies/;
    assert.match((await coord.get('/trial/safety')).text, line);
    assert.match((await coord.get(`/trial/participants/${participantId}`)).text, line);
  } finally {
    await t.close();
  }
});

test('an open dose alert whose infusion was corrected since says what the infusion now reads', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const randomized = await coord.post(`/trial/api/participants/${participantId}/randomize`);
    assert.equal(randomized.status, 201, randomized.text);
    const { kitCode } = randomized.json as { kitCode: string };
    const entered = await coord.post('/trial/api/doses', {
      participantId,
      visit: 'infusion',
      kitCode,
      administeredOn: '2026-11-07',
      doseMg: 5600,
      bodyWeightKg: 70,
    });
    assert.equal(entered.status, 201, entered.text);
    const { id } = entered.json as { id: string };
    const safety = async () =>
      (await coord.get('/trial/api/safety')).json as {
        openAlerts: { id: string; kind: string }[];
        correctedSince: Record<string, { id: string; version: number; check: { status: string } }>;
      };
    const alert = (await safety()).openAlerts.find((a) => a.kind === 'dose-above-maximum');
    assert.ok(alert !== undefined, 'the dose alert is raised');
    assert.deepEqual((await safety()).correctedSince, {});
    const fixed = await coord.post(`/trial/api/doses/${id}/corrections`, { doseMg: 560, reason: '5600 typed for 560' });
    assert.equal(fixed.status, 200, fixed.text);
    const after = await safety();
    assert.ok(
      after.openAlerts.some((a) => a.id === alert.id),
      'the alert stays open until acknowledged',
    );
    assert.deepEqual(
      [after.correctedSince[alert.id]?.version, after.correctedSince[alert.id]?.check.status],
      [2, 'within'],
    );
    const line =
      /The infusion record was corrected since \(version 2\): Infusion recorded at 560 mg for 70 kg, within the protocol&#39;s 8 mg\/kg \(560 mg, maximum 800 mg\) \[U\]\.\s+Acknowledge the alert once reviewed/;
    assert.match((await coord.get('/trial/safety')).text, line);
    assert.match((await coord.get(`/trial/participants/${participantId}`)).text, line);
  } finally {
    await t.close();
  }
});

test('a lab row shows the reference limits the result was graded on, and says when one was not given', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const alt = (value: number, uln: number | null) =>
      coord.post('/trial/api/labs', {
        participantId,
        visit: 'baseline',
        analyte: 'alt',
        value,
        unit: 'U/L',
        lowerLimitOfNormal: null,
        upperLimitOfNormal: uln,
        collectedOn: '2026-11-04',
      });
    assert.equal((await alt(160, 40)).status, 201);
    assert.equal((await alt(60, null)).status, 201);
    const page = (await coord.get('/trial/safety')).text;
    const rows = page.slice(page.indexOf('Labs at CTCAE grade 3')).replace(/\s+/g, ' ');
    assert.match(rows, /<td>160 U\/L<\/td> <td>LLN not given; ULN 40 U\/L<\/td>/);
    assert.match(rows, /<td>60 U\/L<\/td> <td>LLN not given; ULN not given<\/td>/);
    assert.match(
      page,
      /<h2>Labs at CTCAE grade 3 or above, meeting a hold or stop rule, or undecided<\/h2>/,
      'the heading names the undecided results listed under it',
    );
    assert.match(rows, /<th scope="col">Reference range<\/th>/);
  } finally {
    await t.close();
  }
});

test("a lab's assessment cites the sources of its grade and rules, the drug's name concealed from blinded readers", async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const entered = await coord.post('/trial/api/labs', {
      participantId,
      visit: 'baseline',
      analyte: 'alt',
      value: 160,
      unit: 'U/L',
      lowerLimitOfNormal: null,
      upperLimitOfNormal: 40,
      collectedOn: '2026-11-04',
    });
    assert.equal(entered.status, 201, entered.text);
    const sources =
      /Sources: ctcae-v5\.0; actemra-us-pi-5\.3: Actemra \(study drug\) US PI, dose modifications \(RA, IV\): [^;<]*, section 5\.3; actemra-us-pi-5\.2: Actemra US PI \/ EU SmPC: do-not-initiate thresholds [^;<]*, section 5\.2/;
    const dashboard = (await coord.get('/trial/safety')).text.replace(/\s+/g, ' ');
    assert.match(dashboard, sources);
    assert.doesNotMatch(dashboard, /tocilizumab/i);
    assert.match((await coord.get(`/trial/participants/${participantId}`)).text.replace(/\s+/g, ' '), sources);
    const pharmacist = await t.signIn('unblinded-pharmacist');
    assert.match((await pharmacist.get('/trial/safety')).text, /Actemra \(tocilizumab\) US PI, dose modifications/);
  } finally {
    await t.close();
  }
});

test('an open alert is acknowledged from the safety dashboard by a writer of its site; readers see no button', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const entered = await coord.post('/trial/api/labs', {
      participantId,
      visit: 'baseline',
      analyte: 'platelets',
      value: 40,
      unit: '10*9/L',
      lowerLimitOfNormal: 150,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-04',
    });
    assert.equal(entered.status, 201, entered.text);
    const alertId = (entered.json as { alerts: { id: string }[] }).alerts[0]?.id ?? '';
    const action = `/trial/safety/alerts/${alertId}/acknowledge`;
    assert.ok((await coord.get('/trial/safety')).text.includes(`action="${action}"`));
    const monitor = await t.signIn('monitor');
    assert.ok(!(await monitor.get('/trial/safety')).text.includes(action), 'the monitor only reads');
    assert.equal((await monitor.post(action, {})).status, 403);
    const other = await t.signIn('coordinator', 'site-b');
    const refused = await other.request('POST', action, {}, { contentType: 'application/x-www-form-urlencoded' });
    assert.equal(refused.status, 303);
    assert.equal(
      ((await coord.get('/trial/api/alerts')).json as { acknowledgedAt: string | null }[])[0]?.acknowledgedAt,
      null,
    );
    const done = await coord.request('POST', action, {}, { contentType: 'application/x-www-form-urlencoded' });
    assert.equal(done.status, 303, done.text);
    const back = await coord.get(done.headers.get('location') ?? '/trial/safety');
    assert.match(back.text, /Alert acknowledged: stop-rule/);
    assert.match(back.text, /No open safety alerts\./);
    const [alert] = (await coord.get('/trial/api/alerts')).json as { acknowledgedAt: string | null }[];
    assert.notEqual(alert?.acknowledgedAt, null);
  } finally {
    await t.close();
  }
});
