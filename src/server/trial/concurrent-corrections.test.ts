/**
 * Two people correcting the same form: a correction may name the version it was made on, and one made on a version
 * since corrected by someone else is refused with 409 instead of silently undoing their correction. A real server on
 * 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eligibleCriteria, enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

test('a correction made on a version someone else has corrected since is refused, not applied over theirs', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const saved = await coord.post('/trial/api/forms', {
      participantId,
      visit: 'baseline',
      instrument: 'gad-7',
      answers: { 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2, 7: 1 },
      completedOn: '2026-11-20',
    });
    const { id, version } = saved.json as { id: string; version: number };
    const investigator = await t.signIn('investigator', 'site-a');
    const path = `/trial/api/forms/${id}/corrections`;
    // Both read version 1; the coordinator corrects item 3 first.
    const first = await coord.post(path, { answers: { 3: 3 }, reason: 'source document says 3', version });
    assert.equal(first.status, 200, first.text);
    const second = await investigator.post(path, { answers: { 3: 1 }, reason: 'I read 1', version });
    assert.equal(second.status, 409, second.text);
    assert.match(second.text, /changed since/);
    assert.equal((await t.store.getForm(id))?.answers['3'], 3, 'the first correction stands');
    // Made on the current version, it applies.
    const current = (first.json as { version: number }).version;
    const third = await investigator.post(path, { answers: { 3: 1 }, reason: 'checked again: 1', version: current });
    assert.equal(third.status, 200, third.text);
  } finally {
    await t.close();
  }
});

test('lab, adverse-event, infusion and disposition corrections made on a version changed since are refused too', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const investigator = await t.signIn('investigator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const { kitCode } = await t.randomizeOn(coord, participantId, '2026-11-05');
    type Versioned = { id: string; version: number };
    const created = async (path: string, body: object, key?: 'lab' | 'event'): Promise<Versioned> => {
      const r = await coord.post(path, body);
      assert.equal(r.status, 201, r.text);
      const json = r.json as Versioned & Record<string, Versioned>;
      const record = key === undefined ? json : json[key];
      assert.equal(record?.version, 1, `${path}: a new record is version 1`);
      return record;
    };
    const lab = await created(
      '/trial/api/labs',
      {
        participantId,
        visit: 'baseline',
        analyte: 'alt',
        value: 35,
        unit: 'U/L',
        upperLimitOfNormal: 40,
        lowerLimitOfNormal: null,
        collectedOn: '2026-11-05',
      },
      'lab',
    );
    const event = await created(
      '/trial/api/adverse-events',
      {
        participantId,
        term: 'Headache',
        onsetOn: '2026-11-06',
        grade: 1,
        seriousCriteria: [],
        relatedness: 'unlikely',
        expectedness: 'expected',
        outcome: 'recovering',
      },
      'event',
    );
    const dose = await created('/trial/api/doses', {
      participantId,
      visit: 'infusion',
      kitCode,
      administeredOn: '2026-11-07',
      doseMg: 560,
      bodyWeightKg: 70,
    });
    const exit = await created('/trial/api/dispositions', {
      participantId,
      event: 'lost-to-follow-up',
      on: '2026-11-25',
    });

    const cases = [
      {
        path: `/trial/api/labs/${lab.id}/corrections`,
        version: lab.version,
        first: { value: 53 },
        second: { value: 35.5 },
        current: async () => (await t.store.listLabs({ participantId }))[0]?.value,
        kept: 53,
      },
      {
        path: `/trial/api/adverse-events/${event.id}/updates`,
        version: event.version,
        first: { outcome: 'recovered' },
        second: { outcome: 'not-recovered' },
        current: async () => (await t.store.listAdverseEvents({ participantId }))[0]?.outcome,
        kept: 'recovered',
      },
      {
        path: `/trial/api/doses/${dose.id}/corrections`,
        version: dose.version,
        first: { doseMg: 600 },
        second: { doseMg: 580 },
        current: async () => (await t.store.snapshot()).doses.find((d) => d.id === dose.id)?.doseMg,
        kept: 600,
      },
      {
        path: `/trial/api/dispositions/${exit.id}/corrections`,
        version: exit.version,
        first: { on: '2026-11-26' },
        second: { on: '2026-11-24' },
        current: async () => (await t.store.listDispositions({ participantId }))[0]?.on,
        kept: '2026-11-26',
      },
    ];
    for (const c of cases) {
      // Both read version 1; the coordinator corrects first, the investigator's correction on version 1 is refused.
      const first = await coord.post(c.path, { ...c.first, reason: 'source document', version: c.version });
      assert.equal(first.status, 200, `${c.path}: ${first.text}`);
      const second = await investigator.post(c.path, {
        ...c.second,
        reason: 'I read it otherwise',
        version: c.version,
      });
      assert.equal(second.status, 409, `${c.path}: ${second.text}`);
      assert.match(second.text, /changed since version 1: read version 2/);
      assert.equal(await c.current(), c.kept, `${c.path}: the first correction stands`);
      // Made on the version it read again, it applies.
      const third = await investigator.post(c.path, { ...c.second, reason: 'checked again', version: 2 });
      assert.equal(third.status, 200, `${c.path}: ${third.text}`);
      const after = third.json as { version?: number; lab?: { version: number }; event?: { version: number } };
      assert.equal(after.lab?.version ?? after.event?.version ?? after.version, 3);
    }
  } finally {
    await t.close();
  }
});

test('screening, consent and enrolment corrections made on a version changed since are refused as well', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const investigator = await t.signIn('investigator', 'site-a');
    const protocol = insightProtocol(t.engine);
    const screening = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-VERSION-1',
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(protocol),
    });
    assert.equal(screening.status, 201, screening.text);
    const entry = screening.json as { id: string; version: number };
    const consent = await coord.post('/trial/api/consents', {
      screeningId: entry.id,
      consentedOn: '2026-11-03',
      formVersion: 'v1.0',
    });
    assert.equal(consent.status, 201, consent.text);
    const consentRecord = consent.json as { id: string; version: number };
    const enrolled = await coord.post('/trial/api/participants', {
      screeningId: entry.id,
      participantCode: 'P-VERSION-1',
      strata: { crp: 'high', site: 'site-a' },
      baselineCrpMgPerL: 6.5,
      enrolledOn: '2026-11-04',
    });
    assert.equal(enrolled.status, 201, enrolled.text);
    const participant = enrolled.json as { id: string; version: number };
    const cases = [
      {
        path: `/trial/api/screening/${entry.id}/corrections`,
        version: entry.version,
        first: { screenedOn: '2026-11-01' },
        second: { screeningCode: 'S-VERSION-2' },
        current: async () => (await t.store.listScreening()).find((e) => e.id === entry.id)?.screenedOn,
        kept: '2026-11-01',
      },
      {
        path: `/trial/api/consents/${consentRecord.id}/corrections`,
        version: consentRecord.version,
        first: { formVersion: 'v1.1' },
        second: { formVersion: 'v2.0' },
        current: async () => (await t.store.snapshot()).consents.find((c) => c.id === consentRecord.id)?.formVersion,
        kept: 'v1.1',
      },
      {
        path: `/trial/api/participants/${participant.id}/corrections`,
        version: participant.version,
        first: { baselineCrpMgPerL: 7.1 },
        second: { baselineCrpMgPerL: 5.9 },
        current: async () => (await t.store.getParticipant(participant.id))?.baselineCrpMgPerL,
        kept: 7.1,
      },
    ];
    for (const c of cases) {
      assert.equal(c.version, 1, `${c.path}: a new record is version 1`);
      const first = await coord.post(c.path, { ...c.first, reason: 'source document', version: 1 });
      assert.equal(first.status, 200, `${c.path}: ${first.text}`);
      const second = await investigator.post(c.path, { ...c.second, reason: 'I read it otherwise', version: 1 });
      assert.equal(second.status, 409, `${c.path}: ${second.text}`);
      assert.match(second.text, /changed since version 1: read version 2/);
      assert.equal(await c.current(), c.kept, `${c.path}: the first correction stands`);
      const third = await investigator.post(c.path, { ...c.second, reason: 'checked again', version: 2 });
      assert.equal(third.status, 200, `${c.path}: ${third.text}`);
      assert.equal((third.json as { version: number }).version, 3);
    }
  } finally {
    await t.close();
  }
});

test('voiding an exit or a consent someone has corrected since it was read is refused, not done unseen', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const investigator = await t.signIn('investigator', 'site-a');
    const participantId = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const exit = (await coord.post('/trial/api/dispositions', { participantId, event: 'other', on: '2026-11-20' }))
      .json as { id: string; version: number };
    // The coordinator corrects the exit to a withdrawal of consent; the investigator, who read 'other', voids it.
    const fixed = await coord.post(`/trial/api/dispositions/${exit.id}/corrections`, {
      event: 'withdrew-consent',
      reason: 'the consent form was withdrawn in writing',
      version: exit.version,
    });
    assert.equal(fixed.status, 200, fixed.text);
    const voided = await investigator.post(`/trial/api/dispositions/${exit.id}/void`, {
      reason: 'she did not leave',
      version: exit.version,
    });
    assert.equal(voided.status, 409, voided.text);
    assert.match(voided.text, /the disposition changed since version 1: read version 2/);
    assert.equal((await t.store.listDispositions({ participantId }))[0]?.event, 'withdrew-consent');
    const again = await investigator.post(`/trial/api/dispositions/${exit.id}/void`, {
      reason: 'checked with the site: she did not leave',
      version: 2,
    });
    assert.equal(again.status, 200, again.text);
    assert.equal((await t.store.listDispositions({ participantId })).length, 0);

    // A consent recorded against the wrong entry, corrected by one and voided by another on the old version.
    const screening = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'S-VOID-1',
      screenedOn: '2026-11-02',
      criteria: eligibleCriteria(insightProtocol(t.engine)),
    });
    const screeningId = (screening.json as { id: string }).id;
    const consent = (
      await coord.post('/trial/api/consents', { screeningId, consentedOn: '2026-11-03', formVersion: 'v1.0' })
    ).json as { id: string; version: number };
    const corrected = await coord.post(`/trial/api/consents/${consent.id}/corrections`, {
      formVersion: 'v1.1',
      reason: 'form version misread',
      version: 1,
    });
    assert.equal(corrected.status, 200, corrected.text);
    const stale = await investigator.post(`/trial/api/consents/${consent.id}/void`, {
      reason: 'wrong entry',
      version: 1,
    });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(
      (await t.store.snapshot()).consents.some((c) => c.id === consent.id),
      true,
    );
  } finally {
    await t.close();
  }
});
