/**
 * Define-XML 2.0 for the SDTM export: one ItemGroupDef per dataset and one ItemDef per variable, with the SDTMIG 3.3
 * label, data type, length, origin, keys and codelists of sdtm-variables.ts (the definitions the CSV headers come
 * from), lengths measured on the rows being exported (sdtmRows), value-level metadata for the SUPP-- qualifiers, and
 * the CTCAE as an external dictionary at the protocol's version (where SDTMIG puts the scale of LBTOX/LBTOXGR).
 * Each dataset's def:leaf names its CSV file. Pure: the creation time is the caller's.
 */
import { create } from 'xmlbuilder2';
import type { InstrumentDefinition } from '../../instruments/index.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { TrialSnapshot } from '../model.ts';
import { sdtmRows, type Cell } from './sdtm.ts';
import {
  SDTM_CODELISTS,
  SDTM_DATASETS,
  SDTM_DOMAINS,
  SUPP_DOMAINS,
  suppQualifiers,
  type SuppDomain,
  type SdtmCodelistId,
  type SdtmDomain,
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

/** Length (and decimals of a float) of the longest value a variable takes in the rows; 1 when it is always empty. */
function measured(v: SdtmVariable, cells: readonly Cell[]): { Length?: number; SignificantDigits?: number } {
  if (v.type === 'date') return {};
  const texts = cells.filter((c) => c !== null && c !== '').map(String);
  const length = Math.max(1, ...texts.map((t) => (v.type === 'float' ? t.replace(/[-.]/g, '').length : t.length)));
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
  const column = (d: SdtmDomain, name: string): Cell[] => {
    const i = SDTM_DATASETS[d].variables.findIndex((v) => v.name === name);
    return rows[d].map((r) => r[i] ?? null);
  };

  // Each SUPP-- dataset's QVAL described per QNAM (value-level metadata), from SUPP_QUALIFIERS.
  const valueListOid = (supp: SuppDomain) => `VL.${supp}.QVAL`;
  const whereOid = (supp: SuppDomain, q: string) => `WC.${supp}.QNAM.${q}`;
  const valueLists: XmlElement[] = [];
  const whereClauses: XmlElement[] = [];
  const qualifierItems: XmlElement[] = [];
  for (const supp of SUPP_DOMAINS) {
    const qualifiers = suppQualifiers(supp);
    const qnamCells = column(supp, 'QNAM');
    const qvalCells = column(supp, 'QVAL');
    valueLists.push(
      el(
        'def:ValueListDef',
        { OID: valueListOid(supp) },
        qualifiers.map(([q], i) =>
          el('ItemRef', { ItemOID: `${itemOid(supp, 'QVAL')}.${q}`, OrderNumber: i + 1, Mandatory: 'Yes' }, [
            el('def:WhereClauseRef', { WhereClauseOID: whereOid(supp, q) }),
          ]),
        ),
      ),
    );
    for (const [q, { label, origin }] of qualifiers) {
      whereClauses.push(
        el('def:WhereClauseDef', { OID: whereOid(supp, q) }, [
          el('RangeCheck', { SoftHard: 'Soft', 'def:ItemOID': itemOid(supp, 'QNAM'), Comparator: 'EQ' }, [
            el('CheckValue', {}, [q]),
          ]),
        ]),
      );
      qualifierItems.push(
        el(
          'ItemDef',
          {
            OID: `${itemOid(supp, 'QVAL')}.${q}`,
            Name: q,
            DataType: 'text',
            ...measured(
              { name: q, label, type: 'text', core: 'Req', origin },
              qvalCells.filter((_, i) => qnamCells[i] === q),
            ),
          },
          [description(label), el('def:Origin', { Type: origin })],
        ),
      );
    }
  }
  const isSupp = (d: SdtmDomain): d is SuppDomain => (SUPP_DOMAINS as readonly string[]).includes(d);

  const groups = SDTM_DOMAINS.map((d) => {
    const ds = SDTM_DATASETS[d];
    return el(
      'ItemGroupDef',
      {
        OID: `IG.${d}`,
        Domain: ds.domain,
        Name: d,
        Repeating: d === 'DM' ? 'No' : 'Yes',
        IsReferenceData: 'No',
        SASDatasetName: d,
        Purpose: 'Tabulation',
        'def:Structure': ds.structure,
        'def:Class': ds.class,
        'def:ArchiveLocationID': `LF.${d}`,
      },
      [
        description(ds.label),
        ...ds.variables.map((v, i) => {
          const key = ds.keys.indexOf(v.name);
          return el('ItemRef', {
            ItemOID: itemOid(d, v.name),
            OrderNumber: i + 1,
            Mandatory: v.core === 'Req' ? 'Yes' : 'No',
            KeySequence: key < 0 ? undefined : key + 1,
          });
        }),
        el('def:leaf', { ID: `LF.${d}`, 'xlink:href': fileOf(d) }, [el('def:title', {}, [fileOf(d)])]),
      ],
    );
  });

  const used = new Set<SdtmCodelistId>();
  const items = SDTM_DOMAINS.flatMap((d) =>
    SDTM_DATASETS[d].variables.map((v) => {
      if (v.codelist !== undefined) used.add(v.codelist);
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
          ...(v.codelist === undefined ? [] : [el('CodeListRef', { CodeListOID: `CL.${v.codelist}` })]),
          el('def:Origin', { Type: v.origin }),
          ...(isSupp(d) && v.name === 'QVAL' ? [el('def:ValueListRef', { ValueListOID: valueListOid(d) })] : []),
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
          el('ExternalCodeList', { Dictionary: cl.external, Version: protocol.safety?.ctcaeVersion }),
        ]);
      }
      return el('CodeList', { OID: `CL.${id}`, Name: cl.name, DataType: 'text' }, [
        ...cl.terms.map((t, i) => el('EnumeratedItem', { CodedValue: t, OrderNumber: i + 1 })),
        ...(cl.nci === null ? [] : [el('Alias', { Context: 'nci:ExtCodeID', Name: cl.nci })]),
      ]);
    });

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
            OID: `MDV.${study}.SDTMIG.3.3`,
            Name: `${study} SDTM data definitions`,
            Description: 'SDTM-style tabulation datasets exported by precision-trd',
            'def:DefineVersion': '2.0.0',
            'def:StandardName': 'SDTM-IG',
            'def:StandardVersion': '3.3',
          },
          [...valueLists, ...whereClauses, ...groups, ...items, ...qualifierItems, ...codelists],
        ),
      ]),
    ],
  );
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' });
  write(doc, odm);
  return `${doc.end({ prettyPrint: true })}\n`;
}
