/**
 * Define-XML 2.0 for the SDTM export: one ItemGroupDef per dataset and one ItemDef per variable, with the SDTMIG 3.3
 * label, data type, length, origin, keys, codelists and computational methods of sdtm-variables.ts (the definitions
 * the CSV headers come from), lengths measured on the rows being exported (sdtmRows), value-level metadata for the
 * SUPP-- qualifiers, for TS's TSVAL per parameter (its origin) and for QSTESTCD/QSTEST per instrument (each with its
 * codelist of the instrument's test codes and names, from the functions sdtm.ts writes them with), the CTCAE as an external dictionary at the protocol's version
 * (where SDTMIG puts the scale of LBTOX/LBTOXGR), CDISC UNIT (C71620) for the units and ISO 3166-1 alpha-3 for
 * COUNTRY. Each dataset's def:leaf names its
 * CSV file. Valid against the Define-XML 2.0 schema (define.test.ts). Pure: the creation time is the caller's.
 */
import { create } from 'xmlbuilder2';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { TrialSnapshot } from '../model.ts';
import { ieCriteria, sdtmRows, type Cell } from './sdtm.ts';
import {
  qsTestTerms,
  SDTM_CODELISTS,
  SDTM_DATASETS,
  SDTM_DOMAINS,
  SDTM_METHODS,
  SDTMIG_VERSION,
  sdtmVariables,
  SUPP_DOMAINS,
  TS_PARAMETERS,
  type TsParameter,
  suppQualifiers,
  type SdtmCodelistId,
  type SdtmDomain,
  type SdtmMethodId,
  type SdtmOrigin,
  type SdtmVariable,
} from './sdtm-variables.ts';

/**
 * An XML element, built as plain data and written by xmlbuilder2 (which escapes every attribute and text, and drops
 * the characters XML 1.0 does not allow); the test reads the result back with a strict XML parser.
 */
interface XmlElement {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, string | number | undefined>>;
  readonly children?: readonly (XmlElement | string)[];
}

type XmlNode = ReturnType<typeof create>;

function write(parent: XmlNode, e: XmlElement): void {
  const attrs = Object.fromEntries(
    Object.entries(e.attrs ?? {}).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
  );
  const node = parent.ele(e.name, attrs);
  for (const c of e.children ?? []) {
    if (typeof c === 'string') node.txt(c);
    else write(node, c);
  }
}

const el = (name: string, attrs: XmlElement['attrs'] = {}, children: XmlElement['children'] = []): XmlElement => ({
  name,
  attrs,
  children,
});
const description = (text: string): XmlElement =>
  el('Description', {}, [el('TranslatedText', { 'xml:lang': 'en' }, [text])]);

const utf8 = new TextEncoder();

/**
 * Length (and decimals of a float) of the longest value a variable takes in the rows; 1 when it is always empty. A
 * text's length is in bytes of its UTF-8 encoding (the files'), as a SAS dataset or XPT file built from the define
 * allocates it: counted in characters, an entered term such as "Übelkeit" would be cut short.
 */
function measured(v: SdtmVariable, cells: readonly Cell[]): { Length?: number; SignificantDigits?: number } {
  if (v.type === 'date') return {};
  const texts = cells.filter((c) => c !== null && c !== '').map(String);
  const length = Math.max(
    1,
    ...texts.map((t) => (v.type === 'float' ? t.replace(/[-.]/g, '').length : utf8.encode(t).length)),
  );
  if (v.type !== 'float') return { Length: length };
  return { Length: length, SignificantDigits: Math.max(0, ...texts.map((t) => t.split('.')[1]?.length ?? 0)) };
}

export interface DefineOptions {
  /** ISO 8601 creation time of the file (CreationDateTime). */
  readonly createdAt: string;
  /** The file each dataset is written to (def:leaf); default `dm.csv`, `supplb.csv`, ... as `trd trial export` writes. */
  readonly fileOf?: (domain: SdtmDomain) => string;
}

export function sdtmDefine(
  s: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
  options: DefineOptions,
): string {
  const study = protocol.registry[0]?.id ?? protocol.id;
  const fileOf = options.fileOf ?? ((d: SdtmDomain) => `${d.toLowerCase()}.csv`);
  const rows = sdtmRows(s, protocol, instruments);
  const itemOid = (d: SdtmDomain, name: string) => `IT.${d}.${name}`;
  // The variables of each dataset as written (TS with the TSVAL1 ... TSVALn its rows need).
  const variablesOf = Object.fromEntries(SDTM_DOMAINS.map((d) => [d, sdtmVariables(d, rows[d])])) as Record<
    SdtmDomain,
    SdtmVariable[]
  >;
  const column = (d: SdtmDomain, name: string): Cell[] => {
    const i = variablesOf[d].findIndex((v) => v.name === name);
    return rows[d].map((r) => r[i] ?? null);
  };

  // Value-level metadata: a variable described per value of another (its WhereClause), each with its own ItemDef.
  const valueLists: XmlElement[] = [];
  const whereClauses: XmlElement[] = [];
  const valueItems: XmlElement[] = [];
  const valueListRef = new Map<string, string>();
  const extraCodelists: XmlElement[] = [];
  const valueMethods = new Set<SdtmMethodId>();
  const valueLevel = (
    d: SdtmDomain,
    variable: string,
    by: string,
    entries: readonly {
      key: string;
      value: string;
      name: string;
      label: string;
      origin: SdtmOrigin;
      codelist?: string;
      /** How a Derived value is computed (its MethodDef). */
      method?: SdtmMethodId;
    }[],
  ): void => {
    // A value list has at least one entry (the schema's rule): a trial without instruments has none for QS.
    if (entries.length === 0) return;
    const oid = `VL.${d}.${variable}`;
    valueListRef.set(itemOid(d, variable), oid);
    const byCells = column(d, by);
    const cells = column(d, variable);
    const type = SDTM_DATASETS[d].variables.find((v) => v.name === variable)?.type ?? 'text';
    valueLists.push(
      el(
        'def:ValueListDef',
        { OID: oid },
        entries.map((e, i) =>
          el(
            'ItemRef',
            {
              ItemOID: `${itemOid(d, variable)}.${e.key}`,
              OrderNumber: i + 1,
              Mandatory: 'Yes',
              MethodOID: e.method === undefined ? undefined : methodOid(e.method),
            },
            [el('def:WhereClauseRef', { WhereClauseOID: whereOid(d, by, e.key) })],
          ),
        ),
      ),
    );
    for (const e of entries) {
      if (e.method !== undefined) valueMethods.add(e.method);
      const where = whereOid(d, by, e.key);
      if (!whereClauses.some((w) => w.attrs?.OID === where)) {
        whereClauses.push(
          el('def:WhereClauseDef', { OID: where }, [
            el('RangeCheck', { SoftHard: 'Soft', 'def:ItemOID': itemOid(d, by), Comparator: 'EQ' }, [
              el('CheckValue', {}, [e.value]),
            ]),
          ]),
        );
      }
      valueItems.push(
        el(
          'ItemDef',
          {
            OID: `${itemOid(d, variable)}.${e.key}`,
            Name: e.name,
            DataType: type,
            ...measured(
              { name: variable, label: e.label, type, core: 'Req', origin: e.origin },
              cells.filter((_, i) => byCells[i] === e.value),
            ),
          },
          [
            description(e.label),
            ...(e.codelist === undefined ? [] : [el('CodeListRef', { CodeListOID: e.codelist })]),
            el('def:Origin', { Type: e.origin }),
          ],
        ),
      );
    }
  };
  const whereOid = (d: SdtmDomain, by: string, key: string) => `WC.${d}.${by}.${key}`;

  // Each SUPP-- dataset's QVAL described per QNAM, from SUPP_QUALIFIERS.
  for (const supp of SUPP_DOMAINS) {
    valueLevel(
      supp,
      'QVAL',
      'QNAM',
      suppQualifiers(supp).map(([q, { label, origin }]) => ({ key: q, value: q, name: q, label, origin })),
    );
  }
  // QSTESTCD and QSTEST per instrument (QSCAT), each with the codelist of the instrument's own tests.
  const qsInstruments = instrumentsOf(s, protocol, instruments);
  for (const variable of ['QSTESTCD', 'QSTEST'] as const) {
    const v = SDTM_DATASETS.QS.variables.find((x) => x.name === variable)!;
    valueLevel(
      'QS',
      variable,
      'QSCAT',
      qsInstruments.map((def) => ({
        key: def.code,
        value: def.name,
        name: variable,
        label: v.label,
        origin: v.origin,
        codelist: `CL.${variable}.${def.code}`,
      })),
    );
    for (const def of qsInstruments) {
      const terms = qsTestTerms(def)[variable === 'QSTESTCD' ? 'testcd' : 'test'];
      extraCodelists.push(
        el('CodeList', { OID: `CL.${variable}.${def.code}`, Name: `${def.name} ${variable}`, DataType: 'text' }, [
          ...terms.map((t, i) => el('EnumeratedItem', { CodedValue: t, OrderNumber: i + 1 })),
        ]),
      );
    }
  }
  // TSVAL per parameter (TSPARMCD): its origin, from the protocol file, derived from the store, or assigned.
  const tsParameters = [...new Set(column('TS', 'TSPARMCD'))] as TsParameter[];
  valueLevel(
    'TS',
    'TSVAL',
    'TSPARMCD',
    tsParameters.map((code) => {
      const p: { name: string; origin: SdtmOrigin; method?: SdtmMethodId } = TS_PARAMETERS[code];
      return {
        key: code,
        value: code,
        name: 'TSVAL',
        label: p.name,
        origin: p.origin,
        ...(p.method === undefined ? {} : { method: p.method }),
      };
    }),
  );
  const groups = SDTM_DOMAINS.map((d) => {
    const ds = SDTM_DATASETS[d];
    return el(
      'ItemGroupDef',
      {
        OID: `IG.${d}`,
        Domain: ds.domain,
        Name: d,
        // One record per subject (DM), or none per subject (trial design: reference data for the whole study).
        Repeating: d === 'DM' || ds.class === 'TRIAL DESIGN' ? 'No' : 'Yes',
        IsReferenceData: ds.class === 'TRIAL DESIGN' ? 'Yes' : 'No',
        SASDatasetName: d,
        Purpose: 'Tabulation',
        'def:Structure': ds.structure,
        'def:Class': ds.class,
        'def:ArchiveLocationID': `LF.${d}`,
      },
      [
        description(ds.label),
        ...variablesOf[d].map((v, i) => {
          const key = ds.keys.indexOf(v.name);
          return el('ItemRef', {
            ItemOID: itemOid(d, v.name),
            OrderNumber: i + 1,
            Mandatory: v.core === 'Req' ? 'Yes' : 'No',
            KeySequence: key < 0 ? undefined : key + 1,
            MethodOID: v.method === undefined ? undefined : methodOid(v.method),
          });
        }),
        el('def:leaf', { ID: `LF.${d}`, 'xlink:href': fileOf(d) }, [el('def:title', {}, [fileOf(d)])]),
      ],
    );
  });

  const used = new Set<SdtmCodelistId>();
  const usedMethods = new Set<SdtmMethodId>(valueMethods);
  const items = SDTM_DOMAINS.flatMap((d) =>
    variablesOf[d].map((v) => {
      // The instruments' list is empty (and left out, as the schema wants a codelist to hold a term) without them.
      const codelist = v.codelist === 'QSCAT' && qsInstruments.length === 0 ? undefined : v.codelist;
      if (codelist !== undefined) used.add(codelist);
      if (v.method !== undefined) usedMethods.add(v.method);
      const valueList = valueListRef.get(itemOid(d, v.name));
      return el(
        'ItemDef',
        {
          OID: itemOid(d, v.name),
          Name: v.name,
          DataType: v.type,
          ...measured(v, column(d, v.name)),
          SASFieldName: v.name,
        },
        [
          description(v.label),
          ...(codelist === undefined ? [] : [el('CodeListRef', { CodeListOID: `CL.${codelist}` })]),
          el('def:Origin', { Type: v.origin }),
          ...(valueList === undefined ? [] : [el('def:ValueListRef', { ValueListOID: valueList })]),
        ],
      );
    }),
  );

  const codelists = (Object.keys(SDTM_CODELISTS) as SdtmCodelistId[])
    .filter((id) => used.has(id))
    .map((id) => {
      const cl = SDTM_CODELISTS[id];
      if ('external' in cl) {
        return el('CodeList', { OID: `CL.${id}`, Name: cl.name, DataType: 'text' }, [
          el('ExternalCodeList', {
            Dictionary: cl.external,
            Version: cl.version === 'protocol' ? protocol.safety?.ctcaeVersion : undefined,
          }),
        ]);
      }
      if ('criteria' in cl) {
        // Each criterion's code with its full wording, which IETEST cuts to SDTMIG's 200 characters (ieCriteria: the
        // protocol's, and any an IE record names that it no longer defines).
        return el('CodeList', { OID: `CL.${id}`, Name: cl.name, DataType: 'text' }, [
          ...ieCriteria(s, protocol).map((c, i) =>
            el('CodeListItem', { CodedValue: c.testcd, OrderNumber: i + 1 }, [
              el('Decode', {}, [el('TranslatedText', { 'xml:lang': 'en' }, [c.wording])]),
            ]),
          ),
        ]);
      }
      if ('instruments' in cl) {
        return el('CodeList', { OID: `CL.${id}`, Name: cl.name, DataType: 'text' }, [
          ...qsInstruments.map((def, i) => el('EnumeratedItem', { CodedValue: def.name, OrderNumber: i + 1 })),
        ]);
      }
      return el('CodeList', { OID: `CL.${id}`, Name: cl.name, DataType: 'text' }, [
        ...cl.terms.map((t, i) => el('EnumeratedItem', { CodedValue: t, OrderNumber: i + 1 })),
        ...(cl.nci === null ? [] : [el('Alias', { Context: 'nci:ExtCodeID', Name: cl.nci })]),
      ]);
    });

  const methods = (Object.keys(SDTM_METHODS) as SdtmMethodId[])
    .filter((id) => usedMethods.has(id))
    .map((id) =>
      el('MethodDef', { OID: methodOid(id), Name: SDTM_METHODS[id].name, Type: 'Computation' }, [
        description(SDTM_METHODS[id].description),
      ]),
    );

  const odm = el(
    'ODM',
    {
      xmlns: 'http://www.cdisc.org/ns/odm/v1.3',
      'xmlns:def': 'http://www.cdisc.org/ns/def/v2.0',
      'xmlns:xlink': 'http://www.w3.org/1999/xlink',
      ODMVersion: '1.3.2',
      FileType: 'Snapshot',
      FileOID: `DEFINE.${study}.SDTM`,
      CreationDateTime: options.createdAt,
      Originator: 'precision-trd',
      SourceSystem: 'precision-trd',
    },
    [
      el('Study', { OID: `STUDY.${study}` }, [
        el('GlobalVariables', {}, [
          el('StudyName', {}, [study]),
          el('StudyDescription', {}, [protocol.title]),
          el('ProtocolName', {}, [protocol.id]),
        ]),
        el(
          'MetaDataVersion',
          {
            OID: `MDV.${study}.SDTMIG.${SDTMIG_VERSION}`,
            Name: `${study} SDTM data definitions`,
            Description: 'SDTM-style tabulation datasets exported by precision-trd',
            'def:DefineVersion': '2.0.0',
            'def:StandardName': 'SDTM-IG',
            'def:StandardVersion': SDTMIG_VERSION,
          },
          [
            ...valueLists,
            ...whereClauses,
            ...groups,
            ...items,
            ...valueItems,
            ...codelists,
            ...extraCodelists,
            ...methods,
          ],
        ),
      ]),
    ],
  );
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' });
  write(doc, odm);
  return `${doc.end({ prettyPrint: true })}\n`;
}

const methodOid = (id: SdtmMethodId) => `MT.${id}`;

/**
 * The instruments of the QS dataset: the protocol's (its visits' instruments, in visit order), then any other whose
 * forms the snapshot holds; those without a definition are left out, as sdtmRows leaves out their forms.
 */
function instrumentsOf(
  s: TrialSnapshot,
  protocol: TrialProtocol,
  instruments: ReadonlyMap<string, InstrumentDefinition>,
): InstrumentDefinition[] {
  const ids = new Set([...(protocol.visits ?? []).flatMap((v) => v.instruments), ...s.forms.map((f) => f.instrument)]);
  return [...ids].flatMap((id) => {
    const def = instruments.get(id);
    return def === undefined ? [] : [def];
  });
}
