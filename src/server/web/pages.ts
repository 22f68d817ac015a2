/**
 * The clinician pages, server-rendered from the engine's results: safety alerts and the recommendation first, the
 * timeline, the checklist (contraindications, cautions, missing work-up), trial matches criterion by criterion,
 * then data issues and unverified values; and the plain-language one-page handout.
 */
import type { Assessment, TrialMatchResult } from '../../engine/index.ts';
import { ageYearsText, datedReference, withEvidenceDates } from '../../pathway/index.ts';
import type { Citation } from '../../knowledge/schema-codesets.ts';
import { citationLink } from './citations.ts';
import { html, raw } from './html.ts';
import type { Html } from './html.ts';
import { page, printButton } from './layout.ts';
import type { TimelineData } from './timeline.ts';

export interface DemoPatient {
  readonly id: string;
  readonly file: string;
  readonly title: string;
  readonly expect: string;
}

/**
 * The home page: the demo patients and the upload form, its date `asOf` (the one entered, after a refusal) and no
 * later than `today`, the server's date: the browser refuses a later date before sending the file, as the server would.
 */
export function homePage(demo: readonly DemoPatient[], asOf: string, today: string, error?: string): string {
  return page(
    'Patients',
    html`<h1>Treatment-resistant depression: inflammation and IL-6 trial candidacy</h1>
      <p>
        Pick a synthetic demo patient, or upload one patient's FHIR R4 Bundle (JSON). The assessment applies the care
        pathway and the trial protocols bundled with this server.
      </p>
      ${error === undefined ? '' : html`<div class="alert critical" role="alert"><p>${error}</p></div>`}
      <h2>Demo patients</h2>
      <ul class="patients">
        ${demo.map((p) => html`<li><a href="/patients/${p.id}">${p.title}</a></li>`)}
      </ul>
      <h2>Upload a Bundle</h2>
      <form class="inline" method="post" action="/upload" enctype="multipart/form-data">
        <div>
          <label for="bundle">FHIR R4 Bundle (JSON file)</label
          ><input
            id="bundle"
            name="bundle"
            type="file"
            accept=".json,application/json,application/fhir+json"
            required
          />
        </div>
        <div>
          <label for="asOf">As of</label
          ><input id="asOf" name="asOf" type="date" value="${asOf}" max="${today}" required />
        </div>
        <div><button type="submit">Assess</button></div>
      </form>
      <p class="muted">
        The uploaded file is assessed in memory and kept for up to 30 minutes (less when the server holds many uploads)
        so the handout can be opened; it is never written to disk or logged.
      </p>`,
  );
}

/**
 * The page for an address no page has (404). It never repeats the address: an upload's holds its token, and a
 * mistyped one may hold what the user typed.
 */
export function notFoundPage(): string {
  return page(
    'Page not found',
    html`<h1>Page not found</h1>
      <p>
        There is no page at this address. It may be mistyped, or it was an uploaded patient's page, which is kept for up
        to 30 minutes only.
      </p>
      <p><a href="/">Go to the patients and the upload form</a></p>`,
  );
}

/** The page for an address that exists but not for this kind of request (405), e.g. opening the upload's address. */
export function methodNotAllowedPage(): string {
  return page(
    'Not available this way',
    html`<h1>Not available this way</h1>
      <p>This address cannot be opened like this (it takes a form or a program's request, not a visit).</p>
      <p><a href="/">Go to the patients and the upload form</a></p>`,
  );
}

const STATUS_TEXT: Readonly<Record<string, string>> = { met: 'met', 'not-met': 'not met', unknown: 'unknown' };

/** The knowledge's citations (knowledge/citations.json), by key: what each finding's `citation` names. */
type Citations = ReadonlyMap<string, Citation>;

/** "Source: key: title, section 5.2" for a finding's citation key, linked to the source when it has an address. */
const sourceOf = (citations: Citations, key: string): Html => html`Source: ${citationLink(key, citations.get(key))}`;

function recommendationBox(a: Assessment, citations: Citations): Html {
  const r = a.recommendation;
  // Data the assessment met but could not use (an hCG with no interpretation, an ALT whose ranges disagree) keep the
  // recommendation from reading as settled: the box is a warning and names them (docs/service.md, the web app). So
  // does a safety alert: a referral waits until the risk is assessed and managed (the summary says so first).
  const problems = a.issues.filter((i) => i.severity !== 'information');
  const kind =
    r.code === 'contraindicated' || r.code === 'repeat-crp' || problems.length > 0 || a.safetyAlerts.length > 0
      ? 'warning'
      : r.code === 'refer-to-trial'
        ? 'ok'
        : 'info';
  const scope = a.scope;
  return html`<section class="alert ${kind}" aria-labelledby="rec-title">
    <h2 id="rec-title">Recommendation: ${r.title}</h2>
    <p>${dated(a, r.clinicianSummary)}</p>
    ${
      problems.length === 0
        ? ''
        : html`<p>
            <strong>${problems.length} data issue${problems.length === 1 ? '' : 's'}</strong> the assessment could not
            resolve: ${problems.map((i) => i.message).join('; ')}. <a href="#issues-title">See the data issues</a>.
          </p>`
    }
    <p class="muted">
      Rule ${r.rule} (<code>${r.code}</code>)${scope.inScope ? '' : html`; out of scope: ${scope.reason}`} · pathway
      ${a.pathway.id} ${a.pathway.version} · as of ${a.asOf}
    </p>
    <p class="muted">${sourceOf(citations, r.citation)}</p>
  </section>`;
}

/** Engine prose with the date after each resource it names, as `trd assess` prints it (withEvidenceDates). */
const dated = (a: Assessment, text: string): string => withEvidenceDates(a.evidenceDates, text);

/**
 * The resources a finding cites, each with its date (Assessment.evidenceDates), as the `trd assess` report and the
 * CDS cards name them: "Condition/pregnancy (2026-09-20)", so a clinician sees how old the record is.
 */
function evidenceOf(a: Assessment, refs: readonly string[]): string {
  return refs.map((r) => datedReference(a.evidenceDates, r)).join(', ');
}

function checklist(a: Assessment, citations: Citations): Html {
  const items = [
    ...a.contraindications.map(
      (c) =>
        html`<li class="blocker">
          <strong>Contraindication: ${c.title}.</strong> ${dated(a, c.detail)}
          <span class="muted">${evidenceOf(a, c.evidence)}; ${sourceOf(citations, c.citation)}</span>
        </li>`,
    ),
    ...a.cautions.map(
      (c) =>
        html`<li class="caution">
          <strong>Caution: ${c.title}.</strong> ${dated(a, c.detail)}
          <span class="muted">${evidenceOf(a, c.evidence)}; ${sourceOf(citations, c.citation)}</span>
        </li>`,
    ),
    ...a.missingWorkup.map(
      (w) =>
        html`<li class="todo">
          <strong>To do: ${w.title}.</strong> ${w.action} <span class="muted">${sourceOf(citations, w.citation)}</span>
        </li>`,
    ),
  ];
  return html`<section aria-labelledby="checklist-title">
    <h2 id="checklist-title">Contraindications, cautions and work-up</h2>
    ${
      items.length === 0
        ? html`<p>None recorded.</p>`
        : html`<ul class="checklist">
            ${items}
          </ul>`
    }
  </section>`;
}

/**
 * Definition 10 (informational): an active disease that on-label IL-6 blockade treats (rheumatoid arthritis, giant
 * cell arteritis), with its records and source, as `trd assess` lists it; no section when none is recorded.
 */
function comorbidity(a: Assessment, citations: Citations): Html | string {
  if (a.comorbidIl6Disease.length === 0) return '';
  return html`<section aria-labelledby="comorbid-title">
    <h2 id="comorbid-title">Comorbid IL-6-responsive disease (informational)</h2>
    <ul>
      ${a.comorbidIl6Disease.map(
        (d) =>
          html`<li>
            <strong>${d.title}.</strong> ${dated(a, d.detail)}
            <span class="muted">${evidenceOf(a, d.evidence)}; ${sourceOf(citations, d.citation)}</span>
          </li>`,
      )}
    </ul>
  </section>`;
}

/**
 * The records a trial criterion rests on, each with its date (the result's evidenceDates), as `trd match` prints them;
 * the patient's own resource (an age, a "does not apply") is the page's subject and is not repeated.
 */
function criterionEvidence(m: TrialMatchResult, refs: readonly string[]): Html | string {
  const cited = refs.filter((r) => !r.startsWith('Patient/'));
  if (cited.length === 0) return '';
  return html` <span class="muted">${cited.map((r) => datedReference(m.evidenceDates, r)).join(', ')}</span>`;
}

function trials(matches: readonly TrialMatchResult[]): Html {
  return html`<section aria-labelledby="trials-title">
    <h2 id="trials-title">Trial matches</h2>
    ${matches.map(
      (
        m,
        i,
      ) => html`<details${i === 0 ? raw(' open') : ''}><summary><strong>${m.trial.registry.map((r) => r.id).join(' / ')}</strong>: ${m.verdict} (${m.trial.title})</summary>
<p>${m.summary}</p>
<p><strong>Population matched:</strong> ${m.trial.population}</p>
<div class="table-wrap" tabindex="0" role="region" aria-label="Criteria of ${m.trial.registry.map((r) => r.id).join(' / ')}"><table><caption class="muted">Criterion by criterion</caption>
<thead><tr><th scope="col">Criterion</th><th scope="col">Status</th><th scope="col">Why</th></tr></thead>
<tbody>${m.criteria.map(
        (c) =>
          html`<tr>
            <td>${c.kind === 'exclusion' ? 'Exclusion: ' : ''}${c.text}</td>
            <td class="status-${c.status}">
              ${STATUS_TEXT[c.status] ?? c.status}${c.verified ? '' : html` <span class="tag">unverified</span>`}
            </td>
            <td>
              ${c.reason}${criterionEvidence(m, c.evidence)}${c.collect === undefined ? '' : html`<br /><em>Collect: ${c.collect}</em>`}${
                c.verified || c.unverifiedNotes.length === 0
                  ? ''
                  : html`<br /><span class="muted">Unverified: ${c.unverifiedNotes.join('; ')}</span>`
              }
            </td>
          </tr>`,
      )}</tbody></table></div>
<p class="muted">Sources:</p>
<ul class="muted">${Object.entries(m.citations).map(([key, c]) => html`<li>${citationLink(key, c)}</li>`)}</ul></details>`,
    )}
  </section>`;
}

function evidence(a: Assessment): Html {
  const tr = a.treatmentResistance;
  return html`<section aria-labelledby="why-title">
    <h2 id="why-title">Why</h2>
    <p><strong>Adequate antidepressant trials:</strong> ${tr.count} of ${tr.required} required.</p>
    <ul>
      ${tr.exposures.map(
        (e) =>
          html`<li>
            ${e.ingredient}: ${e.adequacy};
            ${dated(a, e.reason)}${
              e.missing === undefined || e.missing.length === 0
                ? ''
                : html` <strong>To confirm: ${e.missing.join(', ')}.</strong>`
            }
            <span class="muted">${evidenceOf(a, e.sources)}</span>
          </li>`,
      )}
      ${tr.ignored.map((i) => html`<li>Not used: ${datedReference(a.evidenceDates, i.source)}: ${dated(a, i.reason)}</li>`)}
    </ul>
    <p><strong>Inflammation:</strong> ${a.inflammation.status}: ${dated(a, a.inflammation.reason)}</p>
    ${
      a.inflammation.rejected.length === 0
        ? ''
        : html`<ul>
            ${a.inflammation.rejected.map(
              (r) => html`<li>Not used: ${datedReference(a.evidenceDates, r.source)}: ${dated(a, r.reason)}</li>`,
            )}
          </ul>`
    }
    <details>
      <summary>Decision trace</summary>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Matched</th>
              <th scope="col">What it saw</th>
            </tr>
          </thead>
          <tbody>
            ${a.trace.map(
              (t) =>
                html`<tr>
                  <td>${t.rule}</td>
                  <td>${t.matched ? 'yes' : 'no'}</td>
                  <td>${dated(a, t.outcome)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </details>
  </section>`;
}

/** " Not plotted: 2 undated, 1 status entered-in-error." for the results the chart leaves out, by reason. */
function notPlottedText(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([reason, n]) => `${n} ${reason}`);
  return parts.length === 0 ? '' : ` Not plotted (not read by the assessment): ${parts.join(', ')}.`;
}

/**
 * The timeline's results and lines as a table, for those who cannot see the chart (its figure's label only counts
 * them): every plotted result with its date and value as read (the unit is in the test's name), newest first, then
 * the lines it is drawn against.
 */
function chartTable(data: TimelineData): Html {
  const all = [...data.crp, ...data.labs];
  const order = [...new Set(all.map((p) => p.series))];
  const results = all.sort(
    (x, y) => order.indexOf(x.series) - order.indexOf(y.series) || (x.date < y.date ? 1 : x.date > y.date ? -1 : 0),
  );
  const lines = [...data.crpLines.map((l) => `CRP: ${l.line}`), ...data.limits.map((l) => `${l.series}: ${l.label}`)];
  return html`<details>
    <summary>The timeline's results as a table</summary>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Timeline results">
      <table>
        <thead>
          <tr>
            <th scope="col">Test</th>
            <th scope="col">Date</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          ${results.map(
            (p) =>
              html`<tr>
                <td>${p.series}</td>
                <td>${p.date}</td>
                <td>
                  ${p.shown}${p.censored ? ' (censored: a bound, not a value)' : ''}${p.unverifiedConversion === undefined ? '' : ` (${p.unverifiedConversion})`}${p.notJudged === undefined ? '' : ` (${p.notJudged})`}${p.used ? ' (used for the decision)' : ''}${p.notUsed === undefined ? '' : ` (not used: ${p.notUsed})`}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p>Lines: ${lines.join('; ')}.</p>
  </details>`;
}

export function patientPage(
  name: string,
  a: Assessment,
  /** The knowledge's citations: every finding names its source (the trial matches carry their own). */
  citations: Citations,
  matches: readonly TrialMatchResult[],
  chart: { svg: string; data: TimelineData },
  handoutHref: string,
  /**
   * For a demo patient: the page's own path, so the as-of date can be changed (GET form), and the server's date, the
   * latest the form offers.
   */
  reassess?: { readonly path: string; readonly today: string },
): string {
  const alerts = a.safetyAlerts;
  const description = `Timeline: ${chart.data.crp.length} CRP result(s), ${chart.data.courses.length} antidepressant course(s), ${chart.data.labs.length} safety lab result(s).`;
  return page(
    `Assessment: ${name}`,
    html`<h1>${name}</h1>
      <p class="muted">
        ${ageYearsText(a.patient)?.concat(' years') ?? 'age not recorded'}, ${a.patient.sex ?? 'sex not recorded'} ·
        <a href="${handoutHref}">Patient handout (printable)</a>
      </p>
      ${
        reassess === undefined
          ? ''
          : html`<form class="inline no-print" method="get" action="${reassess.path}">
              <div>
                <label for="asOf">Assess as of</label
                ><input id="asOf" name="asOf" type="date" value="${a.asOf}" max="${reassess.today}" required />
              </div>
              <div><button type="submit">Reassess</button></div>
            </form>`
      }
      ${alerts.map(
        (s) =>
          html`<section class="alert critical" role="alert">
            <h2>Safety alert: ${s.title}</h2>
            ${s.detail === undefined ? '' : html`<p>${dated(a, s.detail)}</p>`}
            <p class="muted">Evidence: ${evidenceOf(a, s.evidence)}; ${sourceOf(citations, s.citation)}</p>
          </section>`,
      )}
      ${recommendationBox(a, citations)} ${checklist(a, citations)} ${comorbidity(a, citations)}
      <section aria-labelledby="chart-title">
        <h2 id="chart-title">Timeline</h2>
        <figure class="chart" role="img" tabindex="0" aria-label="${description}">${raw(chart.svg)}</figure>
        <p class="muted">
          ${description} Dashed lines: the pathway's CRP cut-off and acute line, and the lab limits. [U]: an unverified
          value, or a result converted with one. Hollow triangles: censored results (a bound such as &lt;3.5, not a
          value). A course whose end the record does not give: a triangle at its
          start.${notPlottedText(chart.data.notPlotted)}
        </p>
        ${chartTable(chart.data)}
      </section>
      ${trials(matches)} ${evidence(a)}
      ${
        a.unverified.length === 0
          ? ''
          : html`<section aria-labelledby="unverified-title">
              <h2 id="unverified-title">Unverified values this result relied on</h2>
              <ul>
                ${a.unverified.map((u) => html`<li>${u.item}: ${u.note}</li>`)}
              </ul>
            </section>`
      }
      ${
        a.issues.length === 0
          ? ''
          : html`<section aria-labelledby="issues-title">
              <h2 id="issues-title">Data issues</h2>
              <ul>
                ${a.issues.map((i) => html`<li>${i.message}${i.path === undefined ? '' : html` <span class="muted">(${i.path})</span>`}</li>`)}
              </ul>
            </section>`
      }`,
  );
}

/** What inflammation testing and a trial mean, for a patient the pathway applies to. */
function explanation(cutOff: number): Html {
  return html`<h2>What inflammation testing means</h2>
    <p>
      Some people with depression have a little more inflammation in their body than usual. A simple blood test called
      high-sensitivity CRP measures it. A result of ${cutOff} mg/L or more can mean low-grade inflammation. A very high
      result usually means an infection or another short illness, so the test is repeated once you are well.
    </p>
    <h2>Why a trial comes first</h2>
    <p>
      Medicines that calm inflammation (such as tocilizumab, which blocks a messenger called IL-6) are being tested for
      depression. It is not yet known whether they help, and they have side effects, so they are offered only inside a
      research trial, with extra safety checks. Please do not stop or change any of your medicines because of this
      leaflet.
    </p>
    <h2>Questions you could ask</h2>
    <ul>
      <li>Has my CRP been measured recently, and what was it?</li>
      <li>Am I eligible for a trial, and what would taking part involve?</li>
      <li>Which blood tests or checks would I need first?</li>
      <li>What other treatments could help me now?</li>
    </ul>`;
}

/** A YYYY-MM-DD day as a patient reads it, whatever their country's order of day and month: "27 November 2026". */
const PLAIN_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const plainDate = (day: string): string => PLAIN_DATE.format(new Date(`${day}T00:00:00Z`));

/**
 * The one-page handout in plain language, naming the patient it is for (a printed page must not be handed to another
 * patient): a safety alert's paragraph first (as the alert leads every report), then
 * the recommendation's own patient summary. A patient outside the
 * pathway's scope gets that summary only, not an explanation of trials that do not concern them.
 */
export function handoutPage(name: string | undefined, a: Assessment, backHref: string): string {
  return page(
    'Your depression care: inflammation testing and trials',
    html`<p class="no-print"><a href="${backHref}">Back to the assessment</a> · ${printButton}</p>
      <h1>Your depression care: what we found</h1>
      ${name === undefined ? '' : html`<p>This leaflet is for <strong>${name}</strong>.</p>`}
      ${a.safetyAlerts.length === 0 ? '' : html`<p><strong>Most important:</strong> if you have thoughts of harming yourself, tell your care team today or call your local emergency number. Your safety comes before any test or trial.</p>`}
      <p>${a.recommendation.patientSummary}</p>
      ${a.scope.inScope ? explanation(a.inflammation.cutOffMgPerL) : ''}
      <p class="muted">
        Based on your health record as it was on ${plainDate(a.asOf)} (care pathway ${a.pathway.version}). This leaflet
        does not replace advice from your care team.
      </p>`,
    { bodyClass: 'handout' },
  );
}
