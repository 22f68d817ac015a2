/**
 * The export files the statistician downloads after database lock, by file name; the content is the trial exports'
 * (src/trial/exports/): the long analysis CSV that `trd analyze` reads, SDTM-style domains with their Define-XML, and
 * a FHIR Bundle of ResearchStudy and ResearchSubject resources. This module only names the files and their media
 * types, and the spreadsheet copy of an SDTM dataset (`spreadsheetSafe`, as `trd trial export --spreadsheet-safe`).
 */
import type { InstrumentDefinition } from '../../instruments/index.ts';
import type { Pathway } from '../../knowledge/schema-pathway.ts';
import {
  analysisCsv,
  dmDemographicsNotes,
  fhirResearchBundle,
  sdtmDefine,
  sdtmDomains,
  sdtmUnitNotes,
  SDTM_DOMAINS,
} from '../../trial/exports/index.ts';
import type { SdtmDomain } from '../../trial/exports/index.ts';
import type { TrialSnapshot } from '../../trial/model.ts';
import { InputError } from '../../record/issues.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

/** Each SDTM dataset's file, from the list the export writes (so a dataset the define names is always served). */
const sdtmFiles = SDTM_DOMAINS.map((d) => `sdtm-${d.toLowerCase() as Lowercase<SdtmDomain>}.csv` as const);

export const exportNames = ['analysis.csv', ...sdtmFiles, 'sdtm-define.xml', 'research.fhir.json'] as const;
export type ExportName = (typeof exportNames)[number];

/**
 * The file named, or with `spreadsheetSafe` an SDTM dataset's copy to open in a spreadsheet: text cells that begin
 * like a formula (= + - @) written with a leading apostrophe (sdtmDomains' csvText), named `sdtm-dm-spreadsheet.csv`
 * so that it is not taken for the dataset to submit. Only the SDTM datasets have one, as on the command line: the
 * define describes the datasets' exact values, the analysis CSV is always escaped and the FHIR Bundle is JSON.
 */
export function exportFile(
  name: ExportName,
  snapshot: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  pathway: Pathway,
  options: { readonly spreadsheetSafe?: boolean } = {},
): { contentType: string; content: string; fileName: string; notes: string[] } {
  if (options.spreadsheetSafe === true && !sdtmFiles.includes(name as never)) {
    throw new InputError(
      `spreadsheetSafe: only for the SDTM datasets (sdtm-dm.csv, ...): ${
        name === 'sdtm-define.xml'
          ? 'the define describes the datasets as submitted, not a spreadsheet copy'
          : name === 'analysis.csv'
            ? 'analysis.csv is always written spreadsheet-safe'
            : 'research.fhir.json is JSON'
      }`,
      'input.invalid',
      'spreadsheetSafe',
    );
  }
  if (name === 'analysis.csv') {
    // The served pathway, by which the store converted the baseline hs-CRP (its molar factor named in crp_conversion).
    return {
      contentType: 'text/csv; charset=utf-8',
      content: analysisCsv(snapshot, protocol, instruments, pathway).csv,
      fileName: name,
      notes: [],
    };
  }
  if (name === 'research.fhir.json') {
    return {
      contentType: 'application/fhir+json',
      content: JSON.stringify(fhirResearchBundle(snapshot, protocol)),
      fileName: name,
      notes: [],
    };
  }
  if (name === 'sdtm-define.xml') {
    // The def:leaf of each dataset names the file as downloaded here.
    const content = sdtmDefine(snapshot, protocol, instruments, {
      createdAt: new Date().toISOString(),
      fileOf: (d) => `sdtm-${d.toLowerCase()}.csv`,
    });
    return { contentType: 'application/xml; charset=utf-8', content, fileName: name, notes: sdtmNotes(snapshot) };
  }
  const domain = name.slice('sdtm-'.length, -'.csv'.length).toUpperCase() as SdtmDomain;
  const safe = options.spreadsheetSafe === true;
  return {
    contentType: 'text/csv; charset=utf-8',
    content: sdtmDomains(snapshot, protocol, instruments, { spreadsheetSafe: safe })[domain],
    fileName: safe ? name.replace(/\.csv$/, '-spreadsheet.csv') : name,
    notes: sdtmNotes(snapshot).filter((n) => n.startsWith(`SDTM ${domain}:`)),
  };
}

/**
 * What the SDTM datasets leave empty or unmapped, as `trd trial export` says it on stderr: the demographics DM lacks
 * (dmDemographicsNotes) and the LB units without a CDISC submission value (sdtmUnitNotes). A dataset's download
 * carries its own domain's, the define all of them.
 */
function sdtmNotes(snapshot: TrialSnapshot): string[] {
  return [...dmDemographicsNotes(snapshot), ...sdtmUnitNotes(snapshot)];
}
