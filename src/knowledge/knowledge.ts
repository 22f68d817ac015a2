/**
 * The Knowledge value: every validated knowledge file plus the lookup indexes built once from them. Engines receive
 * it as a parameter (they never load files), so the pure core stays free of I/O.
 */
import type { MedicationNameIndex } from './medication-names.ts';
import type { Pathway } from './schema-pathway.ts';
import type {
  AntidepressantIngredient,
  AntidepressantTable,
  Citation,
  CodeEntry,
  CodeFormat,
  CodeNormalization,
  CodeSet,
  CodeSystem,
  OtherAntidepressantIngredient,
} from './schema-codesets.ts';

/** How one code system is compared, reachable from its canonical URI and every alias. */
export interface SystemRule {
  readonly uri: string;
  readonly name: string;
  readonly normalize: CodeNormalization;
  readonly prefixMatching: boolean;
  readonly format?: CodeFormat;
}

/** One code set as Maps keyed `canonicalSystem|normalizedCode`, so a lookup is one or a few Map hits. */
export interface CodeSetIndex {
  readonly exact: ReadonlyMap<string, CodeEntry>;
  /** Prefix entries, keyed by the normalised prefix; probed from the longest possible length down. */
  readonly prefix: ReadonlyMap<string, CodeEntry>;
  readonly minPrefixLength: number;
  readonly maxPrefixLength: number;
}

/** What a code in the antidepressant table stands for. */
export interface AntidepressantCodeTarget {
  readonly ingredient: string;
  readonly strengthMg?: number;
  readonly system: string;
  readonly code: string;
  readonly display: string;
  readonly citation: string;
  readonly verified: boolean;
}

/**
 * Everything the knowledge says about one code of one system: the code sets it belongs to (with the entry that made
 * it a member: an exact entry before a prefix entry, a longer prefix before a shorter one) and the antidepressant it
 * names. Built once at load, so the engine classifies a coding with one Map get.
 */
export interface CodeMembership {
  readonly sets: ReadonlyMap<string, CodeEntry>;
  readonly antidepressant?: AntidepressantCodeTarget;
}

/** One code system's codes: exact codes, and prefixes (hierarchical systems) probed from the longest down. */
export interface SystemCodes {
  readonly rule: SystemRule;
  readonly exact: ReadonlyMap<string, CodeMembership>;
  readonly prefix: ReadonlyMap<string, CodeMembership>;
  readonly minPrefixLength: number;
  readonly maxPrefixLength: number;
}

/** An unverified value as one display line (the shape of src/pathway/facts.ts `UnverifiedItem`). */
export interface UnverifiedEntry {
  /** What was relied on, e.g. `code set depression: ICD-10-CM F32.A "Depression, unspecified"`. */
  readonly item: string;
  readonly note: string;
  readonly citation: string;
}

export interface KnowledgeIndex {
  readonly systems: ReadonlyMap<string, SystemRule>;
  readonly sets: ReadonlyMap<string, CodeSetIndex>;
  readonly antidepressantCodes: ReadonlyMap<string, AntidepressantCodeTarget>;
  readonly ingredients: ReadonlyMap<string, AntidepressantIngredient | OtherAntidepressantIngredient>;
  /** Per system URI (canonical and every alias, as senders write them): which sets each code belongs to. */
  readonly codes: ReadonlyMap<string, SystemCodes>;
  /** The display line of every unverified code-set entry, per set id and entry. */
  readonly unverifiedEntries: ReadonlyMap<string, ReadonlyMap<CodeEntry, UnverifiedEntry>>;
  /** The display line of every unverified antidepressant-table row. */
  readonly unverifiedRows: ReadonlyMap<AntidepressantCodeTarget, UnverifiedEntry>;
  /** The display line of every unverified minimum dose, per ingredient. */
  readonly unverifiedDoses: ReadonlyMap<string, UnverifiedEntry>;
  /** The medication names a record without a listed code is recognised by (medication-names.ts). */
  readonly medicationNames: MedicationNameIndex;
}

/** A knowledge file that went into this Knowledge, for provenance in outputs ("which version said so"). */
export interface KnowledgeSource {
  readonly path: string;
  readonly schema: string;
  readonly id: string;
  readonly version: string;
}

export interface Knowledge {
  readonly pathway: Pathway;
  readonly codeSets: ReadonlyMap<string, CodeSet>;
  readonly antidepressants: AntidepressantTable;
  /** The registry (knowledge/citations.json) merged with the pathway file's own `citations` block. */
  readonly citations: ReadonlyMap<string, Citation>;
  readonly codeSystems: readonly CodeSystem[];
  readonly sources: readonly KnowledgeSource[];
  /** Lookup indexes; use the functions in lookup.ts rather than reading these directly. */
  readonly index: KnowledgeIndex;
}
