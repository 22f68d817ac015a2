/**
 * The web app's pages over HTTP (a real server on loopback): every page, an error page included, carries the
 * content security policy and the other protective headers; an upload that cannot be assessed (not JSON, too large,
 * two files, not a well-formed form) comes back as the form with a one-line reason and the date the user entered,
 * never as JSON or a server error, and never quoting the file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { startTestServer, TEST_TODAY } from '../server.test-support.ts';

/** POSTs the upload form as a browser does (the file first, then the date) and returns status and page. */
async function upload(base: string, files: readonly string[], asOf: string): Promise<{ status: number; page: string }> {
  const form = new FormData();
  for (const content of files) form.append('bundle', new Blob([content], { type: 'application/json' }), 'b.json');
  form.append('asOf', asOf);
  const response = await fetch(`${base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
  return { status: response.status, page: await response.text() };
}

const alertOf = (page: string): string | undefined => /role="alert"><p>([^<]*)/.exec(page)?.[1];
const dateOf = (page: string): string | undefined =>
  /id="asOf"\s+name="asOf"\s+type="date"\s+value="([^"]*)"/.exec(page)?.[1];

describe('web app pages over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server?.close();
  });

  test('every page, an error page too, carries a strict content security policy', async () => {
    for (const [path, status] of [
      ['/', 200],
      ['/patients/neutropenia', 200],
      ['/patients/neutropenia/handout', 200],
      ['/patients/nobody', 404],
      ['/patients/neutropenia?asOf=not-a-date', 400],
      ['/uploads/unknown-token', 404],
      ['/uploads/unknown-token/handout', 404],
    ] as const) {
      const response = await fetch(server.base + path);
      assert.equal(response.status, status, path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/, `${path}: scripts only by hash`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
      const body = await response.text();
      assert.doesNotMatch(body, /\son[a-z]+=/i, `${path}: no inline event handler (the policy would block it)`);
    }
  });

  test('an upload that cannot be assessed: the form again, with the reason and the date entered', async () => {
    const notJson = await upload(server.base, ['hello <b>"world"</b>'], '2020-01-02');
    assert.equal(notJson.status, 400);
    assert.equal(alertOf(notJson.page), 'Could not assess the upload: the file is not JSON (unexpected character)');
    assert.equal(dateOf(notJson.page), '2020-01-02', 'the date entered is kept');
    assert.ok(!notJson.page.includes('world'), 'the file is not quoted');

    // Where and how the file breaks, never its text: a file cut short (an interrupted download), and NDJSON (a bulk
    // export's file, one resource per line).
    const bundle = readFileSync('examples/demo/neutropenia.json', 'utf8');
    const short = bundle.slice(0, bundle.lastIndexOf('}'));
    const cut = await upload(server.base, [short], '2020-01-02');
    assert.equal(
      alertOf(cut.page),
      `Could not assess the upload: the file is not JSON (malformed string, number or separator at position ${short.length})`,
      'at its end: the file is cut short',
    );
    const ndjson = await upload(
      server.base,
      ['{"resourceType":"Patient","id":"a"}\n{"resourceType":"Patient"}'],
      '2020-01-02',
    );
    assert.equal(
      alertOf(ndjson.page),
      'Could not assess the upload: the file is not JSON (unexpected text after the JSON value at position 36)',
    );

    // A 0-byte file (or one holding only a byte order mark) is said to be empty, not "not JSON".
    for (const empty of ['', '\ufeff']) {
      const none = await upload(server.base, [empty], '2020-01-02');
      assert.equal(none.status, 400);
      assert.equal(alertOf(none.page), 'Could not assess the upload: the file is empty');
      assert.equal(dateOf(none.page), '2020-01-02');
    }
    // No file chosen (a script can send the form without one): a browser sends an empty part named "", as here.
    const unchosen = await fetch(`${server.base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: [
        '--zz',
        'Content-Disposition: form-data; name="bundle"; filename=""',
        'Content-Type: application/octet-stream',
        '',
        '',
        '--zz',
        'Content-Disposition: form-data; name="asOf"',
        '',
        '2020-01-02',
        '--zz--',
        '',
      ].join('\r\n'),
      redirect: 'manual',
    });
    assert.equal(unchosen.status, 400);
    assert.equal(alertOf(await unchosen.text()), 'Could not assess the upload: choose a FHIR Bundle file to upload');

    const two = await upload(server.base, ['{}', '{}'], '2020-01-02');
    assert.equal(two.status, 413);
    assert.equal(alertOf(two.page), 'Could not assess the upload: choose one file (one patient) per upload');

    const malformed = await fetch(`${server.base}/upload`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=zz' },
      body: 'not a form <script>',
    });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /^text\/html/);
    const page = await malformed.text();
    assert.equal(
      alertOf(page),
      'Could not assess the upload: the upload is not a well-formed form (multipart/form-data)',
    );
    assert.ok(!page.includes('not a form'));

    const quoted = await upload(server.base, ['{}'], '"><script>alert(1)</script>');
    assert.equal(dateOf(quoted.page), '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;', 'the date entered, escaped');
  });

  test('GET /upload (going back in history to a refused upload) brings the user back to the form, not a 405', async () => {
    const back = await fetch(`${server.base}/upload`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), '/');
    const followed = await fetch(`${server.base}/upload`, { headers: { accept: 'text/html' } });
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /<form[^>]+action="\/upload"/);
  });

  test('a file that starts with a byte order mark (as Windows tools write it) is assessed, as the REST API does', async () => {
    const bundle = readFileSync('examples/demo/neutropenia.json');
    const form = new FormData();
    form.append('bundle', new Blob([Buffer.from([0xef, 0xbb, 0xbf]), bundle], { type: 'application/json' }), 'b.json');
    form.append('asOf', '2026-11-27');
    const posted = await fetch(`${server.base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(posted.status, 303, alertOf(await posted.text()));
    const page = await (await fetch(new URL(posted.headers.get('location') ?? '', server.base))).text();
    assert.match(page, /<h2 id="rec-title">Recommendation: Not eligible now/);
    const api = await fetch(`${server.base}/api/assess?asOf=2026-11-27`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bundle]),
    });
    assert.equal(api.status, 200, 'the REST API reads the same bytes');
    // Bytes that are not UTF-8 are still refused, never read with replacement characters.
    const latin1 = new FormData();
    latin1.append('bundle', new Blob([Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xe9, 0x7d])]), 'b.json');
    latin1.append('asOf', '2026-11-27');
    const refused = await fetch(`${server.base}/upload`, { method: 'POST', body: latin1, redirect: 'manual' });
    assert.equal(refused.status, 400);
    assert.equal(alertOf(await refused.text()), 'Could not assess the upload: the file is not UTF-8 text');
  });

  test("the page is headed with the patient's current name, as EHRs send several", async () => {
    const headingFor = async (names: unknown): Promise<string | undefined> => {
      const bundle = JSON.parse(readFileSync('examples/demo/neutropenia.json', 'utf8')) as {
        entry: { resource: { resourceType: string; name?: unknown } }[];
      };
      const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.resource;
      assert.ok(patient);
      patient.name = names;
      const form = new FormData();
      form.append('bundle', new Blob([JSON.stringify(bundle)], { type: 'application/json' }), 'b.json');
      form.append('asOf', '2026-11-27');
      // The 303 is followed to the upload's page.
      const response = await fetch(`${server.base}/upload`, { method: 'POST', body: form });
      assert.match(response.url, /\/uploads\//);
      const page = await response.text();
      return /<h1>([^<]*)<\/h1>/.exec(page)?.[1];
    };
    // Epic: a usual name with text only, then the official name with its text.
    const epic = [
      { use: 'usual', text: 'Ruthie O.' },
      { use: 'official', text: 'Ruth Adaeze Okafor', family: 'Okafor', given: ['Ruth', 'Adaeze'] },
    ];
    assert.equal(await headingFor(epic), 'Ruth Adaeze Okafor');
    // A name given as text only (a converted HL7 v2 feed).
    assert.equal(await headingFor([{ text: 'Okafor, Ruth' }]), 'Okafor, Ruth');
    // A former name first: a maiden name, and an official name whose period has ended.
    const renamed = [
      { use: 'maiden', family: 'Adeyemi', given: ['Ruth'] },
      { use: 'official', family: 'Adeyemi', given: ['Ruth'], period: { end: '2019-06-01' } },
      { use: 'official', family: 'Okafor', given: ['Ruth'], period: { start: '2019-06-01' } },
    ];
    assert.equal(await headingFor(renamed), 'Ruth Okafor');
    assert.equal(await headingFor(undefined), 'Patient');
  });

  test('the printable handout names the patient it is for, as the page does', async () => {
    const demo = await (await fetch(`${server.base}/patients/neutropenia/handout`)).text();
    assert.match(demo, /<p>This leaflet is for <strong>Daniel Hughes<\/strong>.<\/p>/);
    const bundle = JSON.parse(readFileSync('examples/demo/neutropenia.json', 'utf8')) as {
      entry: { resource: { resourceType: string; name?: unknown } }[];
    };
    const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')?.resource;
    assert.ok(patient);
    patient.name = [{ use: 'official', text: 'Ruth <Adaeze> Okafor' }];
    const form = new FormData();
    form.append('bundle', new Blob([JSON.stringify(bundle)], { type: 'application/json' }), 'b.json');
    form.append('asOf', '2026-11-27');
    const uploaded = await fetch(`${server.base}/upload`, { method: 'POST', body: form });
    const handout = await (await fetch(`${uploaded.url}/handout`)).text();
    assert.match(handout, /This leaflet is for <strong>Ruth &lt;Adaeze&gt; Okafor<\/strong>/, 'named, escaped');
    delete patient.name;
    const nameless = new FormData();
    nameless.append('bundle', new Blob([JSON.stringify(bundle)], { type: 'application/json' }), 'b.json');
    nameless.append('asOf', '2026-11-27');
    const anonymous = await fetch(`${server.base}/upload`, { method: 'POST', body: nameless });
    assert.doesNotMatch(await (await fetch(`${anonymous.url}/handout`)).text(), /This leaflet is for/);
  });

  test("the date fields offer no day after the server's today, which the server would refuse", async () => {
    const maxOf = (page: string): string | undefined => /id="asOf"[^>]*\smax="([^"]*)"/.exec(page)?.[1];
    for (const path of ['/', '/patients/neutropenia', '/patients/nobody', '/uploads/unknown-token']) {
      const page = await (await fetch(server.base + path)).text();
      assert.equal(maxOf(page), TEST_TODAY.toISOString().slice(0, 10), path);
    }
    const refused = await upload(server.base, ['not json'], '2020-01-02');
    assert.equal(maxOf(refused.page), TEST_TODAY.toISOString().slice(0, 10), 'after a refused upload');
    assert.equal(dateOf(refused.page), '2020-01-02');
  });

  test('the pages promise no more than the server keeps: an upload is held up to 30 minutes, less under load', async () => {
    // The shelf drops the oldest uploads past 200 or 128 MiB (src/server/web/upload-shelf.ts), before 30 minutes.
    const home = await (await fetch(`${server.base}/`)).text();
    assert.match(home, /kept for up to 30 minutes \(less when the server holds many uploads\)/);
    const gone = await (await fetch(`${server.base}/uploads/unknown-token`)).text();
    assert.match(alertOf(gone) ?? '', /kept for up to 30 minutes, less when the server holds many/);
  });

  test('a file over the size limit: the form again with the reason and the date entered', async () => {
    const small = await startTestServer({ bodyLimitBytes: 4096 });
    try {
      const big = await upload(small.base, [`{"resourceType":"Bundle","pad":"${'x'.repeat(10_000)}"}`], '2020-01-02');
      assert.equal(big.status, 413);
      // The limit is named (the server's body limit, here 4 KiB; 8 MiB by default), so the user knows what to aim for.
      assert.equal(
        alertOf(big.page),
        'Could not assess the upload: the file is larger than this server accepts (0.00391 MiB)',
      );
      assert.equal(dateOf(big.page), '2020-01-02');
    } finally {
      await small.close();
    }
  });

  test("the timeline's results are also a table, for those who cannot see the chart", async () => {
    const page = await (await fetch(`${server.base}/patients/refer-to-trial`)).text();
    const table = /<summary>The timeline's results as a table<\/summary>([\s\S]*?)<\/details>/.exec(page)?.[1] ?? '';
    const rows = [...table.matchAll(/<tr>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>\s*([^<]*?)\s*<\/td>/g)].map(
      (m) => m.slice(1).join(' | '),
    );
    assert.deepEqual(rows.slice(0, 3), [
      'CRP (mg/L) | 2026-11-06 | 7 (used for the decision)',
      'CRP (mg/L) | 2026-06-12 | 4.6',
      'CRP (mg/L) | 2025-12-02 | 5.8',
    ]);
    assert.ok(rows.includes('ANC (10^9/L) | 2026-11-06 | 3.8'));
    assert.match(table, /CRP: cut-off 3 mg\/L/);
    assert.match(table, /ALT \(U\/L\): 1\.5 x the result&#39;s ULN 35 = 52\.5/);
  });

  test('a CRP converted from nmol/L with the unverified factor is flagged [U] wherever the page shows it', async () => {
    const bundle = readFileSync('test/fixtures/vignettes/crp-unit-nmol-per-l.json', 'utf8');
    const form = new FormData();
    form.append('bundle', new Blob([bundle], { type: 'application/json' }), 'b.json');
    form.append('asOf', '2026-11-27');
    const posted = await fetch(`${server.base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(posted.status, 303);
    const response = await fetch(new URL(posted.headers.get('location') ?? '', server.base));
    assert.equal(response.status, 200);
    const page = await response.text();
    const how = 'converted from 66.668 nmol/L with the CRP molar factor (nmol/L per mg/L) = 9.524, unverified';
    const table = /<summary>The timeline's results as a table<\/summary>([\s\S]*?)<\/details>/.exec(page)?.[1] ?? '';
    assert.match(
      table,
      new RegExp(`<td>\\s*7 \\[U\\] \\(${how.replace(/[()]/g, '\\$&')}\\) \\(used for the decision\\)`),
    );
    // The engine's own texts flag the value (src/pathway/inflammation.ts crpText): the page shows them as they are.
    const flag = '(reported as 66.668 nmol/L, converted with an unverified factor [U])';
    const recommendation = /<section class="alert ok"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    assert.ok(recommendation.includes(flag), 'in the recommendation');
    const why = /<strong>Inflammation:<\/strong>[\s\S]*?<\/p>/.exec(page)?.[0] ?? '';
    assert.ok(why.includes(flag), 'in the reasons');
    const crpRows = [
      ...page.matchAll(
        /<tr>\s*<td>[^<]*<\/td>\s*<td class="status-[^"]*">([\s\S]*?)<\/td>\s*<td>\s*(hs-CRP[\s\S]*?)<\/td>/g,
      ),
    ];
    assert.ok(crpRows.length >= 2, 'the trial criteria that read the CRP');
    for (const [, status, reason] of crpRows) {
      assert.match(status ?? '', /unverified/, 'each such criterion is tagged unverified');
      assert.ok((reason ?? '').includes('converted with an unverified factor [U]'));
    }
  });

  test('every recommendation, alert and finding names its source, as trd assess does; each trial lists its sources', async () => {
    const risk = await (await fetch(`${server.base}/patients/suicide-risk`)).text();
    const alert = /<section class="alert critical" role="alert">([\s\S]*?)<\/section>/.exec(risk)?.[1] ?? '';
    assert.match(alert, /Evidence: QuestionnaireResponse\/demo-risk-phq9 \(2026-11-06\); Source: phq9-kroenke-2001: /);
    const box = /<section class="alert \w+" aria-labelledby="rec-title">([\s\S]*?)<\/section>/.exec(risk)?.[1] ?? '';
    // The protocol's DOI is its address.
    assert.match(box, /Source: <a href="https:\/\/doi\.org\/10\.1136\/bmjopen-2018-025333">insight-protocol-2018: /);
    assert.match(
      risk,
      /To do: Latent tuberculosis screen\.<\/strong>[^<]*<span class="muted">Source: [^<]*actemra-us-pi-boxed-warning: /,
    );
    const trial = /<details open><summary><strong>ISRCTN16942542[\s\S]*?<\/details>/.exec(risk)?.[0] ?? '';
    assert.match(trial, /Sources:[\s\S]*isrctn-16942542: /);
    // An unverified source is flagged where it surfaces.
    assert.match(trial, /insight-intervention-exclusions: [^<]*, section 1\.2 \[U\]/);

    const neutropenia = await (await fetch(`${server.base}/patients/neutropenia`)).text();
    assert.match(
      neutropenia,
      /Contraindication: Neutropenia[\s\S]*?Observation\/demo-neutro-anc \(2026-11-06\); Source: [^<]*actemra-us-pi-5\.2: /,
    );
  });

  test("each trial names the population it is matched for (a trial's other cohorts are not), as trd match does", async () => {
    const page = await (await fetch(`${server.base}/patients/refer-to-trial`)).text();
    const trial = /<details open><summary><strong>ISRCTN16942542[\s\S]*?<\/details>/.exec(page)?.[0] ?? '';
    assert.match(
      trial,
      /Population matched:<\/strong> The randomised \(intervention\) cohort: [^<]*The comparison cohort \(hs-CRP &lt; 3 mg\/L\) is not matched here\./,
    );
  });

  test('an active disease on-label IL-6 blockade treats is shown, informational, with its record and source', async () => {
    const bundle = readFileSync('test/fixtures/vignettes/comorbid-rheumatoid-arthritis.json', 'utf8');
    const form = new FormData();
    form.append('bundle', new Blob([bundle], { type: 'application/json' }), 'b.json');
    form.append('asOf', '2026-11-27');
    const posted = await fetch(`${server.base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(posted.status, 303);
    const page = await (await fetch(new URL(posted.headers.get('location') ?? '', server.base))).text();
    const section = /<section aria-labelledby="comorbid-title">([\s\S]*?)<\/section>/.exec(page)?.[1] ?? '';
    assert.match(section, /Comorbid IL-6-responsive disease \(informational\)/);
    assert.match(
      section,
      /Active rheumatoid arthritis \(on-label tocilizumab may treat both conditions\)\.<\/strong> active condition recorded: 69896004 Rheumatoid arthritis\s*<span class="muted">Condition\/ra \(2018-05-01\); Source: [^<]*actemra-indications: /,
    );
    const none = await (await fetch(`${server.base}/patients/refer-to-trial`)).text();
    assert.doesNotMatch(none, /comorbid-title/);
  });

  test('each antidepressant course names its dated records, and one the pathway cannot judge asks what to confirm', async () => {
    const bundle = readFileSync('test/fixtures/vignettes/med-no-minimum-dose.json', 'utf8');
    const form = new FormData();
    form.append('bundle', new Blob([bundle], { type: 'application/json' }), 'b.json');
    form.append('asOf', '2026-11-27');
    const posted = await fetch(`${server.base}/upload`, { method: 'POST', body: form, redirect: 'manual' });
    assert.equal(posted.status, 303);
    const page = await (await fetch(new URL(posted.headers.get('location') ?? '', server.base))).text();
    const why = /<h2 id="why-title">Why<\/h2>([\s\S]*?)<details>/.exec(page)?.[1] ?? '';
    const item = (ingredient: string): string =>
      (new RegExp(`<li>\\s*${ingredient}: [\\s\\S]*?</li>`).exec(why)?.[0] ?? '').replace(/\s+/g, ' ');
    assert.match(
      item('trazodone'),
      /trazodone: unverified; no minimum adequate dose is known for trazodone \(70 days on the drug\) <strong>To confirm: minimum adequate dose\.<\/strong> <span class="muted">MedicationStatement\/trazodone \(2025-05-05 to 2025-07-13\)<\/span>/,
    );
    assert.match(
      item('sertraline'),
      /<span class="muted">MedicationStatement\/sertraline \(2025-01-06 to 2025-03-30\)<\/span>/,
    );
    assert.doesNotMatch(item('sertraline'), /To confirm/);
  });

  test("a resource named inside the engine's prose (the trace, a reason) carries its date, as trd assess prints it", async () => {
    const page = await (await fetch(`${server.base}/patients/refer-to-trial`)).text();
    const trace = /<summary>Decision trace<\/summary>([\s\S]*?)<\/details>/.exec(page)?.[1] ?? '';
    assert.match(trace, /in scope: depression present \(Condition\/demo-refer-depression \(2024-09-02\)\)/);
    assert.doesNotMatch(trace, /Condition\/demo-refer-depression\)/);
  });
});
