/**
 * End to end in Debian's Chromium (playwright-core, /usr/bin/chromium): a site coordinator signs in, screens a
 * patient, records consent, enrols, randomizes, records the infusion (the visit windows are then shown as dates from
 * it), enters the day-14 BDI-II, records an ANC of 0.8 x10^9/L and sees the safety alert. Every response the browser received and every page shown is checked for arm names (the coordinator
 * is blinded), each page is checked with axe-core (no serious or critical violations), and screenshots are written
 * to test-output/. Skipped only when Chromium is not installed (.ci/run installs it).
 * Run: node --import tsx --test src/server/trial/browser.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { accountFor, insightProtocol, startTestTrial } from './harness.test-support.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT = 'test-output';

async function checkAccessibility(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.nodes.length} node(s)`),
    [],
    `axe-core on ${name}`,
  );
}

test(
  'coordinator: enrol, randomize, day-14 visit, ANC 0.8 safety alert; no arm anywhere',
  { skip: !existsSync(CHROMIUM) },
  async () => {
    mkdirSync(OUT, { recursive: true });
    const t = await startTestTrial();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
      const page = await context.newPage();
      // The pages carry the web app's content security policy (src/server/web/layout.ts PAGE_HEADERS): nothing on
      // them may be blocked by it.
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
      });
      const bodies: { url: string; text: Promise<string> }[] = [];
      page.on('response', (response) => {
        bodies.push({ url: response.url(), text: response.text().catch(() => '') });
      });
      const account = accountFor('coordinator', 'site-a');
      const protocol = insightProtocol(t.engine);

      await page.goto(`${t.url}/trial/login`);
      await checkAccessibility(page, 'sign-in');
      await page.getByLabel('User name').fill(account.username);
      await page.getByLabel('Password').fill(account.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${t.url}/trial/`);

      await page.goto(`${t.url}/trial/screening`);
      await page.getByLabel('Screening code (no names)').fill('E2E-001');
      await page.getByLabel('Screened on').fill('2026-11-02');
      for (const c of protocol.criteria) {
        await page.locator(`#c-${c.id}`).selectOption(c.kind === 'inclusion' ? 'met' : 'not-met');
      }
      await page.getByRole('button', { name: 'Record screening' }).click();
      await page.getByText('Screening recorded: eligible').waitFor();
      await checkAccessibility(page, 'screening log');
      await page.screenshot({ path: `${OUT}/trial-screening.png`, fullPage: true });

      await page.getByLabel('Consented on').fill('2026-11-03');
      await page.getByLabel('Consent form version').fill('v1.0');
      await page.getByRole('button', { name: 'Record consent' }).click();
      await page.getByText('Consent recorded').waitFor();
      await page.getByLabel('Participant code').fill('INS-A-001');
      await page.getByLabel('Enrolled on').fill('2026-11-04');
      await page.getByLabel('Baseline hs-CRP', { exact: true }).fill('6.2');
      await page.getByLabel('Unit, as on the laboratory report').selectOption('mg/L');
      await page.getByRole('button', { name: 'Enrol' }).click();
      await page.getByText('Enrolled INS-A-001').waitFor();

      await page.getByRole('link', { name: 'INS-A-001' }).click();
      // Randomized on the infusion day: an infusion is not dated before the randomization.
      const randomized = await t.onDay('2026-11-05', async () => {
        await page.getByRole('button', { name: 'Randomize' }).click();
        return page.getByText(/Randomized: kit \S+, randomization no\. 1/).textContent();
      });
      const kit = /kit (\S+),/.exec(randomized ?? '')?.[1] ?? '';

      // The infusion anchors the visit windows: day 14 (-2/+2 days) after 2026-11-05. The kit code is read off the pack.
      await page.getByLabel('Kit code on the pack given').fill(kit);
      await page.getByLabel('Given on').fill('2026-11-05');
      await page.getByLabel('Body weight (kg)').fill('70');
      await page.getByRole('button', { name: 'Record the dose' }).click();
      await page.getByText('Dose recorded').waitFor();
      await page.locator('td', { hasText: '2026-11-17 to 2026-11-21 (day 14, -2/+2 days)' }).waitFor();

      // Day-14 BDI-II: 21 items, 16 and 18 with their a/b options.
      await page.getByText('BDI-II', { exact: true }).click();
      const bdi = page.locator('form', { has: page.locator('input[name="instrument"][value="bdi-ii"]') });
      await bdi.locator('select[name="visit"]').selectOption('day-14');
      await bdi.locator('input[name="completedOn"]').fill('2026-11-19');
      for (let item = 1; item <= 21; item += 1) {
        if (item === 16 || item === 18) await bdi.locator(`select[name="item${item}"]`).selectOption('1a');
        else await bdi.locator(`input[name="item${item}"]`).fill(String(item % 3));
      }
      await bdi.getByRole('button', { name: 'Save BDI-II' }).click();
      await page.getByText(/Saved bdi-ii at day-14: total \d+ \(complete\)/).waitFor();

      await page.locator('#lab-visit').selectOption('day-14');
      await page.getByLabel('Analyte').selectOption('anc');
      await page.getByLabel('Value').fill('0.8');
      await page.getByLabel('Unit (UCUM)').selectOption('10*9/L');
      await page.getByLabel('Lower limit of normal').fill('2.0');
      await page.getByLabel('Collected on').fill('2026-11-19');
      await page.getByRole('button', { name: 'Save lab result' }).click();
      await page.getByText(/safety alert\(s\) raised/).waitFor();
      // The lab's hold alert (the infusion above, recorded without pre-dose labs, raised a dose-not-cleared one).
      const alert = page
        .locator('.alert.critical, .alert.warning')
        .filter({ hasText: /Neutrophil count decreased/ })
        .first();
      await alert.waitFor();
      assert.match(await alert.innerText(), /hold|discontinue/i);
      await checkAccessibility(page, 'participant');
      await page.screenshot({ path: `${OUT}/trial-participant-safety-alert.png`, fullPage: true });

      await page.goto(`${t.url}/trial/safety`);
      await page
        .locator('.alert')
        .filter({ hasText: /Neutrophil count decreased/ })
        .first()
        .waitFor();
      await checkAccessibility(page, 'safety dashboard');
      await page.screenshot({ path: `${OUT}/trial-safety.png`, fullPage: true });
      await page.goto(`${t.url}/trial/consort`);
      await checkAccessibility(page, 'CONSORT');
      await page.goto(`${t.url}/trial/`);
      await checkAccessibility(page, 'participants');
      assert.deepEqual(blocked, [], 'nothing blocked by the content security policy');
      // The layout's stylesheet applies under the policy (it is allowed by its hash).
      assert.notEqual(await page.evaluate('getComputedStyle(document.body).fontFamily'), 'Times New Roman');

      // The coordinator is blinded: nothing the browser received names an arm.
      const armNames = t.armNames.map((a) => a.toLowerCase());
      for (const b of bodies) {
        const text = (await b.text).toLowerCase();
        const hit = armNames.find((a) => text.includes(a));
        assert.equal(hit, undefined, `${b.url} names an arm`);
      }
      // With the browser's session (the pages' policy lets no script of theirs fetch anything).
      const api = await (await context.request.get(`${t.url}/trial/api/participants`)).text();
      assert.match(api, /kitCode/);
      assert.equal(
        armNames.find((a) => api.toLowerCase().includes(a)),
        undefined,
      );
    } finally {
      await browser.close();
      await t.close();
    }
  },
);
