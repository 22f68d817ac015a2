/**
 * A coordinator corrects a lab result, an infusion record or an exit from the participant's page, and two people
 * correcting the same record do not overwrite each other: each correction form carries the version it shows, and one
 * sent on a version someone has corrected since comes back refused (409) with what was typed and the record as it now
 * is. A real server on 127.0.0.1 (harness.test-support.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrolThroughApi, insightProtocol, startTestTrial } from './harness.test-support.ts';

const FORM = { contentType: 'application/x-www-form-urlencoded' };

/** The HTML of the form posting to `action` (from its opening tag to its end). */
function formOf(page: string, action: string): string {
  const start = page.indexOf(`action="${action}"`);
  assert.ok(start >= 0, `the page has the form posting to ${action}`);
  return page.slice(start, page.indexOf('</form>', start));
}

const versionIn = (form: string): string | undefined => /name="version" value="(\d+)"/.exec(form)?.[1];

test('lab, infusion and exit corrections from the page; one made on a version changed since comes back with what was typed', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const investigator = await t.signIn('investigator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const { kitCode } = await t.randomizeOn(coord, id, '2026-11-05');
    const lab = (
      (
        await coord.post('/trial/api/labs', {
          participantId: id,
          visit: 'baseline',
          analyte: 'platelets',
          value: 210,
          unit: '10*9/L',
          lowerLimitOfNormal: 150,
          upperLimitOfNormal: 400,
          collectedOn: '2026-11-05',
        })
      ).json as { lab: { id: string } }
    ).lab;
    const dose = (
      await coord.post('/trial/api/doses', {
        participantId: id,
        visit: 'infusion',
        kitCode,
        administeredOn: '2026-11-07',
        doseMg: 560,
        bodyWeightKg: 70,
      })
    ).json as { id: string };
    const exit = (await coord.post('/trial/api/dispositions', { participantId: id, event: 'other', on: '2026-11-20' }))
      .json as { id: string };
    const path = `/trial/participants/${id}`;
    const cases = [
      {
        action: `${path}/labs/${lab.id}/corrections`,
        first: {
          visit: 'baseline',
          value: '21',
          unit: '10*9/L',
          lowerLimitOfNormal: '150',
          upperLimitOfNormal: '400',
          collectedOn: '2026-11-05',
        },
        second: {
          visit: 'baseline',
          value: '201',
          unit: '10*9/L',
          lowerLimitOfNormal: '150',
          upperLimitOfNormal: '400',
          collectedOn: '2026-11-05',
        },
        typed: /name="value"[^>]*value="201"/,
        stored: async () => (await t.store.listLabs({ participantId: id }))[0]?.value,
        kept: 21,
      },
      {
        action: `${path}/doses/${dose.id}/corrections`,
        first: { administeredOn: '2026-11-07', bodyWeightKg: '75', doseMg: '600' },
        second: { administeredOn: '2026-11-07', bodyWeightKg: '70', doseMg: '580' },
        typed: /name="doseMg"[^>]*value="580"/,
        stored: async () => (await t.store.snapshot()).doses[0]?.doseMg,
        kept: 600,
      },
      {
        action: `${path}/dispositions/${exit.id}/corrections`,
        first: { participantId: id, event: 'lost-to-follow-up', on: '2026-11-20' },
        second: { participantId: id, event: 'withdrew-consent', on: '2026-11-20' },
        typed: /<option value="withdrew-consent"[^>]*selected/,
        stored: async () => (await t.store.listDispositions({ participantId: id }))[0]?.event,
        kept: 'lost-to-follow-up',
      },
    ];
    for (const c of cases) {
      // Both open the page at version 1.
      const shown = formOf((await coord.get(path)).text, c.action);
      assert.equal(versionIn(shown), '1', `${c.action}: the form carries the version it shows`);
      const first = await coord.request(
        'POST',
        c.action,
        { ...c.first, reason: 'source document', version: '1' },
        FORM,
      );
      assert.equal(first.status, 303, `${c.action}: ${first.text}`);
      const second = await investigator.request(
        'POST',
        c.action,
        { ...c.second, reason: 'as I read the source', version: '1' },
        FORM,
      );
      assert.equal(second.status, 409, `${c.action}: ${second.text.slice(0, 300)}`);
      assert.match(second.text, /Not saved: the [a-z ]+ changed since version 1: read version 2/);
      const again = formOf(second.text, c.action);
      assert.match(again, c.typed, `${c.action}: what the second user typed is kept`);
      assert.match(again, /name="reason"[^>]*value="as I read the source"/);
      assert.equal(versionIn(again), '2', `${c.action}: the form now shows version 2, so sending it applies it`);
      assert.equal(await c.stored(), c.kept, `${c.action}: the first correction stands`);
    }
    // Sent again on the version it now shows, the lab correction applies and is graded again.
    const resent = await investigator.request(
      'POST',
      cases[0]!.action,
      { ...cases[0]!.second, reason: 'as I read the source', version: '2' },
      FORM,
    );
    assert.equal(resent.status, 303, resent.text);
    const corrected = (await t.store.listLabs({ participantId: id }))[0];
    assert.equal(corrected?.value, 201);
    assert.equal(corrected?.version, 3);
    // A monitor (read-only) is offered no correction form.
    const monitorPage = await (await t.signIn('monitor')).get(path);
    assert.equal(monitorPage.text.includes(`${path}/labs/${lab.id}/corrections`), false);
  } finally {
    await t.close();
  }
});

test('adverse events from the page: recorded, followed up, a stale follow-up refused with what was typed, a concealed term never written back', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const investigator = await t.signIn('investigator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const event = {
      term: 'Headache',
      onsetOn: '2026-11-10',
      grade: '2',
      relatedness: 'possible',
      expectedness: 'expected',
      outcome: 'recovering',
    };
    // A death told one way only is refused; the form comes back with every field, the ticked criterion included.
    const refused = await coord.request(
      'POST',
      `${path}/adverse-events`,
      { ...event, grade: '5', 'serious-death': 'yes' },
      FORM,
    );
    assert.equal(refused.status, 400, refused.text.slice(0, 300));
    const again = formOf(refused.text, `${path}/adverse-events`);
    assert.match(again, /name="term"[^>]*value="Headache"/);
    assert.match(again, /name="serious-death" value="yes" checked/);
    assert.match(again, /<option value="5"[^>]*selected/);
    const saved = await coord.request('POST', `${path}/adverse-events`, event, FORM);
    assert.equal(saved.status, 303, saved.text);
    const [stored] = await t.store.listAdverseEvents({ participantId: id });
    assert.equal(stored?.term, 'Headache');
    assert.equal(stored?.serious, false);
    const action = `${path}/adverse-events/${stored?.id}/updates`;
    assert.equal(versionIn(formOf((await coord.get(path)).text, action)), '1');
    const first = await coord.request(
      'POST',
      action,
      { ...event, outcome: 'recovered', reason: 'resolved at the day-14 visit', version: '1' },
      FORM,
    );
    assert.equal(first.status, 303, first.text);
    const stale = await investigator.request(
      'POST',
      action,
      { ...event, 'serious-hospitalisation': 'yes', reason: 'admitted overnight', version: '1' },
      FORM,
    );
    assert.equal(stale.status, 409, stale.text.slice(0, 300));
    const kept = formOf(stale.text, action);
    assert.match(kept, /name="serious-hospitalisation" value="yes" checked/);
    assert.match(kept, /name="reason"[^>]*value="admitted overnight"/);
    assert.equal(versionIn(kept), '2');
    assert.equal((await t.store.listAdverseEvents({ participantId: id }))[0]?.outcome, 'recovered');

    // A term naming an arm is shown [concealed] to the blinded coordinator; a follow-up of the outcome keeps it whole.
    const named = await coord.post('/trial/api/adverse-events', {
      participantId: id,
      term: 'Rash; previously on placebo in another study',
      onsetOn: '2026-11-11',
      grade: 1,
      seriousCriteria: [],
      relatedness: 'unlikely',
      expectedness: 'expected',
      outcome: 'recovering',
    });
    const namedId = (named.json as { event: { id: string } }).event.id;
    const namedAction = `${path}/adverse-events/${namedId}/updates`;
    const shown = formOf((await coord.get(path)).text, namedAction);
    const shownTerm = /name="term"[^>]*value="([^"]*)"/.exec(shown)?.[1];
    assert.equal(shownTerm, 'Rash; previously on [concealed] in another study');
    const followUp = await coord.request(
      'POST',
      namedAction,
      {
        term: shownTerm ?? '',
        onsetOn: '2026-11-11',
        grade: '1',
        relatedness: 'unlikely',
        expectedness: 'expected',
        outcome: 'recovered',
        reason: 'resolved',
        version: '1',
      },
      FORM,
    );
    assert.equal(followUp.status, 303, followUp.text);
    const after = (await t.store.listAdverseEvents({ participantId: id })).find((e) => e.id === namedId);
    assert.equal(after?.term, 'Rash; previously on placebo in another study');
    assert.equal(after?.outcome, 'recovered');
  } finally {
    await t.close();
  }
});

test('a visit form saved with an item left out says which, and is corrected from the page with a reason', async () => {
  const t = await startTestTrial();
  try {
    const coord = await t.signIn('coordinator', 'site-a');
    const id = await enrolThroughApi(coord, insightProtocol(t.engine), 'site-a');
    const path = `/trial/participants/${id}`;
    const answers = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`item${i + 1}`, '1']));
    answers.item4 = ''; // skipped by mistake
    const saved = await coord.request(
      'POST',
      `${path}/forms`,
      { instrument: 'gad-7', visit: 'baseline', completedOn: '2026-11-04', ...answers },
      FORM,
    );
    assert.equal(saved.status, 303, saved.text.slice(0, 300));
    // The message says at once why there is no total.
    assert.match(
      (await coord.get(saved.headers.get('location') ?? path)).text,
      /Saved gad-7 at baseline: total incomplete \(incomplete\): GAD-7 item 4 is not answered/,
    );
    const [stored] = await t.store.listForms({ participantId: id });
    assert.ok(stored !== undefined);
    assert.equal(stored.score.total, null);
    const page = (await coord.get(path)).text;
    // Why it is incomplete, by item, beside its correction form.
    assert.match(page, /GAD-7 item 4 is not answered/);
    const action = `${path}/forms/${stored.id}/corrections`;
    const form = formOf(page, action);
    assert.equal(versionIn(form), '1');
    assert.match(form, /name="item1"[^>]*value="1"/);
    assert.match(form, /name="item4"[^>]*value=""/);
    assert.match(form, /name="completedOn"[^>]*value="2026-11-04"/);
    // Without a reason: refused, the form back as typed, the reason field marked.
    const typed = { version: '1', instrument: 'gad-7', completedOn: '2026-11-04', ...answers, item4: '2', reason: '' };
    const refused = await coord.request('POST', action, typed, FORM);
    assert.equal(refused.status, 400);
    assert.match(formOf(refused.text, action), /name="item4"[^>]*value="2"/);
    assert.match(formOf(refused.text, action), /name="reason"\s+aria-invalid="true"/);
    // With one: only the item changed is corrected, and the total is computed.
    const fixed = await coord.request('POST', action, { ...typed, reason: 'item 4 read off the paper form' }, FORM);
    assert.equal(fixed.status, 303, fixed.text.slice(0, 300));
    const back = (await coord.get(fixed.headers.get('location') ?? path)).text;
    assert.match(back, /Corrected gad-7 at baseline: total 8 \(complete\)/);
    const [corrected] = await t.store.listForms({ participantId: id });
    assert.deepEqual([corrected?.version, corrected?.answers['4'], corrected?.score.total], [2, 2, 8]);
    const audit = (await t.store.listAudit({ limit: 1000 })).filter(
      (e) => e.action === 'correct' && e.entity === 'form',
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]?.reason, 'item 4 read off the paper form');
    // A role without form.write (the monitor) is offered no correction form and is refused one.
    const monitor = await t.signIn('monitor');
    assert.equal((await monitor.get(path)).text.includes(`action="${action}"`), false);
    assert.equal((await monitor.request('POST', action, { ...typed, reason: 'x' }, FORM)).status, 403);
  } finally {
    await t.close();
  }
});
