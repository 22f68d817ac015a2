/**
 * Population counts from the screen's result lines: the screening funnel, counts per scope reason, contraindication,
 * missing work-up item and recommendation, the referable count at each CRP cut-off, and data quality. Pure: the
 * caller feeds lines one at a time (a screen's output may not fit in memory) and reads the summary at the end.
 */
import type { Pathway, SafetyAlertCode } from '../knowledge/index.ts';
import type { ScreenLine } from './result-line.ts';
import type { MalformedLine, SourceQuality } from './sources/source.ts';

export const FUNNEL_STAGES = [
  ['population', 'Population'],
  // The issue's "adults in scope": pathway definition 0 but for no-depression, which the next stage counts.
  ['adults-in-scope', 'Living adults without bipolar or psychotic disorder'],
  ['depression', 'Current depressive episode'],
  // The report adds the number of adequate trials the pathway requires (report-html.ts).
  ['trd', 'Treatment-resistant'],
  ['no-contraindication', 'No absolute contraindication'],
  ['crp-measured', 'CRP measured (valid, in window)'],
  ['crp-elevated', 'CRP at or above the cut-off'],
  ['referable', 'Referable to a trial of IL-6 blockade'],
] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number][0];

const OUT_OF_SCOPE_ADULT_REASONS = new Set(['deceased', 'minor', 'bipolar', 'psychotic-disorder']);
const BEFORE_TRD = new Set(['out-of-scope', 'not-trd', 'confirm-history', 'not-assessed']);

/** The funnel stages a line reaches (each stage implies the ones before it). */
export function stagesOf(line: ScreenLine): FunnelStage[] {
  const code = line.recommendation.code;
  const stages: FunnelStage[] = ['population'];
  if (line.error !== undefined) return stages;
  if (line.scope !== undefined && !line.scope.inScope && OUT_OF_SCOPE_ADULT_REASONS.has(line.scope.reason))
    return stages;
  stages.push('adults-in-scope');
  if (code === 'out-of-scope') return stages;
  stages.push('depression');
  if (BEFORE_TRD.has(code)) return stages;
  stages.push('trd');
  if (code === 'contraindicated') return stages;
  stages.push('no-contraindication');
  if (code === 'measure-crp') return stages;
  stages.push('crp-measured');
  if (!['elevated', 'acute'].includes(line.inflammation.status) && code !== 'refer-to-trial') return stages;
  stages.push('crp-elevated');
  if (code === 'refer-to-trial') stages.push('referable');
  return stages;
}

export interface ScreenSummary {
  readonly population: number;
  readonly funnel: readonly { readonly stage: FunnelStage; readonly label: string; readonly count: number }[];
  readonly recommendations: Readonly<Record<string, number>>;
  readonly scopeReasons: Readonly<Record<string, number>>;
  /** Patients with each contraindication, at any stage (out of scope, not TRD too). */
  readonly contraindications: Readonly<Record<string, number>>;
  /** Treatment-resistant patients with each: those the funnel's "no absolute contraindication" stage drops. */
  readonly contraindicationsAmongTrd: Readonly<Record<string, number>>;
  /** Patients on the referral track (refer-to-trial, measure-crp, repeat-crp) missing each work-up item. */
  readonly missingWorkup: Readonly<Record<string, number>>;
  /** Referable patients (refer-to-trial) missing each: the work-up a trial site has to do before enrolment. */
  readonly missingWorkupAmongReferable: Readonly<Record<string, number>>;
  readonly safetyAlerts: Readonly<Record<string, number>>;
  /** Referable patients at the pathway's cut-off and at each `--cut-offs` value. */
  readonly cutOffs: readonly { readonly cutOffMgPerL: string; readonly referable: number }[];
  readonly dataQuality: {
    readonly malformedLines: number;
    readonly malformedAt: readonly MalformedLine[];
    /**
     * Resources that name no patient the screen can read (no subject or patient, or one of another form; OMOP rows of
     * a person_id not in `person`): unused.
     */
    readonly withoutPatient: number;
    /** Patient records merged into another record of the same person (`Patient.link`); FHIR sources only. */
    readonly mergedRecords?: number;
    /** Medication references that name no Medication of the export; FHIR sources only. */
    readonly medicationsNotInExport?: number;
    readonly notAssessed: number;
    readonly unconvertibleUnits: number;
    /** Patients with each engine issue code (error or warning). */
    readonly issues: Readonly<Record<string, number>>;
  };
  /**
   * Patients with each code of the engine's information issues: how the records were read (resources the pathway
   * does not use, `fhir.resource.skipped`), not data quality, so never counted among its issues.
   */
  readonly information: Readonly<Record<string, number>>;
}

const bump = (m: Record<string, number>, key: string): void => {
  // Keys are codes from the engine; an own-property map avoids prototype names.
  m[key] = (Object.hasOwn(m, key) ? (m[key] as number) : 0) + 1;
};

export class SummaryBuilder {
  private population = 0;
  private readonly funnel = new Map<FunnelStage, number>(FUNNEL_STAGES.map(([s]) => [s, 0]));
  private readonly recommendations: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly scopeReasons: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly contraindications: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly contraindicationsAmongTrd: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly missingWorkup: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly missingWorkupAmongReferable: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly safetyAlerts: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly issues: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly information: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly referableAt: Record<string, number> = Object.create(null) as Record<string, number>;
  private notAssessed = 0;
  private unconvertibleUnits = 0;

  constructor(private readonly defaultCutOff: number) {}

  add(line: ScreenLine): void {
    this.population++;
    const stages = stagesOf(line);
    for (const s of stages) this.funnel.set(s, (this.funnel.get(s) ?? 0) + 1);
    bump(this.recommendations, line.recommendation.code);
    if (line.scope !== undefined) bump(this.scopeReasons, line.scope.reason);
    for (const c of line.contraindications) bump(this.contraindications, c);
    if (stages.includes('trd')) for (const c of line.contraindications) bump(this.contraindicationsAmongTrd, c);
    for (const m of line.missingWorkup) bump(this.missingWorkup, m);
    if (stages.includes('referable')) for (const m of line.missingWorkup) bump(this.missingWorkupAmongReferable, m);
    for (const a of line.safetyAlerts) bump(this.safetyAlerts, a);
    for (const i of line.issues) bump(this.issues, i);
    for (const i of line.information ?? []) bump(this.information, i);
    if (line.error !== undefined) this.notAssessed++;
    this.unconvertibleUnits += line.unconvertibleUnits;
    if (line.recommendation.code === 'refer-to-trial') bump(this.referableAt, String(this.defaultCutOff));
    for (const [c, code] of Object.entries(line.atCutOff ?? {})) {
      if (c !== String(this.defaultCutOff) && code === 'refer-to-trial') bump(this.referableAt, c);
    }
  }

  build(
    quality: Pick<
      SourceQuality,
      'malformedLines' | 'malformedAt' | 'withoutPatient' | 'mergedRecords' | 'medicationsNotInExport'
    >,
    cutOffs: readonly number[],
  ): ScreenSummary {
    const all = [...new Set([this.defaultCutOff, ...cutOffs])].sort((a, b) => a - b);
    const plain = (m: Record<string, number>): Record<string, number> =>
      Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      population: this.population,
      funnel: FUNNEL_STAGES.map(([stage, label]) => ({ stage, label, count: this.funnel.get(stage) ?? 0 })),
      recommendations: plain(this.recommendations),
      scopeReasons: plain(this.scopeReasons),
      contraindications: plain(this.contraindications),
      contraindicationsAmongTrd: plain(this.contraindicationsAmongTrd),
      missingWorkup: plain(this.missingWorkup),
      missingWorkupAmongReferable: plain(this.missingWorkupAmongReferable),
      safetyAlerts: plain(this.safetyAlerts),
      cutOffs: all.map((c) => ({ cutOffMgPerL: String(c), referable: this.referableAt[String(c)] ?? 0 })),
      dataQuality: {
        malformedLines: quality.malformedLines,
        malformedAt: quality.malformedAt,
        withoutPatient: quality.withoutPatient,
        ...(quality.mergedRecords === undefined ? {} : { mergedRecords: quality.mergedRecords }),
        ...(quality.medicationsNotInExport === undefined
          ? {}
          : { medicationsNotInExport: quality.medicationsNotInExport }),
        notAssessed: this.notAssessed,
        unconvertibleUnits: this.unconvertibleUnits,
        issues: plain(this.issues),
      },
      information: plain(this.information),
    };
  }
}

/**
 * The pathway's title of each code the report counts (recommendations, contraindications, missing work-up items,
 * safety alerts), so that a reader of the tables need not look the codes up. Taken from the pathway screened with.
 */
export interface CodeTitles {
  readonly recommendations: Readonly<Record<string, string>>;
  readonly contraindications: Readonly<Record<string, string>>;
  readonly missingWorkup: Readonly<Record<string, string>>;
  readonly safetyAlerts: Readonly<Record<string, string>>;
}

export function codeTitlesOf(pathway: Pathway): CodeTitles {
  const byCode = (items: readonly { readonly code: string; readonly title: string }[]): Record<string, string> =>
    Object.fromEntries(items.map((i) => [i.code, i.title]));
  return {
    recommendations: byCode(pathway.decision),
    contraindications: byCode(pathway.contraindications),
    missingWorkup: byCode(pathway.missingWorkup),
    safetyAlerts: { 'suicide-risk': pathway.definitions.safety.suicideRisk.title } satisfies Record<
      SafetyAlertCode,
      string
    >,
  };
}
