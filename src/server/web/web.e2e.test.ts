/**
 * The clinician web app end to end in Debian's Chromium (playwright-core, headless): open the app, pick a demo
 * patient, see the recommendation and the chart, upload a Bundle, open the handout, reach an address with no page
 * (a 404 page in the app's layout), and check accessibility with axe-core (no serious or critical violations), at
 * desktop width and at 360 px. Screenshots go to test-output/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { readBundleFile, sharedEngine, startTestServer } from '../server.test-support.ts';

const OUT = resolve('test-output');

async function assertAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.nodes.length} node(s)`),
    [],
    `${label}: axe-core serious violations`,
  );
}

/**
 * The focused element's outline against the background it is drawn on (the nearest ancestor's opaque background),
 * as a WCAG contrast ratio; 0 when it has no outline.
 */
const FOCUS_CONTRAST = `(() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 0;
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  let bg = [255, 255, 255];
  for (let a = e.parentElement; a; a = a.parentElement) {
    const c = rgb(getComputedStyle(a).backgroundColor);
    if (c.length === 3 || c[3] === 1) { bg = c.slice(0, 3); break; }
  }
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const [hi, lo] = [lum(rgb(s.outlineColor).slice(0, 3)), lum(bg)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
})()`;

/** How far the page scrolls sideways, in CSS pixels (0: it fits the viewport). */
const overflow = async (page: Page): Promise<number> =>
  (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;

describe('clinician web app in Chromium', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  before(async () => {
    mkdirSync(OUT, { recursive: true });
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('pick a demo patient: recommendation first, chart, trial criteria, handout; accessible', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${server.base}/`);
    await assertAccessible(page, 'home');
    await page.getByRole('link', { name: /Daniel Hughes/ }).click();
    await page.waitForURL(/\/patients\/neutropenia/);
    const recommendation = page.getByRole('heading', { name: /^Recommendation:/ });
    await recommendation.waitFor();
    const expected = sharedEngine.assess(readBundleFile('examples/demo/neutropenia.json'), { asOf: '2026-11-27' });
    assert.equal(expected.recommendation.code, 'contraindicated');
    assert.equal((await recommendation.textContent())?.trim(), `Recommendation: ${expected.recommendation.title}`);
    assert.match((await page.locator('ul.checklist').textContent()) ?? '', /Neutropenia/);
    const chart = page.locator('figure.chart svg');
    assert.equal(await chart.count(), 1, 'the timeline SVG');
    assert.ok((await chart.locator('path, line, rect').count()) > 10, 'the chart has marks');
    assert.match((await page.locator('figure.chart').getAttribute('aria-label')) ?? '', /CRP result/);
    assert.ok((await page.locator('details table tbody tr').count()) > 3, 'criterion rows');
    await page.screenshot({ path: `${OUT}/web-patient.png`, fullPage: true });
    await assertAccessible(page, 'patient page');
    // Keyboard only: every stop on the way through the header, the form, the chart and the first trial shows a focus
    // ring of at least 3:1 against its background (WCAG 1.4.11). The date input's inner fields are the browser's own.
    await page.keyboard.press('Home');
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      const [tag, type] = (await page.evaluate('[document.activeElement.tagName, document.activeElement.type]')) as [
        string,
        string | undefined,
      ];
      if (type === 'date') continue;
      const ratio = (await page.evaluate(FOCUS_CONTRAST)) as number;
      assert.ok(ratio >= 3, `focus ring of tab stop ${i} (${tag}): contrast ${ratio.toFixed(2)}`);
    }

    await page.getByRole('link', { name: /Patient handout/ }).click();
    await page.getByRole('heading', { name: /what we found/ }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Why a trial comes first/);
    // Under the page's content security policy: the stylesheet applies, the Print button prints, nothing is blocked.
    assert.equal(
      await page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor"),
      'rgb(11, 61, 107)',
    );
    await page.evaluate('window.print = () => { window.printed = true; }');
    await page.getByRole('button', { name: 'Print' }).click();
    assert.equal(await page.evaluate('window.printed'), true, 'the Print button calls window.print');
    assert.deepEqual(blocked, [], 'no content security policy violation');
    await page.close();
  });

  test('a safety alert is shown first, before the recommendation, and on the handout', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${server.base}/`);
    await page.getByRole('link', { name: /Tom Becker/ }).click();
    await page.waitForURL(/\/patients\/suicide-risk/);
    const headings = await page.locator('main h2').allTextContents();
    assert.match(headings[0] ?? '', /^Safety alert: /, 'the first section is the safety alert');
    assert.match(headings[1] ?? '', /^Recommendation: /);
    await page.screenshot({ path: `${OUT}/web-safety-alert.png` });
    await assertAccessible(page, 'safety alert page');
    await page.getByRole('link', { name: /Patient handout/ }).click();
    await page.getByRole('heading', { name: /what we found/ }).waitFor();
    assert.match((await page.locator('main').textContent()) ?? '', /Your safety comes before any test or trial/);
    await page.screenshot({ path: `${OUT}/web-handout.png`, fullPage: true });
    await assertAccessible(page, 'handout');
    await page.close();
  });

  test('an uploaded Bundle with no CRP at all: the empty CRP panel is still accessible', async () => {
    const bundle = readBundleFile('examples/demo/refer-to-trial.json');
    const noCrp = {
      ...bundle,
      entry: bundle.entry.filter((e) => !JSON.stringify(e.resource).includes('"30522-7"')),
    };
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${server.base}/`);
    await page.getByLabel('FHIR R4 Bundle (JSON file)').setInputFiles({
      name: 'no-crp.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(noCrp)),
    });
    await page.getByRole('button', { name: 'Assess' }).click();
    await page.waitForURL(/\/uploads\//);
    assert.match((await page.locator('figure.chart').getAttribute('aria-label')) ?? '', /0 CRP result/);
    await assertAccessible(page, 'uploaded patient without CRP');
    await page.close();
  });

  test('changing the as-of date reassesses a demo patient', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${server.base}/patients/measure-crp`);
    const heading = page.getByRole('heading', { name: /^Recommendation:/ });
    const before = await heading.textContent();
    // Printed, the page leaves out its controls (the as-of form), as the handout leaves out its Print button, and
    // shows what is folded on screen (every trial's criteria, the chart's table, the trace): paper cannot unfold.
    const folded = `[...document.querySelectorAll('details:not([open]) table')].map((t) => t.checkVisibility())`;
    const onScreen = (await page.evaluate(folded)) as boolean[];
    assert.ok(onScreen.length >= 3 && onScreen.every((v) => !v), `folded tables hidden on screen: ${onScreen}`);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.evaluate("getComputedStyle(document.querySelector('form.no-print')).display"), 'none');
    assert.deepEqual(
      await page.evaluate(folded),
      onScreen.map(() => true),
      'every folded table is printed',
    );
    await page.emulateMedia({ media: 'screen' });
    const bundle = readBundleFile('examples/demo/measure-crp.json');
    assert.equal(
      before?.trim(),
      `Recommendation: ${sharedEngine.assess(bundle, { asOf: '2026-11-27' }).recommendation.title}`,
    );
    await page.getByLabel('Assess as of').fill('2026-06-01');
    await page.getByRole('button', { name: 'Reassess' }).click();
    await page.waitForURL(/asOf=2026-06-01/);
    const expected = sharedEngine.assess(bundle, { asOf: '2026-06-01' }).recommendation.title;
    assert.notEqual(`Recommendation: ${expected}`, before?.trim(), 'the earlier date changes the decision');
    assert.equal((await heading.textContent())?.trim(), `Recommendation: ${expected}`);
    await page.close();
  });

  test('an address with no page: a 404 page in the layout, accessible at 1200 and 360 px, with a way home', async () => {
    for (const width of [1200, 360]) {
      const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
      });
      const response = await page.goto(`${server.base}/patients/refer-to-trial/no-such-page`);
      assert.equal(response?.status(), 404);
      assert.equal((await page.getByRole('heading', { level: 1 }).textContent())?.trim(), 'Page not found');
      assert.equal(await page.title(), 'Page not found · precision-trd');
      assert.equal(
        await page.evaluate("getComputedStyle(document.querySelector('header.site')).backgroundColor"),
        'rgb(11, 61, 107)',
        'the stylesheet applies under the page headers',
      );
      assert.ok((await overflow(page)) <= 1, `no horizontal scroll at ${width} px`);
      await assertAccessible(page, `404 page at ${width} px`);
      await page.screenshot({ path: `${OUT}/web-not-found-${width}.png` });
      assert.deepEqual(blocked, [], 'no content security policy violation');
      await page.getByRole('link', { name: /Go to the patients/ }).click();
      await page.waitForURL(`${server.base}/`);
      await page.getByRole('heading', { name: 'Demo patients' }).waitFor();
      await page.close();
    }
  });

  test('upload a Bundle at 360 px width: assessed, no horizontal scroll of the page, keyboard reachable', async () => {
    const page = await (await browser.newContext({ viewport: { width: 360, height: 740 } })).newPage();
    await page.goto(`${server.base}/`);
    assert.ok(
      (await overflow(page)) <= 1,
      `no horizontal scroll of the home page at 360 px (${await overflow(page)} px)`,
    );
    await page.getByLabel('FHIR R4 Bundle (JSON file)').setInputFiles(resolve('examples/seed-vignette.json'));
    await page.getByLabel('As of').fill('2026-11-27');
    await page.getByRole('button', { name: 'Assess' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/uploads\//);
    const heading = (await page.getByRole('heading', { name: /^Recommendation:/ }).textContent()) ?? '';
    assert.match(heading, /Refer to a clinical trial/);
    assert.ok((await overflow(page)) <= 1, `no page-level horizontal scroll at 360 px (${await overflow(page)} px)`);
    // The chart scrolls sideways inside its figure, which takes the whole width of the text (no default margins).
    const [figureWidth, mainWidth] = (await page.evaluate(
      "[document.querySelector('figure.chart').clientWidth, document.querySelector('main h1').clientWidth]",
    )) as [number, number];
    assert.equal(figureWidth, mainWidth, 'the chart has the width of the text to scroll in');
    await page.screenshot({ path: `${OUT}/web-upload-360.png`, fullPage: true });
    await assertAccessible(page, 'uploaded patient at 360 px');
    await page.getByRole('link', { name: /Patient handout/ }).click();
    await page.getByRole('heading', { name: /what we found/ }).waitFor();

    await page.goto(`${server.base}/`);
    await page.getByLabel('FHIR R4 Bundle (JSON file)').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"resourceType":"Patient"}'),
    });
    await page.getByRole('button', { name: 'Assess' }).click();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Could not assess/);
    assert.ok((await overflow(page)) <= 1, 'the error page does not scroll sideways either');
    await assertAccessible(page, 'upload error at 360 px');
    await page.close();
  });
});
