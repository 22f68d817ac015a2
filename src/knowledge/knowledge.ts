/**
 * The Knowledge value: every validated knowledge file plus the lookup indexes built once from them. Engines receive
 * it as a parameter (they never load files), so the pure core stays free of I/O.
 */
import type { Pathway } from './schema-pathway.ts';
import type {
  AntidepressantIngredient,
  AntidepressantTable,
  Citation,
  CodeEntry,
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

export interface KnowledgeIndex {
  readonly systems: ReadonlyMap<string, SystemRule>;
  readonly sets: ReadonlyMap<string, CodeSetIndex>;
  readonly antidepressantCodes: ReadonlyMap<string, AntidepressantCodeTarget>;
  readonly ingredients: ReadonlyMap<string, AntidepressantIngredient | OtherAntidepressantIngredient>;
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
