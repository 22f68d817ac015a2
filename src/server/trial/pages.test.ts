/**
 * The participant page lists the participant's adverse events as entered, masked for blinded viewers like every
 * stored text (a term naming an arm reads [concealed]) and verbatim for the unblinded pharmacist. A real server on
 * 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accountFor,
  eligibleCriteria,
  enrolThroughApi,
  insightProtocol,
  recordNeutropeniaAndPneumonia,
  startTestTrial,
} from './harness.test-support.ts';

test('participant page: adverse events listed with grade, seriousness, relatedness and outcome', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const event = (term: string, seriousCriteria: string[]) =>
      coord.post('/trial/api/adverse-events', {
        participantId: id,
        term,
        onsetOn: '2026-11-10',
        grade: seriousCriteria.length > 0 ? 3 : 1,
        seriousCriteria,
        relatedness: 'possible',
        expectedness: 'unexpected',
        outcome: 'recovering',
      });
    assert.equal((await event('Cellulitis of the left forearm', ['hospitalisation'])).status, 201);
    assert.equal((await event('Headache; took placebo tablets before', [])).status, 201);
    const page = await coord.get(`/trial/participants/${id}`);
    assert.equal(page.status, 200);
    const section = page.text.slice(page.text.indexOf('<h2>Adverse events</h2>'));
    assert.match(section, /Cellulitis of the left forearm/);
    assert.match(section, /<strong>yes<\/strong> \(hospitalisation\)/);
    assert.match(section, /Headache; took \[concealed\] tablets before/);
    assert.equal(/placebo/i.test(page.text), false, 'no arm name on a blinded page');
    const pharmacist = await t.signIn('unblinded-pharmacist');
    assert.match((await pharmacist.get(`/trial/participants/${id}`)).text, /Headache; took placebo tablets before/);
  } finally {
    await t.close();
  }
});

test('adverse event follow-up through the API: writers of the site only, a reason required, alert when it turns serious', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const created = await coord.post('/trial/api/adverse-events', {
      participantId: id,
      term: 'Fever',
      onsetOn: '2026-11-10',
      grade: 2,
      seriousCriteria: [],
      relatedness: 'unlikely',
      expectedness: 'expected',
      outcome: 'recovering',
    });
    assert.equal(created.status, 201);
    const path = `/trial/api/adverse-events/${(created.json as { event: { id: string } }).event.id}/updates`;
    const change = { grade: 3, seriousCriteria: ['hospitalisation'] };
    assert.equal((await coord.post(path, change)).status, 400, 'a reason is required');
    assert.equal((await coord.post(path, { ...change, participantId: 'other', reason: 'x' })).status, 400);
    assert.equal((await (await t.signIn('monitor')).post(path, { ...change, reason: 'x' })).status, 403);
    assert.equal((await (await t.signIn('coordinator', 'site-b')).post(path, { ...change, reason: 'x' })).status, 404);
    const updated = await coord.post(path, { ...change, reason: 'admitted on day 3' });
    assert.equal(updated.status, 200, updated.text);
    const body = updated.json as { event: { serious: boolean; grade: number }; alerts: { kind: string }[] };
    assert.equal(body.event.serious, true);
    assert.deepEqual(
      body.alerts.map((a) => a.kind),
      ['serious-adverse-event'],
    );
    const page = await coord.get(`/trial/participants/${id}`);
    assert.match(page.text, /<strong>yes<\/strong> \(hospitalisation\)/);
  } finally {
    await t.close();
  }
});

test('lab correction through the API: a reason required, site scope, graded again', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const created = await coord.post('/trial/api/labs', {
      participantId: id,
      visit: 'baseline',
      analyte: 'platelets',
      value: 15,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 150,
      collectedOn: '2026-11-04',
    });
    assert.equal(created.status, 201, created.text);
    const path = `/trial/api/labs/${(created.json as { lab: { id: string } }).lab.id}/corrections`;
    assert.equal((await coord.post(path, { value: 150 })).status, 400, 'a reason is required');
    assert.equal((await coord.post(path, { analyte: 'anc', reason: 'x' })).status, 400, 'the analyte stays');
    assert.equal((await (await t.signIn('monitor')).post(path, { value: 150, reason: 'x' })).status, 403);
    assert.equal((await (await t.signIn('coordinator', 'site-b')).post(path, { value: 150, reason: 'x' })).status, 404);
    const fixed = await coord.post(path, { value: 150, reason: 'one digit missed' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal((fixed.json as { lab: { assessment: { grade: number } } }).lab.assessment.grade, 0);
  } finally {
    await t.close();
  }
});

test('participant page: each visit form shows its timing against the window, unknown until the dose is recorded', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const form = await coord.post('/trial/api/forms', {
      participantId: id,
      visit: 'baseline',
      instrument: 'gad-7',
      answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
      completedOn: '2026-11-20',
    });
    assert.equal(form.status, 201, form.text);
    const page = await coord.get(`/trial/participants/${id}`);
    // The web app's protective headers (src/server/web/layout.ts PAGE_HEADERS) on the trial pages too.
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'.*frame-ancestors 'none'/);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const forms = page.text.slice(page.text.indexOf('<h2>Visit forms</h2>'));
    assert.match(forms, /<th scope="col">Timing<\/th>/);
    assert.match(forms, /<td>unknown \(no dose recorded\)<\/td>/);
    // A completion date typed wrong is corrected with a reason, like an answer.
    const path = `/trial/api/forms/${(form.json as { id: string }).id}/corrections`;
    assert.equal((await coord.post(path, { completedOn: '2026-11-19' })).status, 400, 'a reason is required');
    const redated = await coord.post(path, { completedOn: '2026-11-19', reason: 'date typed wrong' });
    assert.equal(redated.status, 200, redated.text);
    assert.match(
      (await coord.get(`/trial/participants/${id}`)).text,
      /<td><time datetime="2026-11-19">2026-11-19<\/time><\/td>/,
    );
  } finally {
    await t.close();
  }
});

test('dose correction through the API: a reason required, site scope, the visit windows follow the corrected date', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const { kitCode } = await t.randomizeOn(coord, id, '2026-11-05');
    const dose = await coord.post('/trial/api/doses', {
      participantId: id,
      visit: 'infusion',
      kitCode,
      administeredOn: '2026-11-05',
      doseMg: 560,
      bodyWeightKg: 70,
    });
    assert.equal(dose.status, 201, dose.text);
    const path = `/trial/api/doses/${(dose.json as { id: string }).id}/corrections`;
    assert.equal((await coord.post(path, { administeredOn: '2026-11-06' })).status, 400, 'a reason is required');
    assert.equal((await coord.post(path, { kitCode: 'K-1', reason: 'x' })).status, 400, 'the kit stays');
    assert.equal((await (await t.signIn('monitor')).post(path, { doseMg: 500, reason: 'x' })).status, 403);
    assert.equal(
      (await (await t.signIn('coordinator', 'site-b')).post(path, { doseMg: 500, reason: 'x' })).status,
      404,
    );
    const fixed = await coord.post(path, { administeredOn: '2026-11-06', reason: 'date typed wrong' });
    assert.equal(fixed.status, 200, fixed.text);
    const page = await coord.get(`/trial/participants/${id}`);
    assert.match(page.text, /Study drug given on 2026-11-06/);
    assert.match(page.text, /560 mg for 70 kg, within the protocol&#39;s 8 mg\/kg \(560 mg, maximum 800 mg\) \[U\]/);
    // Without the body weight the mg/kg dose is not checked, and the page says so rather than "within".
    const unweighed = await coord.post(path, { bodyWeightKg: null, reason: 'weight not measured' });
    assert.equal(unweighed.status, 200, unweighed.text);
    const again = (await coord.get(`/trial/participants/${id}`)).text;
    assert.match(
      again,
      /Dose not checked<\/strong>: Infusion recorded at 560 mg, within the maximum of 800 mg; body weight not recorded/,
    );
    assert.doesNotMatch(again, /within the protocol/);
  } finally {
    await t.close();
  }
});

test('disposition correction and voiding through the API and the participant page: a reason required, site scope, status follows', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const id = await enrolThroughApi(coord, protocol, 'site-a');
    const other = await enrolThroughApi(coord, protocol, 'site-a');
    const elsewhere = await enrolThroughApi(await t.signIn('coordinator', 'site-b'), protocol, 'site-b');
    const created = await coord.post('/trial/api/dispositions', {
      participantId: id,
      event: 'lost-to-follow-up',
      on: '2026-11-10',
    });
    assert.equal(created.status, 201, created.text);
    const exitId = (created.json as { id: string }).id;
    const path = `/trial/api/dispositions/${exitId}/corrections`;
    assert.equal((await coord.post(path, { event: 'withdrew-consent' })).status, 400, 'a reason is required');
    assert.equal((await coord.post(path, { event: 'moved-away', reason: 'x' })).status, 400);
    assert.equal((await (await t.signIn('monitor')).post(path, { event: 'completed', reason: 'x' })).status, 403);
    assert.equal(
      (await (await t.signIn('coordinator', 'site-b')).post(path, { event: 'completed', reason: 'x' })).status,
      404,
    );
    assert.equal((await coord.post(path, { participantId: elsewhere, reason: 'x' })).status, 404, 'other site');
    const fixed = await coord.post(path, { event: 'withdrew-consent', on: '2026-11-11', reason: 'reason typed wrong' });
    assert.equal(fixed.status, 200, fixed.text);
    const record = (await coord.get(`/trial/api/participants/${id}`)).json as {
      participant: { status: string };
      dispositions: { id: string; event: string; on: string }[];
    };
    assert.equal(record.participant.status, 'discontinued');
    assert.deepEqual(
      record.dispositions.map((d) => [d.id, d.event, d.on]),
      [[exitId, 'withdrew-consent', '2026-11-11']],
    );
    // On the page: the exit shown, corrected with a reason, then voided because the participant did not leave.
    const pagePath = `/trial/participants/${id}`;
    const page = await coord.get(pagePath);
    const section = page.text.slice(page.text.indexOf('<h2>Disposition</h2>'));
    assert.match(section, /Withdrew consent on 2026-11-11/);
    const form = (action: string, body: Record<string, string>) =>
      coord.request('POST', `${pagePath}/dispositions/${exitId}/${action}`, body, {
        contentType: 'application/x-www-form-urlencoded',
      });
    const noReason = await form('corrections', { event: 'completed', on: '2026-11-11', participantId: id });
    assert.equal(noReason.status, 400);
    assert.match(noReason.text, /Not saved: reason: required/);
    assert.match(noReason.text, /<details open>\s*<summary>Correct this exit/, 'the refused correction shown open');
    const moved = await form('corrections', {
      event: 'completed',
      on: '2026-11-12',
      participantId: other,
      reason: 'other participant',
    });
    assert.match((await coord.get(moved.headers.get('location') ?? '')).text, /Exit moved/);
    const statuses = async () =>
      Promise.all(
        [id, other].map(
          async (p) =>
            ((await coord.get(`/trial/api/participants/${p}`)).json as { participant: { status: string } }).participant
              .status,
        ),
      );
    assert.deepEqual(await statuses(), ['enrolled', 'completed']);
    assert.match((await coord.get(`/trial/participants/${id}`)).text, /No exit recorded/);
    const voided = await coord.request(
      'POST',
      `/trial/participants/${other}/dispositions/${exitId}/void`,
      { reason: 'the participant did not leave' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    assert.match((await coord.get(voided.headers.get('location') ?? '')).text, /Exit voided/);
    assert.deepEqual(await statuses(), ['enrolled', 'enrolled']);
    assert.equal((await coord.post(`/trial/api/dispositions/${exitId}/void`, { reason: 'again' })).status, 404);
    // The monitor reads the trail: every step kept with its reason.
    const audit = (await (await t.signIn('monitor')).get('/trial/api/audit?limit=1000')).json as {
      entity: string;
      action: string;
      reason: string;
    }[];
    assert.deepEqual(
      audit.filter((e) => e.entity === 'disposition').map((e) => [e.action, e.reason]),
      [
        ['create', 'disposition'],
        ['correct', 'reason typed wrong'],
        ['correct', 'other participant'],
        ['void', 'the participant did not leave'],
      ],
    );
  } finally {
    await t.close();
  }
});

test('an enrolment entered wrong is corrected through the API with a reason, by the site that enrolled', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a', 'low');
    const path = `/trial/api/participants/${id}/corrections`;
    assert.equal((await coord.post(path, { baselineCrpMgPerL: 12 })).status, 400, 'a reason is required');
    const other = await t.signIn('coordinator', 'site-b');
    assert.equal((await other.post(path, { baselineCrpMgPerL: 12, reason: 'x' })).status, 404);
    const monitor = await t.signIn('monitor');
    assert.equal((await monitor.post(path, { baselineCrpMgPerL: 12, reason: 'x' })).status, 403);
    const fixed = await coord.post(path, { baselineCrpMgPerL: 12, reason: 'typed 1.2 for 12' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.deepEqual(
      [
        (fixed.json as { baselineCrpMgPerL: number }).baselineCrpMgPerL,
        (fixed.json as { strata: { crp: string } }).strata.crp,
      ],
      [12, 'high'],
    );
  } finally {
    await t.close();
  }
});

test('a consent entered wrong is corrected, or voided when on the wrong entry, through the API with a reason', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const screening = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-CONSENT-1',
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(protocol),
    });
    const screeningId = (screening.json as { id: string }).id;
    const consent = await coord.post('/trial/api/consents', {
      screeningId,
      consentedOn: '2026-11-13',
      formVersion: 'v1.0',
    });
    const id = (consent.json as { id: string }).id;
    const listed = (await coord.get('/trial/api/consents')).json as { id: string }[];
    assert.ok(listed.some((c) => c.id === id));
    const fix = (body: Record<string, unknown>, who = coord) => who.post(`/trial/api/consents/${id}/corrections`, body);
    assert.equal((await fix({ consentedOn: '2026-11-03' })).status, 400, 'a reason is required');
    assert.equal(
      (await fix({ consentedOn: '2026-11-03', reason: 'x' }, await t.signIn('coordinator', 'site-b'))).status,
      404,
    );
    assert.equal((await fix({ consentedOn: '2026-11-03', reason: 'x' }, await t.signIn('monitor'))).status, 403);
    const fixed = await fix({ consentedOn: '2026-11-03', reason: 'typed 13 for 03' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal((fixed.json as { consentedOn: string }).consentedOn, '2026-11-03');
    const voided = await coord.post(`/trial/api/consents/${id}/void`, { reason: 'recorded against the wrong entry' });
    assert.equal(voided.status, 200, voided.text);
    assert.equal(((await coord.get('/trial/api/consents')).json as unknown[]).length, 0);
  } finally {
    await t.close();
  }
});

test('a screening entry entered wrong is corrected through the API with a reason, the verdict derived again', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const right = eligibleCriteria(insightProtocol(t.engine));
    const wrong = right.map((c, i) => (i === 0 ? { ...c, status: 'not-met' as const } : c));
    const entry = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-FIX-1',
      screenedOn: '2026-11-02',
      criteria: wrong,
    });
    assert.equal((entry.json as { verdict: string }).verdict, 'ineligible');
    const path = `/trial/api/screening/${(entry.json as { id: string }).id}/corrections`;
    assert.equal((await coord.post(path, { criteria: right })).status, 400, 'a reason is required');
    const other = await t.signIn('coordinator', 'site-b');
    assert.equal((await other.post(path, { criteria: right, reason: 'x' })).status, 404);
    const fixed = await coord.post(path, { criteria: right, reason: 'inclusion 1 was clicked wrong' });
    assert.equal(fixed.status, 200, fixed.text);
    assert.equal((fixed.json as { verdict: string }).verdict, 'eligible');
  } finally {
    await t.close();
  }
});

test('participant page: the infusion form says which pre-dose safety labs are missing, undecided or at a hold', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    assert.equal((await coord.post(`/trial/api/participants/${id}/randomize`, {})).status, 201);
    const lab = (analyte: string, value: number, unit: string, uln: number | null, lln: number | null) =>
      coord.post('/trial/api/labs', {
        participantId: id,
        visit: 'baseline',
        analyte,
        value,
        unit,
        upperLimitOfNormal: uln,
        lowerLimitOfNormal: lln,
        collectedOn: '2026-11-04',
      });
    assert.equal((await lab('anc', 1800, '/uL', null, 2000)).status, 201);
    assert.equal((await lab('platelets', 240, '10*9/L', null, 150)).status, 201);
    assert.equal((await lab('alt', 30, 'U/L', null, null)).status, 201);
    const form = async () => {
      const text = (await coord.get(`/trial/participants/${id}`)).text;
      return text.slice(text.indexOf('study drug given</h2>'), text.indexOf('Record the dose'));
    };
    const blocked = await form();
    assert.match(blocked, /Pre-dose safety labs not cleared/);
    assert.match(blocked, /anc 1800 \/uL on 2026-11-04: hold \(ANC &lt; 2000\/mm3/);
    assert.match(blocked, /alt 30 U\/L on 2026-11-04: rules could not be checked/);
    assert.match(blocked, /ast: no result before the infusion/);
    assert.doesNotMatch(blocked, /platelets 240/);
    // The same day's ANC repeated in range, the ALT corrected with its ULN, the AST entered: cleared.
    assert.equal((await lab('anc', 2600, '/uL', null, 2000)).status, 201);
    assert.equal((await lab('ast', 20, 'U/L', 40, null)).status, 201);
    const alt = (
      (await coord.get(`/trial/api/participants/${id}`)).json as { labs: { id: string; analyte: string }[] }
    ).labs.find((l) => l.analyte === 'alt');
    const fixed = await coord.post(`/trial/api/labs/${alt?.id}/corrections`, {
      upperLimitOfNormal: 40,
      reason: 'ULN left out',
    });
    assert.equal(fixed.status, 200, fixed.text);
    const still = await form();
    assert.match(still, /anc 1800 \/uL on 2026-11-04: hold/, 'a same-day repeat does not hide the result at a hold');
    assert.doesNotMatch(still, /alt|ast/);
    // Drawn again the next day, in range: every latest result is in and no rule applies.
    const again = await coord.post('/trial/api/labs', {
      participantId: id,
      visit: 'baseline',
      analyte: 'anc',
      value: 2.5,
      unit: '10*9/L',
      upperLimitOfNormal: null,
      lowerLimitOfNormal: 2,
      collectedOn: '2026-11-05',
    });
    assert.equal(again.status, 201, again.text);
    const cleared = await form();
    assert.doesNotMatch(cleared, /not cleared/);
    assert.match(cleared, /each latest result is in, and\s+no\s+do-not-initiate, hold or stop rule applies/);
  } finally {
    await t.close();
  }
});

test('lab entry page: a count reported per mm3 is entered in /uL and graded as such', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const page = (await coord.get(`/trial/participants/${id}`)).text;
    const form = page.slice(page.indexOf(`action="/trial/participants/${id}/labs"`));
    assert.match(form, /<option value="\/uL"\s*>\s*\/uL \(cells per microlitre = per mm3\)/);
    assert.match(form, /<option value="ukat\/L"/);
    const saved = await coord.request(
      'POST',
      `/trial/participants/${id}/labs`,
      {
        visit: 'baseline',
        analyte: 'anc',
        value: '1800',
        unit: '/uL',
        lowerLimitOfNormal: '2000',
        upperLimitOfNormal: '',
        collectedOn: '2026-11-04',
      },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    assert.equal(saved.status, 303, saved.text);
    const labs = (
      (await coord.get(`/trial/api/participants/${id}`)).json as {
        labs: { unit: string; assessment: { action: string; rules: string[] } }[];
      }
    ).labs;
    assert.deepEqual(
      labs.map((l) => [l.unit, l.assessment.action, l.assessment.rules]),
      [['/uL', 'hold', ['anc-do-not-initiate']]],
    );
  } finally {
    await t.close();
  }
});

test('participant page: the Randomize form names the stratum it randomizes in, and is offered only while enrolled', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const id = await enrolThroughApi(coord, protocol, 'site-a', 'low');
    const path = `/trial/participants/${id}`;
    const page = (await coord.get(path)).text;
    const start = page.indexOf(`action="${path}/randomize"`);
    assert.ok(start > 0, 'the Randomize form');
    const form = page.slice(start, page.indexOf('</form>', start));
    assert.match(form, /the stratum\s*<strong\s*>crp low, site site-a<\/strong\s*> \(baseline hs-CRP 1\.2 mg\/L\)/);
    // An exit before randomization: no Randomize button for a randomization the store refuses.
    const exit = await coord.post('/trial/api/dispositions', { participantId: id, event: 'other', on: '2026-11-05' });
    assert.equal(exit.status, 201, exit.text);
    assert.equal((await coord.get(path)).text.includes(`action="${path}/randomize"`), false);
  } finally {
    await t.close();
  }
});

test('participant page: the exit form preselects no reason for leaving, and one sent as it opened records no exit', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const page = (await coord.get(path)).text;
    const start = page.indexOf(`action="${path}/dispositions"`);
    assert.ok(start > 0, 'the exit form');
    const form = page.slice(start, page.indexOf('</form>', start));
    // The first option is the empty choice, required, and no exit is selected ("Completed the study" was).
    assert.match(
      form,
      /<select id="exit-event" name="event" required\s*>\s*<option value="">choose the reason for leaving<\/option>/,
    );
    assert.doesNotMatch(form, /<option value="[a-z-]+" selected/);
    const sent = await coord.request(
      'POST',
      `${path}/dispositions`,
      { event: '', on: '2026-11-20' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    assert.equal(sent.status, 400, sent.text);
    assert.match(sent.text, /Not saved: disposition: invalid field\(s\): event/);
    assert.deepEqual(
      ((await coord.get(`/trial/api/participants/${id}`)).json as { dispositions: unknown[] }).dispositions,
      [],
    );
  } finally {
    await t.close();
  }
});

test('participant page: the lab form offers only the visits that take safety labs (not the infusion visit)', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const page = (await coord.get(path)).text;
    const start = page.indexOf(`action="${path}/labs"`);
    assert.ok(start > 0);
    const form = page.slice(start, page.indexOf('</form>', start));
    assert.match(form, /<option value="baseline"/);
    assert.doesNotMatch(form, /<option value="infusion"/);
    // Under a heading of its own, which a keyboard or screen reader user finds it by: after the corrections of the
    // results above it, its fields would otherwise read as one more correction.
    assert.match(page, new RegExp(`<h3>Enter a lab result</h3>\\s*<form method="post" action="${path}/labs"`));
  } finally {
    await t.close();
  }
});

test('a page a browser opens that is refused (another site, a role without safety data) is a page, not JSON', async () => {
  const t = await startTestTrial();
  try {
    const coordB = await t.signIn('coordinator', 'site-b');
    const other = await enrolThroughApi(coordB, insightProtocol(t.engine), 'site-b');
    const accept = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const open = async (role: Parameters<typeof t.signIn>[0], path: string) => {
      const client = await t.signIn(role, 'site-a');
      const reply = await fetch(t.url + path, { headers: { ...accept, cookie: client.cookie } });
      return { status: reply.status, type: reply.headers.get('content-type') ?? '', text: await reply.text() };
    };
    const notFound = await open('coordinator', `/trial/participants/${other}`);
    assert.equal(notFound.status, 404);
    assert.match(notFound.type, /^text\/html/);
    assert.match(notFound.text, /<html lang="en">/);
    assert.match(notFound.text, /<title>Participant or page not found · /);
    assert.match(notFound.text, /<a href="\/trial\/"\s*>Go to the participants<\/a\s*>/);
    assert.equal(notFound.text.includes(other), false, 'the address is not repeated');
    const forbidden = await open('outcome-rater', '/trial/safety');
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.text, /<title>Not allowed · /);
    assert.match(forbidden.text, /The outcome-rater role does not see safety data\./);
    // The API, and a client that does not ask for HTML, keep the OperationOutcome.
    const api = await (await t.signIn('coordinator', 'site-a')).get(`/trial/participants/${other}`);
    assert.equal(api.status, 404);
    assert.equal((api.json as { resourceType?: string }).resourceType, 'OperationOutcome');
  } finally {
    await t.close();
  }
});

test('open safety alerts are listed as records, not as live alerts a screen reader reads out on every visit', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    await t.randomizeOn(coord, id, '2026-11-05');
    await recordNeutropeniaAndPneumonia(coord, id);
    for (const path of ['/trial/safety', '/trial/', `/trial/participants/${id}`]) {
      const page = (await coord.get(path)).text;
      assert.match(page, /<ul aria-label="Open safety alerts">/, path);
      const list = page.slice(page.indexOf('<ul aria-label="Open safety alerts">'));
      assert.match(list, /Neutrophil count decreased/, path);
      assert.doesNotMatch(list.slice(0, list.indexOf('</ul>')), /role="alert"/, path);
    }
  } finally {
    await t.close();
  }
});

test('the navigation marks the page shown with aria-current="page", and no other link', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const current = (text: string) => [...text.matchAll(/<a href="([^"]*)"\s+aria-current="page">/g)].map((m) => m[1]);
    for (const path of ['/trial/', '/trial/screening', '/trial/safety', '/trial/consort']) {
      assert.deepEqual(current((await coord.get(path)).text), [path], path);
    }
    // A page with no link of its own (a participant's) marks none.
    assert.deepEqual(current((await coord.get(`/trial/participants/${id}`)).text), []);
  } finally {
    await t.close();
  }
});

test('every signed-in page offers Sign out in its header, a POST form with the CSRF token, and it signs out', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const rater = await t.signIn('outcome-rater', 'site-a');
    const open = async (cookie: string, path: string) =>
      (await fetch(t.url + path, { headers: { accept: 'text/html', cookie } })).text();
    const pages: [string, string][] = [
      [coord.cookie, '/trial/'],
      [coord.cookie, '/trial/screening'],
      [coord.cookie, '/trial/safety'],
      [coord.cookie, '/trial/consort'],
      [coord.cookie, `/trial/participants/${id}`],
      [rater.cookie, '/trial/safety'], // refused (403), still signed in
    ];
    for (const [cookie, path] of pages) {
      const text = await open(cookie, path);
      const header = text.slice(text.indexOf('<header'), text.indexOf('</header>'));
      assert.match(
        header,
        /<form method="post" action="\/trial\/logout"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+"/,
        path,
      );
      assert.equal(text.split('>Sign out</button>').length - 1, 1, `one Sign out on ${path}`);
    }
    // Signed out: no Sign out on the sign-in page.
    assert.doesNotMatch(await open('', '/trial/login'), /action="\/trial\/logout"/);
    // The header's form signs out.
    const consort = await open(coord.cookie, '/trial/consort');
    const token = /action="\/trial\/logout"[^>]*>\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(consort);
    const out = await coord.request(
      'POST',
      '/trial/logout',
      { _csrf: token?.[1] ?? '' },
      { contentType: 'application/x-www-form-urlencoded', csrf: false },
    );
    assert.equal(out.status, 303);
    assert.equal((await coord.get('/trial/api/session')).status, 401);
  } finally {
    await t.close();
  }
});

test('screening page: consent offers the eligible entries without a consent, enrolment the consented ones not enrolled', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    await enrolThroughApi(coord, protocol, 'site-a'); // screened, consented and enrolled: offered by neither
    const screen = async (code: string) => {
      const r = await coord.post('/trial/api/screening', {
        site: 'site-a',
        screeningCode: code,
        screenedOn: '2026-11-02',
        criteria: eligibleCriteria(protocol),
      });
      assert.equal(r.status, 201, r.text);
      return (r.json as { id: string }).id;
    };
    await screen('S-AWAITS-CONSENT');
    const consented = await screen('S-AWAITS-ENROLMENT');
    const c = await coord.post('/trial/api/consents', {
      screeningId: consented,
      consentedOn: '2026-11-03',
      formVersion: 'v1.0',
    });
    assert.equal(c.status, 201, c.text);
    const page = (await coord.get('/trial/screening')).text;
    const options = (id: string) => {
      const start = page.indexOf(`id="${id}"`);
      const select = page.slice(start, page.indexOf('</select>', start));
      return [...select.matchAll(/<option value="[^"]*"\s*>\s*([^<]*?)\s*<\/option>/g)].map((m) => m[1]);
    };
    assert.deepEqual(options('consent-screening'), ['S-AWAITS-CONSENT']);
    assert.deepEqual(options('enrol-screening'), ['S-AWAITS-ENROLMENT']);
  } finally {
    await t.close();
  }
});

test('participant page: each visit form offers only the visits that collect its instrument, and none the protocol never collects', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const page = (await coord.get(path)).text;
    const visitsOffered = (instrument: string) => {
      const start = page.indexOf(`name="instrument" value="${instrument}"`);
      if (start < 0) return undefined;
      const select = page.slice(start, page.indexOf('</select>', start));
      return [...select.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]);
    };
    assert.deepEqual(visitsOffered('gad-7'), ['baseline', 'day-7', 'day-14', 'day-28']);
    assert.deepEqual(visitsOffered('bdi-ii'), ['screening', 'baseline', 'day-7', 'day-14', 'day-28']);
    // INSIGHT collects no PHQ-9: no form to fill in and have refused at every visit.
    assert.equal(visitsOffered('phq-9'), undefined);
    // A visit that does not collect it, sent anyway: refused naming the visits that do, the visit field marked.
    const refused = await coord.request(
      'POST',
      `${path}/forms`,
      { instrument: 'gad-7', visit: 'screening', completedOn: '2026-11-02', item1: '1' },
      { contentType: 'application/x-www-form-urlencoded' },
    );
    assert.equal(refused.status, 400);
    assert.match(
      refused.text,
      /Not saved: form: the screening visit does not collect GAD-7 \(the protocol collects it at baseline, day-7, day-14, day-28\)/,
    );
    assert.match(refused.text, /name="visit"\s+aria-invalid="true"/);
  } finally {
    await t.close();
  }
});

test('a page opened without a session (a bookmark, a link, a session ended) is shown again after signing in', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const opened = await fetch(`${t.url}${path}`, { redirect: 'manual' });
    assert.equal(opened.status, 303);
    const login = opened.headers.get('location') ?? '';
    assert.equal(login, `/trial/login?next=${encodeURIComponent(path)}`);
    const page = await (await fetch(`${t.url}${login}`)).text();
    assert.match(page, new RegExp(`<input type="hidden" name="next" value="${path}" />`));
    const account = accountFor('coordinator', 'site-a');
    const signIn = (fields: Record<string, string>) =>
      fetch(`${t.url}/trial/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    // A password mistyped keeps where to go.
    const mistyped = await signIn({ username: account.username, password: 'not-the-password', next: path });
    assert.equal(mistyped.status, 401);
    assert.match(await mistyped.text(), new RegExp(`name="next" value="${path}"`));
    const signedIn = await signIn({ username: account.username, password: account.password, next: path });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get('location'), path);
    // Only a trial page: another address is never a place to go.
    for (const next of ['//elsewhere.example/trial/', 'https://elsewhere.example/', '/trial/../api']) {
      const shown = await (await fetch(`${t.url}/trial/login?next=${encodeURIComponent(next)}`)).text();
      assert.doesNotMatch(shown, /name="next"/, next);
    }
  } finally {
    await t.close();
  }
});
