/**
 * A death recorded as a fatal adverse event but not as the participant's exit leaves the participant enrolled, data
 * entry open and SDTM DM without DTHFL; the safety dashboard lists it until the death is recorded as the exit. A real
 * server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAccounts } from './accounts.ts';
import { TrialClient } from './client.test-support.ts';
import {
  eligibleCriteria,
  enrolThroughApi,
  insightProtocol,
  startTestTrial,
  TEST_COST,
} from './harness.test-support.ts';

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
      /The result was corrected or graded again since \(version 2\): it now reads 2\.8\s+10\*9\/L,\s+no hold or stop rule applies/;
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
    const { kitCode } = await t.randomizeOn(coord, participantId, '2026-11-06');
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
    // The entry answers with the record and the alerts it raised, as a lab result's does (no pre-dose labs were
    // entered: not cleared either).
    const answered = entered.json as { id: string; doseMg: number; alerts: { id: string; kind: string }[] };
    assert.equal(answered.doseMg, 5600);
    assert.deepEqual(
      answered.alerts.map((a) => a.kind),
      ['dose-above-maximum', 'dose-not-cleared'],
    );
    assert.equal(answered.alerts[0]?.id, alert.id);
    assert.deepEqual((await safety()).correctedSince, {});
    const fixed = await coord.post(`/trial/api/doses/${id}/corrections`, { doseMg: 560, reason: '5600 typed for 560' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.deepEqual(
      [(fixed.json as { doseMg: number }).doseMg, (fixed.json as { alerts: unknown[] }).alerts],
      [560, []],
    );
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
    // The form asks what was done; without it nothing is acknowledged.
    assert.match(
      (await coord.get('/trial/safety')).text,
      /<label\s*>Action taken\s*<input\s+name="actionTaken"\s+aria-label="Action taken on the [^"]+"\s+required\s+maxlength="500"/,
    );
    const form = { contentType: 'application/x-www-form-urlencoded' } as const;
    const blank = await coord.request('POST', action, { actionTaken: ' ' }, form);
    assert.equal(blank.status, 303, blank.text);
    assert.match((await coord.get(blank.headers.get('location') ?? '/trial/safety')).text, /Not saved: .*actionTaken/);
    const done = await coord.request(
      'POST',
      action,
      { actionTaken: 'Infusion not given; platelets repeated, investigator told' },
      form,
    );
    assert.equal(done.status, 303, done.text);
    const back = await coord.get(done.headers.get('location') ?? '/trial/safety');
    assert.match(back.text, /Alert acknowledged: stop-rule/);
    assert.match(back.text, /No open safety alerts\./);
    assert.match(
      back.text,
      /<h2>Acknowledged alerts<\/h2>[\s\S]*stop-rule[\s\S]*Acknowledged\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by Coordinator A \(coordinator\):\s+Infusion not given; platelets repeated, investigator told/,
    );
    // The participant's page lists it too, with who acknowledged it, when and what was done; so does the monitor's.
    for (const reader of [coord, monitor]) {
      assert.match(
        (await reader.get(`/trial/participants/${participantId}`)).text,
        /<h2>Acknowledged safety alerts<\/h2>\s*<ul>\s*<li>\s*<strong>stop-rule<\/strong>[\s\S]*Acknowledged\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by Coordinator A \(coordinator\):\s+Infusion not given; platelets repeated, investigator told/,
      );
    }
    const rater = await t.signIn('outcome-rater', 'site-a');
    assert.doesNotMatch((await rater.get(`/trial/participants/${participantId}`)).text, /Acknowledged|stop-rule/);
    const [alert] = (await coord.get('/trial/api/alerts')).json as {
      acknowledgedAt: string | null;
      actionTaken: string | null;
    }[];
    assert.notEqual(alert?.acknowledgedAt, null);
    assert.equal(alert?.actionTaken, 'Infusion not given; platelets repeated, investigator told');
    const dashboard = (await monitor.get('/trial/api/safety')).json as {
      acknowledgedAlerts: { actionTaken: string }[];
    };
    assert.equal(dashboard.acknowledgedAlerts[0]?.actionTaken, alert?.actionTaken);
  } finally {
    await t.close();
  }
});

test('an alert acknowledged through the API says what was done; the text is masked for blinded readers and hidden from the rater', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const entered = await coord.post('/trial/api/labs', {
      participantId,
      visit: 'baseline',
      analyte: 'anc',
      value: 0.4,
      unit: '10*9/L',
      lowerLimitOfNormal: 2,
      upperLimitOfNormal: null,
      collectedOn: '2026-11-04',
    });
    const alertId = (entered.json as { alerts: { id: string }[] }).alerts[0]?.id ?? '';
    const path = `/trial/api/alerts/${alertId}/acknowledge`;
    const refused = await coord.post(path, {});
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /actionTaken/);
    const done = await coord.post(path, { actionTaken: 'Not dosed: no tocilizumab given while ANC < 2' });
    assert.equal(done.status, 200, done.text);
    assert.equal((done.json as { actionTaken: string }).actionTaken, 'Not dosed: no [concealed] given while ANC < 2');
    assert.match((await coord.get('/trial/safety')).text, /Not dosed: no \[concealed\] given while ANC &lt; 2/);
    const pharmacist = await t.signIn('unblinded-pharmacist');
    const seen = (await pharmacist.get('/trial/api/alerts')).json as { actionTaken: string }[];
    assert.equal(seen[0]?.actionTaken, 'Not dosed: no tocilizumab given while ANC < 2');
    const rater = await t.signIn('outcome-rater', 'site-a');
    assert.equal((await rater.get('/trial/api/alerts')).status, 403);
    assert.equal((await rater.get('/trial/api/safety')).status, 403);
    assert.doesNotMatch((await rater.get(`/trial/participants/${participantId}`)).text, /Not dosed/);
  } finally {
    await t.close();
  }
});

test('an open dose-not-cleared alert whose pre-dose labs now clear the infusion date says so as of that date', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const { kitCode } = await t.randomizeOn(coord, participantId, '2026-11-04');
    const lab = (analyte: string, value: number, unit: string, lln: number | null, uln: number | null) =>
      coord.post('/trial/api/labs', {
        participantId,
        visit: 'baseline',
        analyte,
        value,
        unit,
        lowerLimitOfNormal: lln,
        upperLimitOfNormal: uln,
        collectedOn: '2026-11-05',
      });
    for (const [analyte, value, unit, lln, uln] of [
      ['anc', 3.4, '10*9/L', 2, null],
      ['platelets', 230, '10*9/L', 150, null],
      ['alt', 22, 'U/L', null, 40],
    ] as const) {
      const entered = await lab(analyte, value, unit, lln, uln);
      assert.equal(entered.status, 201, entered.text);
    }
    // Given without the AST result: not cleared, with its alert.
    const dose = await coord.post('/trial/api/doses', {
      participantId,
      visit: 'infusion',
      kitCode,
      administeredOn: '2026-11-05',
      doseMg: 560,
      bodyWeightKg: 70,
    });
    assert.equal(dose.status, 201, dose.text);
    type Dashboard = {
      openAlerts: { id: string; kind: string; message: string }[];
      clearedSince: Record<string, { version: number; clearedBy: string[] }>;
    };
    const before = (await coord.get('/trial/api/safety')).json as Dashboard;
    const alert = before.openAlerts.find((a) => a.kind === 'dose-not-cleared');
    assert.ok(alert !== undefined);
    assert.match(alert.message, /ast: no result before the infusion/);
    assert.deepEqual(before.clearedSince, {});
    // The AST drawn that morning, entered the next week: the infusion record is unchanged (version 1), and the note
    // says what the labs collected by the infusion date now show, never that the infusion record was corrected.
    const ast = await lab('ast', 25, 'U/L', null, 40);
    assert.equal(ast.status, 201, ast.text);
    const after = (await coord.get('/trial/api/safety')).json as Dashboard;
    assert.ok(
      after.openAlerts.some((a) => a.id === alert.id),
      'the alert stays open until acknowledged',
    );
    assert.equal(after.clearedSince[alert.id]?.version, 1);
    assert.deepEqual(after.clearedSince[alert.id]?.clearedBy, [
      'anc 3.4 10*9/L on 2026-11-05',
      'platelets 230 10*9/L on 2026-11-05',
      'alt 22 U/L on 2026-11-05',
      'ast 25 U/L on 2026-11-05',
    ]);
    const line =
      /As now recorded, the pre-dose safety labs collected on or before the infusion date\s+\(2026-11-05; infusion record version 1\) clear it: anc 3\.4 10\*9\/L on 2026-11-05;[^<]*ast 25 U\/L on 2026-11-05\./;
    for (const page of [await coord.get('/trial/safety'), await coord.get(`/trial/participants/${participantId}`)]) {
      assert.match(page.text, line);
      assert.doesNotMatch(page.text, /The infusion record now reads/);
    }
  } finally {
    await t.close();
  }
});

test('a viewer of every site reads each listed participant by code and site: two sites may give one code', async () => {
  const t = await startTestTrial();
  try {
    const protocol = insightProtocol(t.engine);
    const ids: string[] = [];
    for (const site of ['site-a', 'site-b']) {
      const coord = await t.signIn('coordinator', site);
      const id = await enrolThroughApi(coord, protocol, site);
      // Each site numbers its own participants: both are P-1.
      const renamed = await coord.post(`/trial/api/participants/${id}/corrections`, {
        participantCode: 'P-1',
        reason: "the site's own numbering",
      });
      assert.equal(renamed.status, 200, renamed.text);
      const flagged = await coord.post('/trial/api/labs', {
        participantId: id,
        visit: 'baseline',
        analyte: 'platelets',
        value: 60,
        unit: '10*9/L',
        lowerLimitOfNormal: 150,
        upperLimitOfNormal: null,
        collectedOn: '2026-11-04',
      });
      assert.equal(flagged.status, 201, flagged.text);
      ids.push(id);
    }
    const [atA, atB] = ids as [string, string];
    const monitor = await t.signIn('monitor');
    const api = (await monitor.get('/trial/api/safety')).json as {
      participantCodes: Record<string, string>;
      participantSites: Record<string, string>;
    };
    assert.deepEqual(api.participantCodes, { [atA]: 'P-1', [atB]: 'P-1' });
    assert.deepEqual(api.participantSites, { [atA]: 'site-a', [atB]: 'site-b' });
    for (const path of ['/trial/safety', '/trial/']) {
      const page = (await monitor.get(path)).text;
      assert.ok(page.includes(`<a href="/trial/participants/${atA}">P-1 (site-a)</a>`), `${path}: site A's P-1`);
      assert.ok(page.includes(`<a href="/trial/participants/${atB}">P-1 (site-b)</a>`), `${path}: site B's P-1`);
    }
    // A participant's own page names it so too, in its title and heading.
    const pageOfB = (await monitor.get(`/trial/participants/${atB}`)).text;
    assert.match(pageOfB, /<title>Participant P-1 \(site-b\) · /);
    assert.ok(pageOfB.includes('<h1>Participant P-1 (site-b)</h1>'), "the heading names site B's P-1");
    // A site's own coordinator sees one site: the code alone.
    const coordA = await t.signIn('coordinator', 'site-a');
    const own = (await coordA.get('/trial/safety')).text;
    assert.ok(own.includes(`<a href="/trial/participants/${atA}">P-1</a>`));
    assert.ok(!own.includes(atB));
    const ownPage = (await coordA.get(`/trial/participants/${atA}`)).text;
    assert.match(ownPage, /<title>Participant P-1 · /);
    assert.ok(ownPage.includes('<h1>Participant P-1</h1>'), 'the code alone for a viewer of one site');
    // A coordinator of every site (no site on the account) picks a participant or a screening entry from a list:
    // each option names the site, so site B's P-1 is not taken for site A's.
    await createAccounts(
      t.store,
      [
        {
          username: 'coord-all',
          displayName: 'Coordinator, all sites',
          role: 'coordinator',
          site: null,
          password: 'pw-coord-all-123',
        },
      ],
      TEST_COST,
    );
    const everywhere = new TrialClient(t.url);
    assert.equal((await everywhere.login('coord-all', 'pw-coord-all-123')).status, 200);
    const exit = await everywhere.post('/trial/api/dispositions', {
      participantId: atB,
      event: 'other',
      on: '2026-11-10',
    });
    assert.equal(exit.status, 201, exit.text);
    const pageB = (await everywhere.get(`/trial/participants/${atB}`)).text;
    const options = Object.fromEntries(
      [...pageB.matchAll(/<option value="([^"]+)"[^>]*>\s*([^<]*?)\s*<\/option>/g)]
        .filter(([, value]) => value === atA || value === atB)
        .map(([, value, label]) => [value, label]),
    );
    assert.deepEqual(options, { [atA]: 'P-1 (site-a)', [atB]: 'P-1 (site-b)' });
    for (const site of ['site-a', 'site-b']) {
      const screened = await everywhere.post('/trial/api/screening', {
        site,
        screeningCode: 'S-same',
        screenedOn: '2026-11-02',
        criteria: eligibleCriteria(protocol),
      });
      assert.equal(screened.status, 201, screened.text);
    }
    const screening = (await everywhere.get('/trial/screening')).text;
    assert.ok(
      screening.includes('S-same (site-a)') && screening.includes('S-same (site-b)'),
      'screening entries by site',
    );
  } finally {
    await t.close();
  }
});

test("each alert's Acknowledge button and Action taken field name the alert's participant, so two alike are told apart", async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const codes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const participantId = await enrolThroughApi(coord, protocol, 'site-a');
      const lab = await coord.post('/trial/api/labs', {
        participantId,
        visit: 'baseline',
        analyte: 'platelets',
        value: 40,
        unit: '10*9/L',
        lowerLimitOfNormal: 150,
        upperLimitOfNormal: null,
        collectedOn: '2026-11-04',
      });
      assert.equal(lab.status, 201, lab.text);
      const participant = (await t.store.listParticipants({})).find((p) => p.id === participantId);
      codes.push(participant?.participantCode ?? '');
    }
    const page = (await coord.get('/trial/safety')).text;
    const buttons = [...page.matchAll(/<button type="submit" aria-label="(Acknowledge [^"]*)"/g)].map((m) => m[1]);
    assert.equal(buttons.length, 2);
    assert.equal(new Set(buttons).size, 2, `two buttons named alike: ${buttons.join(' | ')}`);
    for (const code of codes) {
      assert.ok(
        buttons.some((b) => b?.includes(`of participant ${code}`)),
        `a button naming ${code}: ${buttons.join(' | ')}`,
      );
      assert.match(
        page,
        new RegExp(
          `<input\\s+name="actionTaken"\\s+aria-label="Action taken on the stop-rule alert of participant ${code} `,
        ),
      );
    }
  } finally {
    await t.close();
  }
});
