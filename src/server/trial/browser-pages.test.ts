/**
 * Every trial page as each role sees it, on a 360 px screen, in Debian's Chromium (playwright-core, /usr/bin/chromium;
 * one browser, one context per role): no axe-core violation of the WCAG 2.1 A and AA rules (any impact), no
 * horizontal scrolling, a title that names the page. The pages: sign-in (and refused), participants, screening log,
 * each kind of participant page (enrolled; randomized with infusion, forms, labs, an adverse event and an alert;
 * exited; with a fatal adverse event) with its folded forms open, the safety dashboard, CONSORT, the refused pages
 * (404, 403), a refused form (its reason takes the focus), the stale-CSRF form re-shown, the entries of a form with no page of its own listed to save, Sign out
 * again, the session-ended sign-in page and the emergency unblinding answer. Skipped only when Chromium is not
 * installed (.ci/run installs it).
 * Run: node --import tsx --test src/server/trial/browser-pages.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TrialRole } from '../../trial/roles.ts';
import {
  accountFor,
  enrolThroughApi,
  insightProtocol,
  recordNeutropeniaAndPneumonia,
  startTestTrial,
} from './harness.test-support.ts';
import type { TestTrial } from './harness.test-support.ts';

const CHROMIUM = '/usr/bin/chromium';

const WIDER_THAN_SCREEN = `[...document.querySelectorAll('main *')]
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter((e) => { for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false; return true; })
  .slice(0, 5).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().width) + 'px')`;

/** Each date (YYYY-MM-DD) in a table cell whose characters the browser laid out on more than one line. */
const DATES_BROKEN = `(() => {
  const broken = [];
  const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.parentElement.closest('td')) continue;
    for (const m of n.data.matchAll(/\\d{4}-\\d{2}-\\d{2}/g)) {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      if (new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size > 1) broken.push(m[0]);
    }
  }
  return broken;
})()`;

/** Each box in the page that scrolls sideways but is no named region the keyboard can focus. */
const SCROLLERS_UNREACHABLE = `[...document.querySelectorAll('main *')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
  .filter((e) => !(e.tabIndex === 0 && e.getAttribute('role') === 'region' && e.getAttribute('aria-label')))
  .map((e) => e.tagName.toLowerCase() + '.' + e.className)`;

/** The text of the focused element when it is an alert box (a form action's answer), else what is focused. */
const FOCUSED_ALERT = `(() => {
  const e = document.activeElement;
  return e.classList.contains('alert') ? e.textContent : 'focus on <' + e.tagName.toLowerCase() + '>';
})()`;

/** Every axe-core violation of the WCAG 2.0/2.1 A and AA rules, whatever its impact; and no sideways scrolling. */
async function assertPageFits(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  assert.deepEqual(
    results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `${label}: axe-core violations`,
  );
  const overflow = (await page.evaluate(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  )) as number;
  // What sticks out, to name in the failure: elements past the right edge that no scrolling box holds.
  const wide = overflow === 0 ? [] : await page.evaluate(WIDER_THAN_SCREEN);
  assert.equal(overflow, 0, `${label}: scrolls sideways by ${overflow} px at 360 px: ${JSON.stringify(wide)}`);
  assert.match(await page.title(), /\S.* · precision-trd$/, `${label}: a page title`);
}

async function signIn(page: Page, url: string, role: TrialRole, site?: string): Promise<void> {
  const account = accountFor(role, site);
  await page.goto(`${url}/trial/login`);
  await page.getByLabel('User name').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${url}/trial/`);
}

describe('trial pages for every role at 360 px in Chromium', { skip: !existsSync(CHROMIUM) }, () => {
  let t: TestTrial;
  let browser: Browser;
  /** Participants in each state a page shows differently. */
  const ids = { enrolled: '', treated: '', exited: '', fatal: '' };
  const narrow = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    context.setDefaultTimeout(20_000);
    return context;
  };

  before(async () => {
    t = await startTestTrial();
    const protocol = insightProtocol(t.engine);
    const coord = await t.signIn('coordinator', 'site-a');
    ids.treated = await enrolThroughApi(coord, protocol, 'site-a');
    // Randomized the day before the infusion below (an infusion is never dated before its randomization).
    const kit = await t.randomizeOn(coord, ids.treated, '2026-11-04');
    const dosing = protocol.visits?.find((v) => v.dosing)?.id ?? '';
    const dose = await coord.post('/trial/api/doses', {
      participantId: ids.treated,
      visit: dosing,
      kitCode: kit.kitCode,
      administeredOn: '2026-11-05',
      doseMg: 560,
      bodyWeightKg: 70,
    });
    assert.equal(dose.status, 201, dose.text);
    await recordNeutropeniaAndPneumonia(coord, ids.treated);
    const form = await coord.post('/trial/api/forms', {
      participantId: ids.treated,
      visit: 'day-14',
      instrument: 'gad-7',
      answers: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [String(i + 1), 1])),
      completedOn: '2026-11-19',
    });
    assert.equal(form.status, 201, form.text);
    ids.enrolled = await enrolThroughApi(coord, protocol, 'site-a');
    ids.exited = await enrolThroughApi(coord, protocol, 'site-a', 'low');
    const exit = { participantId: ids.exited, event: 'withdrew-consent', on: '2026-11-10' };
    assert.equal((await coord.post('/trial/api/dispositions', exit)).status, 201);
    ids.fatal = await enrolThroughApi(coord, protocol, 'site-a', 'low');
    await coord.post(`/trial/api/participants/${ids.fatal}/randomize`);
    const death = await coord.post('/trial/api/adverse-events', {
      participantId: ids.fatal,
      term: 'Sudden cardiac death',
      onsetOn: '2026-11-21',
      grade: 5,
      seriousCriteria: ['death'],
      relatedness: 'unlikely',
      expectedness: 'unexpected',
      outcome: 'fatal',
    });
    assert.equal(death.status, 201, death.text);
    // Screened and consented, not enrolled yet: the enrolment form has an entry to offer.
    const screened = await coord.post('/trial/api/screening', {
      site: 'site-a',
      screeningCode: 'A11Y-WAITING',
      screenedOn: '2026-11-02',
      criteria: protocol.criteria.map((c) => ({
        id: c.id,
        kind: c.kind,
        status: c.kind === 'inclusion' ? 'met' : 'not-met',
        reason: 'checked',
        verified: c.verified,
      })),
    });
    assert.equal(screened.status, 201, screened.text);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const roles: readonly [TrialRole, string | undefined][] = [
    ['coordinator', 'site-a'],
    ['investigator', 'site-a'],
    ['unblinded-pharmacist', undefined],
    ['monitor', undefined],
    ['statistician', undefined],
    ['administrator', undefined],
    ['outcome-rater', 'site-a'],
  ];
  for (const [role, site] of roles) {
    test(`${role}: every page accessible, none wider than 360 px`, async () => {
      const context = await narrow();
      try {
        const page = await context.newPage();
        await signIn(page, t.url, role, site);
        const pages: [string, string, number][] = [
          ['participants', '/trial/', 200],
          ['screening log', '/trial/screening', 200],
          ['participant, enrolled', `/trial/participants/${ids.enrolled}`, 200],
          ['participant, treated', `/trial/participants/${ids.treated}`, 200],
          ['participant, exited', `/trial/participants/${ids.exited}`, 200],
          ['participant, fatal adverse event', `/trial/participants/${ids.fatal}`, 200],
          ['safety dashboard', '/trial/safety', role === 'outcome-rater' ? 403 : 200],
          ['CONSORT', '/trial/consort', 200],
          [
            'audit trail',
            `/trial/participants/${ids.treated}/audit`,
            role === 'monitor' || role === 'administrator' ? 200 : 403,
          ],
          ['no such participant', '/trial/participants/no-such-participant', 404],
          ['no such page', '/trial/no-such-page', 404],
        ];
        for (const [name, path, status] of pages) {
          const response = await page.goto(`${t.url}${path}`);
          assert.equal(response?.status(), status, `${role}: ${name}`);
          // Folded sections (visit forms, corrections, follow-ups) are checked open, as a user opens them.
          await page.evaluate('document.querySelectorAll("details").forEach((d) => { d.open = true; })');
          await assertPageFits(page, `${role}: ${name}`);
        }
      } finally {
        await context.close();
      }
    });
  }

  test("at 360 px a lab result's assessment is a readable column, not a narrow strip hundreds of pixels tall", async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'coordinator', 'site-a');
      for (const path of [`/trial/participants/${ids.treated}`, '/trial/safety']) {
        await page.goto(`${t.url}${path}`);
        const cell = page.locator('[aria-label="Safety labs"] tbody tr:first-child td:last-child');
        const box = await cell.boundingBox();
        assert.ok(box !== null, `${path}: a lab result`);
        assert.ok(box.width >= 250, `${path}: the assessment is ${Math.round(box.width)} px wide`);
        assert.ok(box.height <= 450, `${path}: the assessment is ${Math.round(box.height)} px tall`);
      }
    } finally {
      await context.close();
    }
  });

  test('at 360 px a date in a table stays on one line, and a table wider than the screen scrolls by keyboard', async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'coordinator', 'site-a');
      for (const path of ['/trial/', `/trial/participants/${ids.treated}`, '/trial/safety', '/trial/screening']) {
        await page.goto(`${t.url}${path}`);
        assert.deepEqual(await page.evaluate(DATES_BROKEN), [], `${path}: a date broken over lines`);
        assert.deepEqual(await page.evaluate(SCROLLERS_UNREACHABLE), [], `${path}: a table scrolling out of reach`);
      }
    } finally {
      await context.close();
    }
  });

  test("at 360 px the participants list keeps each participant's code, site and kit on one line, the visit schedule its targets", async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'coordinator', 'site-a');
      await page.goto(`${t.url}/trial/`);
      const broken = await page.evaluate(`[...document.querySelectorAll('[aria-label="Participants"] tbody td')]
        .filter((td) => [0, 1, 5].includes(td.cellIndex) && td.textContent.trim() !== '')
        .filter((td) => {
          const r = document.createRange();
          r.selectNodeContents(td);
          return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size > 1;
        })
        .map((td) => td.textContent.trim())`);
      assert.deepEqual(broken, [], 'a code or site broken over lines');
      // A visit's target before the infusion anchors it, "day -14", likewise: never "day" over "-14".
      await page.goto(`${t.url}/trial/participants/${ids.enrolled}`);
      const target = await page.evaluate(`[...document.querySelectorAll('[aria-label="Visit schedule"] tbody td')]
        .filter((td) => td.cellIndex === 1)
        .filter((td) => {
          const r = document.createRange();
          r.selectNodeContents(td);
          return new Set([...r.getClientRects()].map((b) => Math.round(b.top))).size > 1;
        })
        .map((td) => td.textContent.trim())`);
      assert.deepEqual(target, [], "a visit's target broken over lines");
    } finally {
      await context.close();
    }
  });

  test('sign-in: the page, a refused sign-in keeping the user name', async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await page.goto(`${t.url}/trial/login`);
      await assertPageFits(page, 'sign-in');
      await page.getByLabel('User name').fill('coord-a');
      await page.getByLabel('Password').fill('not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('User name or password not accepted').waitFor();
      assert.equal(await page.getByLabel('User name').inputValue(), 'coord-a');
      await assertPageFits(page, 'sign-in refused');
    } finally {
      await context.close();
    }
  });

  test('a refused form: the page says so in its title, focus on the reason, a link to the form as typed', async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'coordinator', 'site-a');
      await page.goto(`${t.url}/trial/participants/${ids.treated}`);
      await page.locator('#lab-value').fill('1e3');
      await page.locator('#lab-on').fill('2026-11-19');
      await page.getByRole('button', { name: 'Save lab result' }).click();
      await page.getByText(/Not saved: .*plain decimal/).waitFor();
      assert.match(await page.title(), /^Not saved: Participant /);
      assert.match(
        (await page.evaluate(FOCUSED_ALERT)) as string,
        /Not saved: .*plain decimal/,
        'the focus is on the reason',
      );
      assert.equal(await page.locator('#lab-value').inputValue(), '1e3');
      await assertPageFits(page, 'refused lab result');
      // By keyboard from the reason: its link leads to the form as typed, far down the page; Tab goes on inside it.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent'), 'Go to the form, as you typed it');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.id'), 'lab-visit', 'Tab from the link: the form');
      // Corrected and saved: the confirmation takes the focus in turn (after the redirect, from the flash cookie). At a
      // follow-up visit: a result of a visit before the dose may not be dated after the infusion (2026-11-05).
      await page.locator('#lab-visit').selectOption('day-14');
      await page.locator('#lab-value').fill('1.5');
      await page.getByRole('button', { name: 'Save lab result' }).click();
      await page.waitForURL(`${t.url}/trial/participants/${ids.treated}`);
      assert.match(
        (await page.evaluate(FOCUSED_ALERT)) as string,
        /Lab result saved/,
        'the focus is on the confirmation',
      );
      assert.match(await page.title(), /^Participant /);

      await page.goto(`${t.url}/trial/screening`);
      await page.getByLabel('Screening code (no names)').fill('A11Y-BAD-BUNDLE');
      await page.getByLabel('Screened on').fill('2026-11-02');
      await page.getByLabel(/FHIR R4 Bundle/).fill('{not json');
      await page.getByRole('button', { name: 'Record screening' }).click();
      await page.getByText(/^Not saved/).waitFor();
      assert.match(await page.title(), /^Not saved: Screening log/);
      assert.equal(await page.getByLabel(/FHIR R4 Bundle/).inputValue(), '{not json');
      assert.equal(await page.locator('#refused-form #bundle').count(), 1, 'the link leads to the screening form');
      await assertPageFits(page, 'refused screening');
    } finally {
      await context.close();
    }
  });

  test('stale CSRF form re-shown, entries to save, Sign out again, session ended', async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'coordinator', 'site-a');
      await page.goto(`${t.url}/trial/participants/${ids.treated}`);
      // Signed in again in another tab: this page's token is stale.
      await signIn(await context.newPage(), t.url, 'coordinator', 'site-a');
      await page.locator('#lab-value').fill('1.5');
      await page.locator('#lab-on').fill('2026-11-19');
      await page.getByRole('button', { name: 'Save lab result' }).click();
      await page.getByText(/belonged to an earlier sign-in/).waitFor();
      assert.equal(await page.locator('#lab-value').inputValue(), '1.5');
      await assertPageFits(page, 'stale-CSRF form re-shown');

      // A form with no page of its own (an alert's Acknowledge) lists the entries with a Save button.
      await page.goto(`${t.url}/trial/safety`);
      await signIn(await context.newPage(), t.url, 'coordinator', 'site-a');
      await page.getByLabel('Action taken').first().fill('ANC repeated');
      await page
        .getByRole('button', { name: /^Acknowledge/ })
        .first()
        .click();
      await page.getByRole('heading', { name: 'Save what you typed' }).waitFor();
      await assertPageFits(page, 'entries to save');

      await page.goto(`${t.url}/trial/`);
      await signIn(await context.newPage(), t.url, 'coordinator', 'site-a');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You are still signed in').waitFor();
      await assertPageFits(page, 'sign out again');

      // The session ends (signed out elsewhere) while a form is open: the sign-in page lists what was typed.
      await page.goto(`${t.url}/trial/participants/${ids.treated}`);
      await context.clearCookies();
      await page.locator('#lab-value').fill('1.6');
      await page.locator('#lab-on').fill('2026-11-19');
      await page.getByRole('button', { name: 'Save lab result' }).click();
      await page.getByText(/nothing was saved/).waitFor();
      await assertPageFits(page, 'session ended');
    } finally {
      await context.close();
    }
  });

  test('investigator: the emergency unblinding answer', async () => {
    const context = await narrow();
    try {
      const page = await context.newPage();
      await signIn(page, t.url, 'investigator', 'site-a');
      await page.goto(`${t.url}/trial/participants/${ids.fatal}`);
      await page.getByText('Emergency unblinding').click();
      await page.getByLabel('Reason', { exact: true }).fill('treating team needs the allocation');
      await page.getByRole('button', { name: 'Unblind this participant' }).click();
      await page.getByRole('heading', { name: 'Emergency unblinding' }).waitFor();
      await assertPageFits(page, 'emergency unblinding');
    } finally {
      await context.close();
    }
  });
});
