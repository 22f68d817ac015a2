/**
 * Clinical knowledge as versioned, cited, schema-validated data: the care pathway, code sets, the antidepressant
 * table and the citation registry, with fast lookups. Pure (no I/O); the Node loader is `./load.ts`.
 */
export type {
  AntidepressantCodeTarget,
  CodeMembership,
  Knowledge,
  KnowledgeIndex,
  KnowledgeSource,
  SystemRule,
} from './knowledge.ts';
export { parseKnowledge, formatFieldPath } from './parse.ts';
export type { KnowledgeFile } from './parse.ts';
export {
  antidepressantIngredient,
  codeMembership,
  codingSets,
  conceptInCodeSet,
  inCodeSet,
  matchAnswerScore,
  matchCoding,
  matchConcept,
  matchConceptInSets,
  matchInMemberships,
  normalizeCode,
  resolveAntidepressant,
  systemRule,
  usesCoding,
} from './lookup.ts';
export type { AntidepressantMatch, CodeMatch } from './lookup.ts';
export { unverifiedEntries, unverifiedEntry, unverifiedMinimumDose } from './unverified.ts';
export {
  antidepressantNamedIn,
  ingredientOfDisplay,
  medicationNamesOf,
  nameListedIn,
  nonSystemicRoute,
  setsListIngredient,
  unverifiedName,
  unverifiedRoutes,
  withMedicationNames,
} from './medication-names.ts';
export type { MedicationName } from './medication-names.ts';
export type { UnverifiedEntry } from './unverified.ts';
export type {
  AntidepressantIngredient,
  AntidepressantProduct,
  AntidepressantTable,
  Citation,
  CodeEntry,
  CodeSet,
  CodeSystem,
  EvidenceTag,
  OtherAntidepressantIngredient,
} from './schema-codesets.ts';
export type { Pathway, SafetyAlertCode } from './schema-pathway.ts';
