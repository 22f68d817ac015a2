/**
 * The export files the statistician downloads after database lock, by file name; the content is the trial exports'
 * (src/trial/exports/): the long analysis CSV that `trd analyze` reads, SDTM-style domains with their Define-XML, and
 * a FHIR Bundle of ResearchStudy and ResearchSubject resources. This module only names the files and their media
 * types.
 */
import type { InstrumentDefinition } from '../../instruments/index.ts';
import type { Pathway } from '../../knowledge/schema-pathway.ts';
import { analysisCsv, fhirResearchBundle, sdtmDefine, sdtmDomains, SDTM_DOMAINS } from '../../trial/exports/index.ts';
import type { SdtmDomain } from '../../trial/exports/index.ts';
import type { TrialSnapshot } from '../../trial/model.ts';
import type { TrialProtocol } from '../../trials/schema.ts';

/** Each SDTM dataset's file, from the list the export writes (so a dataset the define names is always served). */
const sdtmFiles = SDTM_DOMAINS.map((d) => `sdtm-${d.toLowerCase() as Lowercase<SdtmDomain>}.csv` as const);

export const exportNames = ['analysis.csv', ...sdtmFiles, 'sdtm-define.xml', 'research.fhir.json'] as const;
export type ExportName = (typeof exportNames)[number];

export function exportFile(
  name: ExportName,
  snapshot: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  pathway: Pathway,
): { contentType: string; content: string } {
  if (name === 'analysis.csv') {
    // The served pathway, by which the store converted the baseline hs-CRP (its molar factor named in crp_conversion).
    return {
      contentType: 'text/csv; charset=utf-8',
      content: analysisCsv(snapshot, protocol, instruments, pathway).csv,
    };
  }
  if (name === 'research.fhir.json') {
    return { contentType: 'application/fhir+json', content: JSON.stringify(fhirResearchBundle(snapshot, protocol)) };
  }
  if (name === 'sdtm-define.xml') {
    // The def:leaf of each dataset names the file as downloaded here.
    const content = sdtmDefine(snapshot, protocol, instruments, {
      createdAt: new Date().toISOString(),
      fileOf: (d) => `sdtm-${d.toLowerCase()}.csv`,
    });
    return { contentType: 'application/xml; charset=utf-8', content };
  }
  const domain = name.slice('sdtm-'.length, -'.csv'.length).toUpperCase() as SdtmDomain;
  return { contentType: 'text/csv; charset=utf-8', content: sdtmDomains(snapshot, protocol, instruments)[domain] };
}
