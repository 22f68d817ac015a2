/**
 * The screen's report (`trd screen --report FILE.html`): one self-contained HTML page with the screening funnel as a
 * chart (vega-lite rendered to SVG server-side by the project's one renderer, src/analysis/plots.ts), the counts per
 * scope reason, contraindication and missing work-up item, the referable count at each CRP cut-off, and data
 * quality. It shows counts only: no patient identifiers.
 */
import type { TopLevelSpec } from 'vega-lite';
import { escape, table } from '../analysis/report-html.ts';
import { renderSvg } from '../analysis/plots.ts';
import { REFERRAL_TRACK } from '../pathway/index.ts';
import type { CodeTitles, FunnelStage, ScreenSummary } from './summary.ts';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export function funnelSpec(s: ScreenSummary): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'Screening funnel',
    // The bars narrower than the page, so that the stage labels, never cut (labelLimit 0: no limit), fit beside them.
    width: 440,
    data: { values: s.funnel.map((f, i) => ({ order: i, stage: f.label, count: f.count })) },
    encoding: {
      y: {
        field: 'stage',
        type: 'nominal',
        sort: s.funnel.map((f) => f.label),
        title: null,
        axis: { labelLimit: 0 },
      },
      x: { field: 'count', type: 'quantitative', title: 'Patients' },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      { mark: { type: 'text', align: 'left', dx: 4 }, encoding: { text: { field: 'count', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

export function cutOffSpec(s: ScreenSummary): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'Referable patients by CRP cut-off',
    width: 360,
    data: {
      values: s.cutOffs.map((c) => ({
        cutOff: `${c.cutOffMgPerL} mg/L`,
        referable: c.referable,
        value: Number(c.cutOffMgPerL),
      })),
    },
    encoding: {
      x: {
        field: 'cutOff',
        type: 'ordinal',
        sort: s.cutOffs.map((c) => `${c.cutOffMgPerL} mg/L`),
        title: 'CRP cut-off',
      },
      y: { field: 'referable', type: 'quantitative', title: 'Referable' },
    },
    layer: [
      { mark: { type: 'bar', color: '#54a24b' } },
      { mark: { type: 'text', dy: -6 }, encoding: { text: { field: 'referable', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** A code's title, or a plain note when the pathway screened with is not known to this trd (an earlier output). */
const titleOf = (titles: Readonly<Record<string, string>> | undefined, code: string): string =>
  titles === undefined ? '(pathway title not recorded)' : (titles[code] ?? '(not a code of this pathway)');

/** Patients per code; `titled` adds a column with the pathway's title of each code (see titleOf). */
const counts = (
  heading: string,
  m: Readonly<Record<string, number>>,
  titled?: { readonly titles: Readonly<Record<string, string>> | undefined },
): string =>
  Object.keys(m).length === 0
    ? `<h2>${escape(heading)}</h2><p>None.</p>`
    : `<h2>${escape(heading)}</h2>${table(
        titled === undefined ? ['Code', 'Patients'] : ['Code', 'Title', 'Patients'],
        Object.entries(m).map(([k, v]) =>
          titled === undefined ? [k, String(v)] : [k, titleOf(titled.titles, k), String(v)],
        ),
      )}`;

export interface ReportContext {
  readonly asOf: string;
  readonly pathway: { readonly id: string; readonly version: string };
  readonly source: string;
  readonly defaultCutOffMgPerL: number;
  /** The pathway cut-off's `verified` flag: an unverified one is flagged [U] where it surfaces. */
  readonly defaultCutOffVerified: boolean;
  /** The adequate antidepressant trials the pathway requires for treatment resistance. */
  readonly requiredTrials: { readonly value: number; readonly verified: boolean };
  /** Absent for an earlier output screened with a pathway this trd does not hold: the tables then show codes only. */
  readonly titles?: CodeTitles;
}

/**
 * The rendered SVG as an image with an accessible name and description (vega's SVG string carries neither on its
 * root); the tables after each chart are its full text alternative.
 */
export function accessibleSvg(svg: string, id: string, title: string, description: string): string {
  return svg.replace(
    /^<svg\b([^>]*)>/,
    `<svg$1 role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${escape(title)}</title><desc id="${id}-desc">${escape(description)}</desc>`,
  );
}

/**
 * A count column's heading with its denominator ("Referable patients (of 8)"), so that a count of patients missing an
 * item is never read as the size of the group it is counted among.
 */
const ofGroup = (heading: string, total: number): string => `${heading} (of ${total})`;

/** The funnel's count at a stage. */
const atStage = (s: ScreenSummary, stage: FunnelStage): number => s.funnel.find((f) => f.stage === stage)?.count ?? 0;

/** The patients on the referral track (refer-to-trial, measure-crp, repeat-crp): those the pathway lists work-up for. */
const onReferralTrack = (s: ScreenSummary): number =>
  [...REFERRAL_TRACK].reduce((n, code) => n + (s.recommendations[code] ?? 0), 0);

/** Why a located malformed line was skipped when its reader gave no other reason: its text is not a resource. */
const MALFORMED_JSON = 'not a JSON object with a resourceType';

const cutOffBasis = (cutOff: string, c: ReportContext): string =>
  cutOff !== String(c.defaultCutOffMgPerL)
    ? "[U] exploratory: not the pathway's cut-off"
    : c.defaultCutOffVerified
      ? "the pathway's cut-off (verified)"
      : "[U] the pathway's cut-off (unverified)";

export async function renderScreenReport(summary: ScreenSummary, c: ReportContext): Promise<string> {
  // Stages name the pathway's numbers they count at: the adequate trials it requires, and its CRP cut-off, which
  // the --cut-offs table sets beside others.
  const numbers: Partial<Record<FunnelStage, string>> = {
    trd: `${c.requiredTrials.value}+ adequate trials${c.requiredTrials.verified ? '' : ' [U]'}`,
    'crp-elevated': `${c.defaultCutOffMgPerL} mg/L${c.defaultCutOffVerified ? '' : ' [U]'}`,
  };
  const s: ScreenSummary = {
    ...summary,
    funnel: summary.funnel.map((f) => {
      const n = numbers[f.stage];
      return n === undefined ? f : { ...f, label: `${f.label} (${n})` };
    }),
  };
  const [funnelSvg, cutOffSvg] = await Promise.all([renderSvg(funnelSpec(s)), renderSvg(cutOffSpec(s))]);
  const funnel = accessibleSvg(
    funnelSvg,
    'funnel',
    'Screening funnel',
    `Patients at each stage: ${s.funnel.map((f) => `${f.label}: ${f.count}`).join('; ')}.`,
  );
  const cutOffs = accessibleSvg(
    cutOffSvg,
    'cut-offs',
    'Referable patients by CRP cut-off',
    `Referable patients at each CRP cut-off: ${s.cutOffs.map((x) => `${x.cutOffMgPerL} mg/L: ${x.referable}`).join('; ')}.`,
  );
  const q = s.dataQuality;
  // Each located line with its reason: one refused before its JSON was read says why (not UTF-8 text, too long).
  const located = q.malformedAt.map((m) => [m.file, String(m.line), m.reason ?? MALFORMED_JSON]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Population screen: ${escape(c.pathway.id)} ${escape(c.pathway.version)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
th{background:#f3f3f3}.note{color:#555}svg{max-width:100%;height:auto}</style></head><body>
<h1>Population screen</h1>
<p>Pathway ${escape(c.pathway.id)} version ${escape(c.pathway.version)}, as of ${escape(c.asOf)}; source: ${escape(c.source)}.
${s.population} patients. Each patient was assessed by the same engine as <code>trd assess</code>; IL-6 blockade is offered only within a trial.</p>
<h2>Screening funnel</h2>
${funnel}
${table(
  ['Stage', 'Patients'],
  s.funnel.map((f) => [f.label, String(f.count)]),
)}
<p class="note">Each stage counts the patients of the stage before it who meet it, at the pathway's CRP cut-off. A CRP result that cannot be placed against the cut-off (reported only as below a limit above it, such as &lt;5 mg/L) is measured but not at or above the cut-off, and a CRP above the acute threshold is at or above the cut-off but not referable: the pathway asks for the CRP to be repeated in both (repeat-crp).</p>
${counts('Recommendations', s.recommendations, { titles: c.titles?.recommendations })}
${counts('Scope', s.scopeReasons)}
<h2>Absolute contraindications</h2>
${
  Object.keys(s.contraindications).length === 0
    ? '<p>None.</p>'
    : `<p class="note">The first column counts the treatment-resistant patients with each contraindication, whom the funnel's "No absolute contraindication" stage drops for it; the second, every patient with it, whatever the recommendation (one out of scope or not treatment-resistant included). A patient with several contraindications counts once under each.</p>${table(
        [
          'Code',
          'Title',
          ofGroup('Treatment-resistant patients', atStage(s, 'trd')),
          ofGroup('All patients', s.population),
        ],
        Object.entries(s.contraindications).map(([k, v]) => [
          k,
          titleOf(c.titles?.contraindications, k),
          String(s.contraindicationsAmongTrd[k] ?? 0),
          String(v),
        ]),
      )}`
}
<h2>Missing work-up</h2>
${
  Object.keys(s.missingWorkup).length === 0
    ? '<p>None.</p>'
    : `<p class="note">Listed for the patients the pathway sends toward a trial (the referral track): those referable now (refer-to-trial), and those whose CRP is to be measured (measure-crp) or repeated (repeat-crp) first; a patient missing several items counts once under each.</p>${table(
        [
          'Code',
          'Title',
          ofGroup('Referable patients', atStage(s, 'referable')),
          ofGroup('All patients on the referral track', onReferralTrack(s)),
        ],
        Object.entries(s.missingWorkup).map(([k, v]) => [
          k,
          titleOf(c.titles?.missingWorkup, k),
          String(s.missingWorkupAmongReferable[k] ?? 0),
          String(v),
        ]),
      )}`
}
${counts('Safety alerts', s.safetyAlerts, { titles: c.titles?.safetyAlerts })}
<h2>CRP cut-off</h2>
<p class="note">The decision re-run with the cut-off changed in the pathway knowledge (default ${c.defaultCutOffMgPerL} mg/L); the acute threshold and every other rule unchanged.</p>
${cutOffs}
${table(
  ['Cut-off (mg/L)', 'Referable', 'Basis'],
  s.cutOffs.map((x) => [x.cutOffMgPerL, String(x.referable), cutOffBasis(x.cutOffMgPerL, c)]),
)}
<h2>Data quality</h2>
${table(
  ['Measure', 'Count'],
  [
    ['Malformed lines (not a JSON object, not UTF-8 text, or too long; skipped)', String(q.malformedLines)],
    [
      'Patients not assessed (no or several Patient resources, or an engine error: each line says why)',
      String(q.notAssessed),
    ],
    [
      'Resources that name no patient the screen can read (no subject or patient reference, or one of another form; OMOP rows of a person_id not in person; not used)',
      String(q.withoutPatient),
    ],
    ...(q.mergedRecords === undefined
      ? []
      : [
          [
            "Patient records merged into another record of the same person (Patient.link; their resources read as that person's, each person counted once)",
            String(q.mergedRecords),
          ],
        ]),
    ...(q.medicationsNotInExport === undefined
      ? []
      : [
          [
            'Medication references that name no Medication of the export (their medicine unknown, so no antidepressant trial is seen: export Medication with the other types)',
            String(q.medicationsNotInExport),
          ],
        ]),
    ['Results whose unit could not be converted', String(q.unconvertibleUnits)],
  ],
)}
${located.length === 0 ? '' : `<h3>Malformed lines located</h3>${table(['File', 'Line', 'Why'], located)}`}
${counts('Data issues raised by the engine (patients)', q.issues)}
${counts('Information from reading the records (patients; not data issues)', s.information)}
<p class="note">How the records were read, not a fault in them, so not counted among the data issues: fhir.resource.skipped counts the patients with resources the pathway does not use (encounters, claims), left unread by design.</p>
</body></html>
`;
}
