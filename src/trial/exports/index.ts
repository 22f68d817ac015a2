export { analysisCsv, ANALYSIS_COLUMNS, CONCEALED_ARM, outcomeValue } from './analysis-csv.ts';
export type { AnalysisExport } from './analysis-csv.ts';
export { dmDemographicsNotes, sdtmDomains, sdtmUnitNotes, SDTM_DOMAINS } from './sdtm.ts';
export type { SdtmDomain } from './sdtm.ts';
export { sdtmDefine } from './define.ts';
export { fhirResearchBundle, PARTICIPANT_SYSTEM } from './fhir.ts';
