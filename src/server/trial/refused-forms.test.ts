/**
 * Nothing a user entered is lost: a page form the store refuses (a date out of order, a number that is not a plain
 * decimal, a pasted Bundle that is not JSON) answers its page again with the reason and every field as it was typed,
 * instead of redirecting to an empty form. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eligibleCriteria, enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

const FORM = { contentType: 'application/x-www-form-urlencoded' };

/** The HTML of the form posting to `action` (from its opening tag to its end). */
function formOf(page: string, action: string): string {
  const start = page.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `the page has the form posting to ${action}`);
  return page.slice(start, page.indexOf('</form>', start));
}

test('a refused visit form comes back with the reason and every answer as typed', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    // Day 14 before randomization: refused by the store (a follow-up visit needs randomization).
    const answers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`item${i + 1}`, String((i * 7) % 7)]));
    answers.item3 = '5';
    answers.item9 = '';
    const refused = await coord.request(
      'POST',
      `${path}/forms`,
      { instrument: 'madrs', visit: 'day-14', completedOn: '2026-11-10', ...answers },
      FORM,
    );
    assert.equal(refused.status, 409);
    assert.match(refused.headers.get('content-type') ?? '', /text\/html/);
    assert.match(refused.text, /Not saved: /);
    const start = refused.text.indexOf('name="instrument" value="madrs"');
    assert.ok(start > 0, 'the MADRS form');
    const form = refused.text.slice(start, refused.text.indexOf('</form>', start));
    const opened = refused.text.slice(refused.text.lastIndexOf('<details', start), start);
    assert.match(opened, /<details open/, 'the refused form is shown open');
    assert.match(form, /name="completedOn"[^>]*value="2026-11-10"/);
    assert.match(form, /<option value="day-14"[^>]*selected/);
    assert.match(form, /name="item3"[^>]*value="5"/);
    assert.match(form, /name="item1"[^>]*value="0"/);
    assert.doesNotMatch(form, /name="item9"[^>]*value="\d/);
    assert.equal((await t.store.listForms({ participantId: id })).length, 0);
  } finally {
    await t.close();
  }
});

test('a refused lab result keeps the visit, analyte, limits and the value as typed', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const refused = await coord.request(
      'POST',
      `${path}/labs`,
      {
        visit: 'baseline',
        analyte: 'alt',
        value: '4O',
        unit: 'U/L',
        upperLimitOfNormal: '40',
        collectedOn: '2026-11-05',
      },
      FORM,
    );
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Not saved: value: not a plain decimal number/);
    const form = formOf(refused.text, `${path}/labs`);
    assert.match(form, /<option value="alt"[^>]*selected/);
    assert.match(form, /<option value="U\/L"[^>]*selected/);
    assert.match(form, /name="value"[^>]*value="4O"/);
    assert.match(form, /name="upperLimitOfNormal"[^>]*value="40"/);
    assert.match(form, /name="collectedOn"[^>]*value="2026-11-05"/);
    // What a blinded viewer typed is shown masked like every stored text: no arm name on the page, no 500.
    const masked = await coord.request(
      'POST',
      `${path}/labs`,
      { visit: 'baseline', analyte: 'alt', value: t.armNames[0] ?? '', unit: 'U/L', collectedOn: '2026-11-05' },
      FORM,
    );
    assert.equal(masked.status, 400);
    assert.match(formOf(masked.text, `${path}/labs`), /name="value"[^>]*value="\[concealed\]"/);
  } finally {
    await t.close();
  }
});

test('a screening sent with no criterion answered and no Bundle says what is missing, in the words of the form', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const refused = await coord.request(
      'POST',
      '/trial/screening',
      { site: 'site-a', screeningCode: 'SCR-0043', screenedOn: '2026-11-02', bundle: ' ' },
      FORM,
    );
    assert.equal(refused.status, 400);
    assert.match(
      refused.text,
      /Not saved: screening: no criterion was answered and no FHIR R4 Bundle was pasted: answer the criteria/,
    );
    assert.doesNotMatch(refused.text, /invalid field\(s\): criteria/);
    assert.match(formOf(refused.text, '/trial/screening'), /name="screeningCode"[^>]*value="SCR-0043"/);
    assert.equal((await t.store.listScreening({})).length, 0);
  } finally {
    await t.close();
  }
});

test('a screening without a Bundle takes a criterion left "from the record (or unknown)" as unknown: needs data', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const [first, second] = protocol.criteria;
    assert.ok(first !== undefined && second !== undefined);
    const saved = await coord.request(
      'POST',
      '/trial/screening',
      {
        site: 'site-a',
        screeningCode: 'SCR-0044',
        screenedOn: '2026-11-02',
        bundle: '',
        [`c-${first.id}`]: first.kind === 'inclusion' ? 'met' : 'not-met',
        [`c-${second.id}`]: '',
      },
      FORM,
    );
    assert.equal(saved.status, 303, saved.text.slice(0, 500));
    const [entry] = await t.store.listScreening({});
    assert.equal(entry?.verdict, 'needs-data');
    assert.equal(entry?.criteria.length, protocol.criteria.length);
    assert.equal(entry?.criteria.find((c) => c.id === first.id)?.reason, 'entered by the screener');
    const left = entry?.criteria.find((c) => c.id === second.id);
    assert.deepEqual([left?.status, left?.source], ['unknown', 'entered']);
    assert.match(left?.reason ?? '', /not answered by the screener, and no record given/);
  } finally {
    await t.close();
  }
});

test('a refused screening keeps the pasted Bundle, the code and the answers entered', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const criterion = protocol.criteria[0]?.id ?? '';
    const bundle = '{"resourceType": "Bundle", "entry": [ <truncated paste';
    const refused = await coord.request(
      'POST',
      '/trial/screening',
      {
        site: 'site-a',
        screeningCode: 'SCR-0042',
        screenedOn: '2026-11-02',
        bundle,
        [`c-${criterion}`]: 'not-met',
      },
      FORM,
    );
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Not saved: the Bundle is not valid JSON/);
    const form = formOf(refused.text, '/trial/screening');
    assert.match(form, /name="screeningCode"[^>]*value="SCR-0042"/);
    assert.match(form, /name="screenedOn"[^>]*value="2026-11-02"/);
    assert.ok(
      form.includes(
        '{&quot;resourceType&quot;: &quot;Bundle&quot;, &quot;entry&quot;: [ &lt;truncated paste</textarea>',
      ),
    );
    assert.match(form, new RegExp(`name="c-${criterion}"[\\s\\S]*?<option value="not-met"[^>]*selected`));
    // The refusal is about the Bundle: its field is marked and tied to the reason, as a refused date's is.
    assert.match(form, /<textarea id="bundle" name="bundle"\s+aria-invalid="true" aria-describedby="refused-reason"/);
    // So is one the engine cannot read (no Patient in it).
    const noPatient = await coord.request(
      'POST',
      '/trial/screening',
      {
        site: 'site-a',
        screeningCode: 'SCR-0042',
        screenedOn: '2026-11-02',
        bundle: '{"resourceType": "Bundle", "type": "collection", "entry": []}',
      },
      FORM,
    );
    assert.equal(noPatient.status, 400);
    assert.match(noPatient.text, /Not saved: the Bundle holds no Patient resource/);
    assert.match(
      formOf(noPatient.text, '/trial/screening'),
      /<textarea id="bundle" name="bundle"\s+aria-invalid="true" aria-describedby="refused-reason"/,
    );
    assert.equal((await t.store.listScreening({})).length, 0);
  } finally {
    await t.close();
  }
});

test('a page form posted with a body that is not a form (JSON null, a list) is refused with a reason, not a 500', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    for (const [action, body] of [
      [`/trial/participants/${id}/labs`, 'null'],
      ['/trial/consents', '[]'],
      [`/trial/participants/${id}/dispositions`, '"x"'],
    ] as const) {
      const reply = await fetch(`${t.url}${action}`, {
        method: 'POST',
        headers: { cookie: coord.cookie, 'x-csrf-token': coord.csrf, 'content-type': 'application/json' },
        body,
      });
      assert.equal(reply.status, 400, `${action} ${body}`);
      assert.match(await reply.text(), /Not saved: the form was not sent as a form/);
    }
    assert.equal((await t.store.listLabs({ participantId: id })).length, 0);
  } finally {
    await t.close();
  }
});

test('the dose form asks for the kit code on the pack given: another kit is refused and the form comes back', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const { kitCode } = await t.randomizeOn(coord, id, '2026-11-05');
    assert.match(formOf((await coord.get(path)).text, `${path}/doses`), /name="kitCode"[^>]*required/);
    // Any other kit of the list: a pack taken from the wrong shelf.
    const other = kitCode === 'K0001' ? 'K0002' : 'K0001';
    const typed = { kitCode: other, administeredOn: '2026-11-05', bodyWeightKg: '70', doseMg: '560' };
    const refused = await coord.request('POST', `${path}/doses`, typed, FORM);
    assert.equal(refused.status, 409);
    assert.match(refused.text, /the kit is not the one allocated to this participant/);
    const form = formOf(refused.text, `${path}/doses`);
    assert.match(form, new RegExp(`name="kitCode"[^>]*value="${other}"`));
    assert.match(form, /name="administeredOn"[^>]*value="2026-11-05"/);
    assert.equal((await t.store.snapshot()).doses.filter((d) => d.participantId === id).length, 0);
    const given = await coord.request('POST', `${path}/doses`, { ...typed, kitCode: ` ${kitCode} ` }, FORM);
    assert.ok([200, 303].includes(given.status), `${given.status}`);
    assert.equal((await t.store.snapshot()).doses.find((d) => d.participantId === id)?.kitCode, kitCode);
    // No pre-dose labs were entered: the confirmation counts the alert raised, as a lab result's does.
    assert.match(
      (await coord.get(given.headers.get('location') ?? '')).text,
      /Dose recorded: the visit windows are now anchored on it; 1 safety alert\(s\) raised/,
    );
  } finally {
    await t.close();
  }
});

test('the enrolment form takes the baseline hs-CRP with its unit: mg/dL is converted, a value without a unit refused', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const enrolEntry = async (code: string) => {
      const screening = await coord.post('/trial/api/screening', {
        site: 'site-a',
        screeningCode: code,
        screenedOn: '2026-11-02',
        criteria: eligibleCriteria(protocol),
      });
      const screeningId = (screening.json as { id: string }).id;
      await coord.post('/trial/api/consents', { screeningId, consentedOn: '2026-11-03', formVersion: 'v1.0' });
      return screeningId;
    };
    const screeningId = await enrolEntry('S-CRP-1');
    const typed = { screeningId, participantCode: 'P-CRP-1', enrolledOn: '2026-11-04', baselineCrp: '0.5' };
    // No unit chosen: refused, and the form comes back as typed (0.5 taken as mg/L would read the low band).
    const refused = await coord.request('POST', '/trial/participants', typed, FORM);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Not saved: baseline hs-CRP: choose its unit, as on the laboratory report/);
    const form = formOf(refused.text, '/trial/participants');
    assert.match(form, /name="baselineCrp"[^>]*value="0.5"/);
    assert.match(form, /<option value="mg\/dL"[^>]*>\s*mg\/dL \(milligrams per decilitre/);
    assert.equal((await t.store.listParticipants()).length, 0);
    // 0.5 mg/dL is 5 mg/L: the high band; stored as entered and converted, and shown both ways.
    const saved = await coord.request('POST', '/trial/participants', { ...typed, baselineCrpUnit: 'mg/dL' }, FORM);
    assert.equal(saved.status, 303, saved.text);
    const [p] = await t.store.listParticipants();
    assert.deepEqual(
      [p?.baselineCrp, p?.baselineCrpMgPerL, p?.strata.crp],
      [{ value: 0.5, unit: 'mg/dL', comparator: null }, 5, 'high'],
    );
    const page = (await coord.get(`/trial/participants/${p?.id}`)).text;
    assert.match(page, /baseline hs-CRP 0.5 mg\/dL \(5 mg\/L\)/);
  } finally {
    await t.close();
  }
});

test('the enrolment form and its correction take sex and the date of birth or age at consent (SDTM DM), none preselected', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const screening = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-DM-1',
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(protocol),
    });
    const screeningId = (screening.json as { id: string }).id;
    await coord.post('/trial/api/consents', { screeningId, consentedOn: '2026-11-03', formVersion: 'v1.0' });
    const enrolForm = formOf((await coord.get('/trial/screening')).text, '/trial/participants');
    assert.match(enrolForm, /<option value="">not recorded<\/option>/);
    assert.doesNotMatch(enrolForm, /<option value="[MFU]"[^>]*selected/);
    const typed = {
      screeningId,
      participantCode: 'P-DM-1',
      enrolledOn: '2026-11-04',
      baselineCrp: '6.5',
      baselineCrpUnit: 'mg/L',
      sex: 'F',
      birthDate: '1962-11-04',
      ageAtConsent: '',
    };
    // A birth date after the consent is refused, and named as the field to correct.
    const refused = await coord.request('POST', '/trial/participants', { ...typed, birthDate: '2062-11-04' }, FORM);
    assert.equal(refused.status, 400);
    assert.match(formOf(refused.text, '/trial/participants'), /name="birthDate"[^>]*aria-invalid="true"/);
    const saved = await coord.request('POST', '/trial/participants', typed, FORM);
    assert.equal(saved.status, 303, saved.text);
    const [p] = await t.store.listParticipants();
    assert.deepEqual([p?.sex, p?.birthDate, p?.ageAtConsent], ['F', '1962-11-04', null]);
    const path = `/trial/participants/${p?.id}`;
    const page = (await coord.get(path)).text;
    assert.match(page, /sex female; born 1962-11-04/);
    const form = formOf(page, `${path}/corrections`);
    assert.match(form, /<option value="F"[^>]*selected/);
    assert.match(form, /name="birthDate"[^>]*value="1962-11-04"/);
    // The site does not keep birth dates: the age at consent replaces it.
    const fixed = await coord.request(
      'POST',
      `${path}/corrections`,
      {
        participantCode: 'P-DM-1',
        enrolledOn: '2026-11-04',
        baselineCrp: '6.5',
        baselineCrpUnit: 'mg/L',
        baselineCrpComparator: '',
        sex: 'F',
        birthDate: '',
        ageAtConsent: '63',
        reason: 'birth dates are not kept at this site',
        version: '1',
      },
      FORM,
    );
    assert.equal(fixed.status, 303, fixed.text);
    const after = (await t.store.getParticipant(p!.id))!;
    assert.deepEqual([after.sex, after.birthDate, after.ageAtConsent], ['F', null, 63]);
    assert.match((await coord.get(path)).text, /sex female; aged 63 at consent/);
  } finally {
    await t.close();
  }
});

test('the lab form enters a result reported below the assay limit as censored, and the page shows it as reported', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const page = (await coord.get(path)).text;
    assert.match(formOf(page, `${path}/labs`), /<option value="&lt;"[^>]*>&lt; below the assay/);
    const fields = {
      visit: 'baseline',
      analyte: 'alt',
      unit: 'U/L',
      upperLimitOfNormal: '40',
      collectedOn: '2026-11-05',
    };
    const saved = await coord.request('POST', `${path}/labs`, { ...fields, comparator: '<', value: '5' }, FORM);
    assert.equal(saved.status, 303, saved.text);
    const [lab] = await t.store.listLabs({ participantId: id });
    assert.deepEqual([lab?.comparator, lab?.value, lab?.assessment.grade], ['<', 5, 0]);
    assert.match((await coord.get(path)).text, /<td>&lt;5 U\/L \(censored\)<\/td>/);
    // A comparator the form does not offer is refused, and nothing is stored.
    const refused = await coord.request('POST', `${path}/labs`, { ...fields, comparator: '<=', value: '5' }, FORM);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Not saved: lab result: invalid field\(s\): comparator/);
    assert.equal((await t.store.listLabs({ participantId: id })).length, 1);
  } finally {
    await t.close();
  }
});

test('the participant page corrects the enrolment: the baseline hs-CRP with its unit, without writing back a masked code', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a', 'low');
    const path = `/trial/participants/${id}`;
    const form = formOf((await coord.get(path)).text, `${path}/corrections`);
    assert.match(form, /name="baselineCrp"[^>]*value="1.2"/);
    assert.match(form, /<option value="mg\/L"[^>]*selected/);
    const before = (await t.store.getParticipant(id))!;
    const fields = {
      participantCode: before.participantCode,
      enrolledOn: before.enrolledOn,
      baselineCrp: '0.5',
      baselineCrpUnit: '',
      baselineCrpComparator: '',
      reason: 'the report gave mg/dL',
      version: '1',
    };
    // A changed value without its unit is refused; with it, the strata follow (not yet randomized).
    const refused = await coord.request('POST', `${path}/corrections`, fields, FORM);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /Not saved: baseline hs-CRP: choose its unit/);
    const fixed = await coord.request('POST', `${path}/corrections`, { ...fields, baselineCrpUnit: 'mg/dL' }, FORM);
    assert.equal(fixed.status, 303, fixed.text);
    const after = (await t.store.getParticipant(id))!;
    assert.deepEqual(
      [after.baselineCrp, after.baselineCrpMgPerL, after.strata.crp, after.version],
      [{ value: 0.5, unit: 'mg/dL', comparator: null }, 5, 'high', 2],
    );
    // A code naming an arm is shown [concealed] to the coordinator; correcting the date leaves the code as entered.
    await t.store.correctEnrolment(
      { actor: { userId: 'u', role: 'coordinator', site: 'site-a' }, reason: 'code' },
      id,
      { participantCode: 'P-placebo-7' },
    );
    const page = (await coord.get(path)).text;
    assert.match(formOf(page, `${path}/corrections`), /name="participantCode"[^>]*value="P-\[concealed\]-7"/);
    const redated = await coord.request(
      'POST',
      `${path}/corrections`,
      {
        ...fields,
        participantCode: 'P-[concealed]-7',
        enrolledOn: '2026-11-05',
        baselineCrpUnit: 'mg/dL',
        version: '3',
      },
      FORM,
    );
    assert.equal(redated.status, 303, redated.text);
    const last = (await t.store.getParticipant(id))!;
    assert.deepEqual([last.participantCode, last.enrolledOn], ['P-placebo-7', '2026-11-05']);
  } finally {
    await t.close();
  }
});

test('a refused form marks the field the refusal is about: aria-invalid, described by the reason', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const lab = { visit: 'baseline', analyte: 'alt', value: '35', unit: 'U/L', collectedOn: '2099-11-05' };
    const refused = await coord.request('POST', `${path}/labs`, lab, FORM);
    assert.equal(refused.status, 400);
    assert.match(
      refused.text,
      /<p id="refused-reason">Not saved: lab result: collectedOn: the date is in the future<\/p>/,
    );
    const form = formOf(refused.text, `${path}/labs`);
    assert.match(form, /name="collectedOn"\s+aria-invalid="true"\s+aria-describedby="refused-reason"/);
    assert.equal(refused.text.split('aria-invalid="true"').length - 1, 1, 'that field alone');
    // A reason required and not given: the reason field of the form it came from.
    const withdrawal = await coord.request(
      'POST',
      `${path}/corrections`,
      { participantCode: 'P-X', reason: ' ' },
      FORM,
    );
    assert.equal(withdrawal.status, 400);
    assert.match(
      formOf(withdrawal.text, `${path}/corrections`),
      /name="reason"\s+aria-invalid="true"\s+aria-describedby="refused-reason"/,
    );
    // A number typed wrong (read by the page, not the store) marks its own field, and that one alone.
    const notANumber = await coord.request(
      'POST',
      `${path}/labs`,
      { ...lab, value: '4O', collectedOn: '2026-11-05' },
      FORM,
    );
    assert.equal(notANumber.status, 400);
    assert.match(
      formOf(notANumber.text, `${path}/labs`),
      /name="value"\s+aria-invalid="true"\s+aria-describedby="refused-reason"/,
    );
    assert.equal(notANumber.text.split('aria-invalid="true"').length - 1, 1, 'that field alone');
    // A refusal that names no one field (an infusion for a participant not randomized) marks none.
    const notRandomized = await coord.request(
      'POST',
      `${path}/doses`,
      { visit: 'infusion', kitCode: 'K0001', administeredOn: '2026-11-05', doseMg: '560', bodyWeightKg: '70' },
      FORM,
    );
    assert.equal(notRandomized.status, 409, notRandomized.text.slice(0, 300));
    assert.doesNotMatch(notRandomized.text, /aria-invalid/);
  } finally {
    await t.close();
  }
});

test('a correction that changes nothing says so, never "invalid field(s): (root)"', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const [participant] = await t.store.listParticipants({});
    assert.ok(participant !== undefined);
    // The enrolment correction sent as the page showed it: the page sends only what changed, here nothing.
    const path = `/trial/participants/${id}/corrections`;
    const unchanged = await coord.request(
      'POST',
      path,
      {
        version: '1',
        participantCode: participant.participantCode,
        enrolledOn: participant.enrolledOn,
        baselineCrp: '6.5',
        baselineCrpUnit: 'mg/L',
        baselineCrpComparator: '',
        reason: 'checked',
      },
      FORM,
    );
    assert.equal(unchanged.status, 400);
    assert.match(unchanged.text, /Not saved: enrolment correction: give at least one field/);
    assert.doesNotMatch(unchanged.text, /\(root\)/);
    // The API's corrections likewise.
    const screening = (await t.store.listScreening({}))[0]?.id ?? '';
    const api = await coord.post(`/trial/api/screening/${screening}/corrections`, { reason: 'checked' });
    assert.equal(api.status, 400);
    assert.match(api.text, /"diagnostics":"the body: give at least one field"/);
  } finally {
    await t.close();
  }
});
