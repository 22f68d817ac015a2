/**
 * The Define-XML of the SDTM export, read back by a strict XML parser: Chromium's DOMParser (Debian's chromium through
 * playwright-core, as the browser tests use it; skipped only when it is not installed), which reports any text that
 * is not well-formed XML, namespaces included. The metadata read back must describe exactly the CSV files the export
 * writes. Then validated against the CDISC Define-XML 2.0 schema (test/fixtures/define-xml-2.0/, with the ODM 1.3.2
 * schemas it imports) by xmllint (Debian's libxml2-utils, installed by .ci/run; skipped only when it is missing), and
 * checked for what the schema cannot check: every OID reference resolves to exactly one definition, every definition
 * is used, every Derived variable has its method, every QS test value is a term of its instrument's codelist.
 * Run: node --import tsx --test src/trial/exports/define.test.ts
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import { create } from 'xmlbuilder2';
import { loadInstruments } from '../../instruments/load.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { TrialSnapshot } from '../model.ts';
import { as, populateTrial, sqliteFactory, type OpenedStore } from '../store/stores.test-support.ts';
import { sdtmDefine, sdtmDomains, SDTM_DOMAINS } from './index.ts';
import { qsTestTerms, SDTM_DATASETS, SDTM_METHODS } from './sdtm-variables.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM);

let opened: OpenedStore;
let protocol: TrialProtocol;
let snapshot: TrialSnapshot;
let browser: Browser | undefined;

before(async () => {
  opened = await sqliteFactory.open();
  protocol = await populateTrial(opened.store, 6);
  // Besides the BDI-II of every visit, one participant's MADRS and SHAPS (under its second scoring) at day 7: the
  // QS dataset then holds three instruments, one total under a scoring other than the first.
  const first = (await opened.store.snapshot()).participants[0]!;
  const ctx = as('coordinator', first.site, 'visit entry');
  const answers = (n: number, value: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i + 1), value]));
  await opened.store.saveForm(ctx, {
    participantId: first.id,
    visit: 'day-7',
    instrument: 'madrs',
    answers: answers(10, 2),
    completedOn: '2026-11-09',
  });
  await opened.store.saveForm(ctx, {
    participantId: first.id,
    visit: 'day-7',
    instrument: 'shaps',
    scoring: 'franken',
    answers: answers(14, 3),
    completedOn: '2026-11-09',
  });
  // Demographics for one participant (the others enrolled without them) and the sites' countries: DM SEX, AGE, AGEU,
  // BRTHDTC and COUNTRY have values the define describes.
  await opened.store.correctEnrolment(as('coordinator', first.site, 'demographics from the CRF'), first.id, {
    sex: 'F',
    birthDate: '1980-05-01',
  });
  await opened.store.setSiteCountries(as('administrator', null, 'site countries'), { A: 'GBR', B: 'AUS' });
  snapshot = await opened.store.snapshot();
  if (!skip) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }
});
after(async () => {
  await browser?.close();
  await opened.cleanup();
});

interface ReadBack {
  readonly error: string | null;
  readonly root: string;
  readonly studyDescription: string;
  readonly groups: { name: string; leaf: string; items: { oid: string; key: string | null; mandatory: string }[] }[];
  readonly items: Record<
    string,
    { name: string; type: string; length: string | null; label: string; codelist: string | null; origin: string | null }
  >;
  readonly codelists: Record<string, { terms: string[]; dictionary: string | null; version: string | null }>;
}

/**
 * What the browser runs, as source text: the test runner's transpiler would add helpers to a function passed to
 * page.evaluate that do not exist in the page.
 */
const READ_BACK = `(text) => {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  const error = doc.getElementsByTagName('parsererror')[0];
  const ODM = 'http://www.cdisc.org/ns/odm/v1.3';
  const DEF = 'http://www.cdisc.org/ns/def/v2.0';
  const all = (parent, ns, name) => [...parent.getElementsByTagNameNS(ns, name)];
  const attr = (e, name) => (e === undefined ? null : e.getAttribute(name));
  return {
    error: error === undefined ? null : error.textContent || 'parser error',
    root: doc.documentElement.namespaceURI + ' ' + doc.documentElement.localName,
    studyDescription: all(doc, ODM, 'StudyDescription')[0]?.textContent ?? '',
    groups: all(doc, ODM, 'ItemGroupDef').map((g) => ({
      name: attr(g, 'Name'),
      leaf: all(g, DEF, 'leaf')[0]?.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? '',
      items: all(g, ODM, 'ItemRef').map((r) => ({
        oid: attr(r, 'ItemOID'),
        key: attr(r, 'KeySequence'),
        mandatory: attr(r, 'Mandatory'),
      })),
    })),
    items: Object.fromEntries(
      all(doc, ODM, 'ItemDef').map((d) => [
        attr(d, 'OID'),
        {
          name: attr(d, 'Name'),
          type: attr(d, 'DataType'),
          length: attr(d, 'Length'),
          label: all(d, ODM, 'TranslatedText')[0]?.textContent ?? '',
          codelist: attr(all(d, ODM, 'CodeListRef')[0], 'CodeListOID'),
          origin: attr(all(d, DEF, 'Origin')[0], 'Type'),
        },
      ]),
    ),
    codelists: Object.fromEntries(
      all(doc, ODM, 'CodeList').map((c) => [
        attr(c, 'OID'),
        {
          terms: all(c, ODM, 'EnumeratedItem').map((e) => attr(e, 'CodedValue')),
          dictionary: attr(all(c, ODM, 'ExternalCodeList')[0], 'Dictionary'),
          version: attr(all(c, ODM, 'ExternalCodeList')[0], 'Version'),
        },
      ]),
    ),
  };
}`;

/** Parses `xml` in the browser; a document that is not well-formed gives its parser error. */
async function readBack(xml: string): Promise<ReadBack> {
  const page = await (browser as Browser).newPage();
  try {
    return (await page.evaluate(`(${READ_BACK})(${JSON.stringify(xml)})`)) as ReadBack;
  } finally {
    await page.close();
  }
}

const header = (csv: string): string[] => (parse(csv, { to_line: 1 }) as string[][])[0] ?? [];
const column = (csv: string, name: string): string[] =>
  (parse(csv, { columns: true }) as Record<string, string>[]).map((r) => r[name] ?? '');

test(
  'Define-XML 2.0: well-formed, one ItemGroupDef per CSV file and one ItemDef per column, in file order',
  { skip },
  async () => {
    const xml = sdtmDefine(snapshot, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
    const doc = await readBack(xml);
    assert.equal(doc.error, null);
    assert.equal(doc.root, 'http://www.cdisc.org/ns/odm/v1.3 ODM');
    assert.match(xml, /def:DefineVersion="2\.0\.0" def:StandardName="SDTM-IG" def:StandardVersion="3\.3"/);
    const files = sdtmDomains(snapshot, protocol, loadInstruments());
    assert.deepEqual(
      doc.groups.map((g) => [g.name, g.leaf]),
      SDTM_DOMAINS.map((d) => [d, `${d.toLowerCase()}.csv`]),
    );
    for (const g of doc.groups) {
      const csv = files[g.name as (typeof SDTM_DOMAINS)[number]];
      assert.deepEqual(
        g.items.map((r) => doc.items[r.oid]?.name),
        header(csv),
        `${g.name}: the define describes the file's columns`,
      );
      for (const r of g.items) {
        const item = doc.items[r.oid];
        assert.ok(item !== undefined && item.label.length > 0 && item.label.length <= 40, `${r.oid} label`);
        assert.ok(['CRF', 'Derived', 'Assigned', 'Protocol'].includes(item.origin ?? ''), `${r.oid} origin`);
        if (item.codelist !== null) assert.ok(doc.codelists[item.codelist] !== undefined, `${r.oid} codelist`);
        // A text or number's Length holds the longest value of the file, in UTF-8 bytes.
        if (item.type === 'text' || item.type === 'integer') {
          const longest = Math.max(1, ...column(csv, item.name).map((v) => Buffer.byteLength(v, 'utf8')));
          assert.equal(Number(item.length), longest, `${r.oid} length`);
        }
        // Every value of a column bound to an enumerated codelist is one of its terms.
        const terms = item.codelist === null ? [] : (doc.codelists[item.codelist]?.terms ?? []);
        if (terms.length > 0) {
          for (const v of column(csv, item.name).filter((x) => x !== ''))
            assert.ok(terms.includes(v), `${r.oid}: ${v}`);
        }
      }
    }
    assert.deepEqual(
      doc.groups
        .find((g) => g.name === 'DM')
        ?.items.filter((r) => r.key !== null)
        .map((r) => doc.items[r.oid]?.name),
      ['STUDYID', 'USUBJID'],
    );
  },
);

test(
  'Define-XML: LBTOX and LBTOXGR name the CTCAE as an external dictionary at the protocol version; SUPPLB and SUPPAE QVAL described per QNAM',
  { skip },
  async () => {
    const doc = await readBack(
      sdtmDefine(snapshot, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' }),
    );
    for (const name of ['LBTOX', 'LBTOXGR']) assert.equal(doc.items[`IT.LB.${name}`]?.codelist, 'CL.CTCAE');
    assert.deepEqual(doc.codelists['CL.CTCAE'], {
      terms: [],
      dictionary: 'CTCAE',
      version: protocol.safety?.ctcaeVersion,
    });
    assert.deepEqual(
      [
        doc.items['IT.SUPPLB.QVAL.CTCAEVER']?.name,
        doc.items['IT.SUPPLB.QVAL.CTCAEVER']?.label,
        doc.items['IT.SUPPLB.QVAL.CTCAEVER']?.origin,
      ],
      ['CTCAEVER', 'CTCAE Version', 'Protocol'],
    );
    assert.deepEqual(
      [doc.items['IT.SUPPAE.QVAL.AEEXPECT']?.name, doc.items['IT.SUPPAE.QVAL.AEEXPECT']?.origin],
      ['AEEXPECT', 'CRF'],
    );
    assert.equal(doc.items['IT.AE.AEEXPECT'], undefined, 'not an AE variable');
  },
);

test(
  'Define-XML: text from the protocol is escaped; the check itself refuses XML that is not well-formed',
  { skip },
  async () => {
    const title = 'Tocilizumab <IL-6> & "inflamed" depression';
    // A control character (pasted into a title) is not allowed in XML 1.0 at all: it is dropped.
    const xml = sdtmDefine(snapshot, { ...protocol, title: `${title}\u0001` }, loadInstruments(), {
      createdAt: '2026-11-30T12:00:00Z',
    });
    const doc = await readBack(xml);
    assert.equal(doc.error, null);
    assert.equal(doc.studyDescription, title);
    const broken = await readBack(xml.replace('<StudyName>', '<StudyName>R&D '));
    assert.notEqual(broken.error, null, 'an unescaped & is not well-formed');
    const unclosed = await readBack(xml.replace('</GlobalVariables>', ''));
    assert.notEqual(unclosed.error, null, 'an unclosed element is not well-formed');
  },
);

const ODM = 'http://www.cdisc.org/ns/odm/v1.3';
const DEF = 'http://www.cdisc.org/ns/def/v2.0';
const define = (): string => sdtmDefine(snapshot, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' });
/** The part of the DOM (xmlbuilder2's parser) the checks that need no browser read. */
interface XmlElement {
  getAttribute(name: string): string | null;
  getAttributeNS(ns: string, name: string): string | null;
  hasAttribute(name: string): boolean;
  getElementsByTagNameNS(ns: string, name: string): Iterable<XmlElement>;
  readonly textContent: string | null;
}
const dom = (xml: string): XmlElement => create(xml).node as unknown as XmlElement;
const elements = (parent: XmlElement, ns: string, name: string): XmlElement[] => [
  ...parent.getElementsByTagNameNS(ns, name),
];

const SCHEMA = fileURLToPath(
  new URL('../../../test/fixtures/define-xml-2.0/cdisc-define-2.0/define2-0-0.xsd', import.meta.url),
);
const xmllint = (() => {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** xmllint's verdict on `xml` against the Define-XML 2.0 schema: null when valid, else its error lines. */
function schemaErrors(xml: string): string | null {
  try {
    execFileSync('xmllint', ['--noout', '--schema', SCHEMA, '-'], { input: xml, stdio: ['pipe', 'pipe', 'pipe'] });
    return null;
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
    // The import of ODM 1.3.2 by both define-extension.xsd and define-ns.xsd is reported once as a warning.
    return stderr
      .split('\n')
      .filter((line) => line !== '' && !line.includes('Skipping import'))
      .join('\n');
  }
}

test(
  'Define-XML 2.0: valid against the CDISC Define-XML 2.0 schema (xmllint); a document breaking it is refused',
  { skip: !xmllint },
  () => {
    const xml = define();
    assert.equal(schemaErrors(xml), null);
    // Also a trial without visits or instruments and with no form, lab or adverse event yet: no empty list is written.
    const bare = sdtmDefine(
      { ...snapshot, forms: [], labs: [], adverseEvents: [] },
      { ...protocol, visits: undefined },
      loadInstruments(),
      { createdAt: '2026-11-30T12:00:00Z' },
    );
    assert.equal(schemaErrors(bare), null);
    assert.doesNotMatch(bare, /VL\.QS\.|CL\.QSCAT/);
    // The check can fail: a method type the schema does not know, and an element out of its order.
    assert.match(schemaErrors(xml.replaceAll('Type="Computation"', 'Type="Calculation"')) ?? '', /MethodDef/);
    const misplaced = xml.replace(/(<CodeListRef [^>]*\/>)(\s*)(<def:Origin Type="[A-Za-z]+"\/>)/, '$3$2$1');
    assert.notEqual(misplaced, xml);
    assert.match(schemaErrors(misplaced) ?? '', /CodeListRef|Origin/);
  },
);

test('Define-XML: every OID reference resolves to exactly one definition, and every definition is used', () => {
  const doc = dom(define());
  const definitions = new Map<string, string[]>();
  const defined = (kind: string, oid: string | null) => {
    assert.ok(oid !== null && oid !== '', `${kind} without an OID`);
    definitions.set(`${kind} ${oid}`, [...(definitions.get(`${kind} ${oid}`) ?? []), oid]);
  };
  for (const [ns, kind] of [
    [ODM, 'ItemGroupDef'],
    [ODM, 'ItemDef'],
    [ODM, 'CodeList'],
    [ODM, 'MethodDef'],
    [DEF, 'ValueListDef'],
    [DEF, 'WhereClauseDef'],
  ] as const) {
    for (const e of elements(doc, ns, kind)) defined(kind, e.getAttribute('OID'));
  }
  for (const e of elements(doc, DEF, 'leaf')) defined('leaf', e.getAttribute('ID'));
  for (const [key, oids] of definitions) assert.equal(oids.length, 1, `${key} defined ${oids.length} times`);

  const used = new Set<string>();
  const refer = (kind: string, oid: string | null, from: string) => {
    assert.ok(oid !== null && definitions.has(`${kind} ${oid}`), `${from} refers to ${kind} ${oid}: not defined`);
    used.add(`${kind} ${oid}`);
  };
  for (const r of elements(doc, ODM, 'ItemRef')) {
    refer('ItemDef', r.getAttribute('ItemOID'), 'ItemRef');
    if (r.hasAttribute('MethodOID')) refer('MethodDef', r.getAttribute('MethodOID'), r.getAttribute('ItemOID')!);
  }
  for (const r of elements(doc, ODM, 'CodeListRef')) refer('CodeList', r.getAttribute('CodeListOID'), 'CodeListRef');
  for (const r of elements(doc, DEF, 'ValueListRef'))
    refer('ValueListDef', r.getAttribute('ValueListOID'), 'ValueListRef');
  for (const r of elements(doc, DEF, 'WhereClauseRef'))
    refer('WhereClauseDef', r.getAttribute('WhereClauseOID'), 'WhereClauseRef');
  for (const r of elements(doc, ODM, 'RangeCheck')) refer('ItemDef', r.getAttributeNS(DEF, 'ItemOID'), 'RangeCheck');
  for (const g of elements(doc, ODM, 'ItemGroupDef'))
    refer('leaf', g.getAttributeNS(DEF, 'ArchiveLocationID'), g.getAttribute('OID')!);
  const unused = [...definitions.keys()].filter((key) => !key.startsWith('ItemGroupDef ') && !used.has(key));
  assert.deepEqual(unused, [], 'every ItemDef, CodeList, method, value list, where clause and leaf is used');
  // An ItemDef of a dataset variable is used by its ItemGroupDef; a value-level one by its ValueListDef only.
  const inGroups = new Set(
    elements(doc, ODM, 'ItemGroupDef').flatMap((g) =>
      elements(g, ODM, 'ItemRef').map((r) => r.getAttribute('ItemOID')),
    ),
  );
  for (const e of elements(doc, ODM, 'ItemDef')) {
    const oid = e.getAttribute('OID')!;
    const valueLevel = oid.split('.').length > 3; // IT.QS.QSTESTCD.BDI2
    assert.equal(inGroups.has(oid), !valueLevel, oid);
  }
});

test('Define-XML: every Derived variable names its method, which describes sdtm-variables.ts SDTM_METHODS', () => {
  const doc = dom(define());
  const origins = new Map(
    elements(doc, ODM, 'ItemDef').map((e) => [
      e.getAttribute('OID'),
      elements(e, DEF, 'Origin')[0]?.getAttribute('Type') ?? null,
    ]),
  );
  const refs = elements(doc, ODM, 'ItemGroupDef').flatMap((g) => elements(g, ODM, 'ItemRef'));
  const derived = refs.filter((r) => origins.get(r.getAttribute('ItemOID')) === 'Derived');
  assert.ok(derived.length >= 20, 'the study days, sequence numbers, reference dates, results and grades');
  for (const r of refs) {
    assert.equal(r.hasAttribute('MethodOID'), derived.includes(r), `${r.getAttribute('ItemOID')}: method iff derived`);
  }
  const methods = new Map(
    elements(doc, ODM, 'MethodDef').map((m) => [
      m.getAttribute('OID'),
      { type: m.getAttribute('Type'), text: elements(m, ODM, 'TranslatedText')[0]?.textContent ?? '' },
    ]),
  );
  // One method for a concept: QSDY, LBDY and AESTDY share the study-day rule.
  const methodOf = (d: string, name: string) => refs.find((r) => r.getAttribute('ItemOID') === `IT.${d}.${name}`);
  const studyDays = ['QS.QSDY', 'LB.LBDY', 'AE.AESTDY'].map((k) => methodOf(...(k.split('.') as [string, string])));
  assert.deepEqual(
    studyDays.map((r) => r?.getAttribute('MethodOID')),
    ['MT.STUDYDAY', 'MT.STUDYDAY', 'MT.STUDYDAY'],
  );
  assert.deepEqual(methods.get('MT.STUDYDAY'), { type: 'Computation', text: SDTM_METHODS.STUDYDAY.description });
  assert.match(methods.get('MT.QSSTRESN')?.text ?? '', /total .* scoring/);
  // The sequence of DS restarts per subject; the other datasets number their records throughout.
  assert.equal(methodOf('DS', 'DSSEQ')?.getAttribute('MethodOID'), 'MT.DSSEQ');
  assert.equal(methodOf('LB', 'LBSEQ')?.getAttribute('MethodOID'), 'MT.SEQ');
  // SUBJID is the site and the participant (or screening) code, not a value entered as such on a form.
  assert.equal(origins.get('IT.DM.SUBJID'), 'Derived');
  assert.equal(methodOf('DM', 'SUBJID')?.getAttribute('MethodOID'), 'MT.SUBJID');
  assert.deepEqual(methods.get('MT.SUBJID'), { type: 'Computation', text: SDTM_METHODS.SUBJID.description });
  for (const d of SDTM_DOMAINS) {
    for (const v of SDTM_DATASETS[d].variables.filter((x) => x.origin === 'Derived')) {
      assert.ok(methods.has(`MT.${v.method}`), `${d}.${v.name}: its method is defined`);
    }
  }
});

test('Define-XML: QSTESTCD and QSTEST listed per instrument (QSCAT) from the instrument definitions; lab units as UCUM', () => {
  const doc = dom(define());
  const files = sdtmDomains(snapshot, protocol, loadInstruments());
  const instruments = loadInstruments();
  const codelist = (oid: string) => {
    const cl = elements(doc, ODM, 'CodeList').find((c) => c.getAttribute('OID') === oid);
    assert.ok(cl !== undefined, `${oid} defined`);
    return {
      terms: elements(cl, ODM, 'EnumeratedItem').map((e) => e.getAttribute('CodedValue')),
      dictionary: elements(cl, ODM, 'ExternalCodeList')[0]?.getAttribute('Dictionary') ?? null,
    };
  };
  // Each value-level QSTESTCD/QSTEST is selected by its instrument's name in QSCAT and bound to its own codelist.
  const where = new Map(
    elements(doc, DEF, 'WhereClauseDef').map((w) => [
      w.getAttribute('OID'),
      elements(w, ODM, 'CheckValue').map((c) => c.textContent),
    ]),
  );
  const rows = parse(files.QS, { columns: true }) as Record<string, string>[];
  const seen = new Set(rows.map((r) => r.QSCAT));
  assert.deepEqual([...seen].sort(), ['BDI-II', 'MADRS', 'SHAPS']);
  for (const variable of ['QSTESTCD', 'QSTEST'] as const) {
    const list = elements(doc, DEF, 'ValueListDef').find((v) => v.getAttribute('OID') === `VL.QS.${variable}`);
    assert.ok(list !== undefined, `VL.QS.${variable}`);
    const byCategory = new Map<string, (string | null)[]>();
    for (const ref of elements(list, ODM, 'ItemRef')) {
      const category = where.get(elements(ref, DEF, 'WhereClauseRef')[0]!.getAttribute('WhereClauseOID'))![0]!;
      const item = elements(doc, ODM, 'ItemDef').find((e) => e.getAttribute('OID') === ref.getAttribute('ItemOID'));
      const cl = elements(item!, ODM, 'CodeListRef')[0]!.getAttribute('CodeListOID')!;
      byCategory.set(category!, codelist(cl).terms);
    }
    // Every instrument of the protocol's visits, with the terms of its definition.
    const ids = [...new Set((protocol.visits ?? []).flatMap((v) => v.instruments))];
    assert.deepEqual(
      [...byCategory.keys()],
      ids.map((id) => instruments.get(id)!.name),
    );
    for (const id of ids) {
      const def = instruments.get(id)!;
      assert.deepEqual(byCategory.get(def.name), qsTestTerms(def)[variable === 'QSTESTCD' ? 'testcd' : 'test']);
    }
    // Every value written is a term of its own instrument's list, the total under SHAPS's second scoring included.
    for (const r of rows) assert.ok(byCategory.get(r.QSCAT!)?.includes(r[variable]!), `${r.QSCAT} ${r[variable]}`);
  }
  assert.ok(rows.some((r) => r.QSTEST === 'SHAPSTFR: total (franken)'));
  assert.deepEqual(codelist('CL.QSCAT').terms, [
    ...new Set((protocol.visits ?? []).flatMap((v) => v.instruments).map((id) => instruments.get(id)!.name)),
  ]);
  // Units: LBORRESU, LBSTRESU and EXDOSU are CDISC UNIT (C71620) submission values, the store's UCUM mapped.
  const item = (oid: string) => elements(doc, ODM, 'ItemDef').find((e) => e.getAttribute('OID') === oid)!;
  const ref = (oid: string) => elements(item(oid), ODM, 'CodeListRef')[0]?.getAttribute('CodeListOID');
  for (const v of ['IT.LB.LBORRESU', 'IT.LB.LBSTRESU', 'IT.EX.EXDOSU']) assert.equal(ref(v), 'CL.UNIT', v);
  const unit = elements(doc, ODM, 'CodeList').find((c) => c.getAttribute('OID') === 'CL.UNIT')!;
  assert.equal(elements(unit, ODM, 'Alias')[0]?.getAttribute('Name'), 'C71620');
  assert.ok(codelist('CL.UNIT').terms.includes('10^9/L'));
  assert.ok(!codelist('CL.UNIT').terms.some((t) => t?.includes('*')), 'no UCUM spelling among the CDISC terms');
  const lb = parse(files.LB, { columns: true }) as Record<string, string>[];
  assert.ok(lb.length > 0);
  for (const r of lb) assert.ok(codelist('CL.UNIT').terms.includes(r.LBORRESU!), `${r.LBORRESU} is a CDISC UNIT term`);
  assert.deepEqual([...new Set(lb.map((r) => r.LBSTRESU))], ['10^9/L']);
});

test('Define-XML: a text Length counts UTF-8 bytes, so an entered term with accented letters fits the dataset built from it', () => {
  const event = snapshot.adverseEvents[0]!;
  const term = 'Übelkeit, Schwäche'; // 18 characters, 20 bytes in UTF-8
  const s: TrialSnapshot = { ...snapshot, adverseEvents: [{ ...event, term }] };
  const doc = dom(sdtmDefine(s, protocol, loadInstruments(), { createdAt: '2026-11-30T12:00:00Z' }));
  const aeterm = elements(doc, ODM, 'ItemDef').find((e) => e.getAttribute('OID') === 'IT.AE.AETERM')!;
  assert.equal(aeterm.getAttribute('Length'), '20');
  assert.equal(Buffer.byteLength(term, 'utf8'), 20);
});

test('Define-XML: DM SEX and AGEU bound to CDISC SEX (C66731) and AGEU (C66781), COUNTRY to ISO 3166-1 alpha-3, AGE derived with its method', () => {
  const doc = dom(define());
  const item = (name: string) => elements(doc, ODM, 'ItemDef').find((e) => e.getAttribute('OID') === `IT.DM.${name}`);
  const codelistOf = (name: string) => elements(item(name)!, ODM, 'CodeListRef')[0]?.getAttribute('CodeListOID');
  const codelist = (oid: string) => elements(doc, ODM, 'CodeList').find((c) => c.getAttribute('OID') === oid)!;
  const alias = (oid: string) => elements(codelist(oid), ODM, 'Alias')[0]?.getAttribute('Name');
  const terms = (oid: string) =>
    elements(codelist(oid), ODM, 'EnumeratedItem').map((e) => e.getAttribute('CodedValue'));
  assert.deepEqual(
    [codelistOf('SEX'), alias('CL.SEX'), terms('CL.SEX')],
    ['CL.SEX', 'C66731', ['M', 'F', 'U', 'UNDIFFERENTIATED']],
  );
  assert.deepEqual([codelistOf('AGEU'), alias('CL.AGEU'), terms('CL.AGEU')], ['CL.AGEU', 'C66781', ['YEARS']]);
  assert.equal(codelistOf('COUNTRY'), 'CL.COUNTRY');
  assert.equal(
    elements(codelist('CL.COUNTRY'), ODM, 'ExternalCodeList')[0]?.getAttribute('Dictionary'),
    'ISO 3166-1 alpha-3',
  );
  const dm = parse(sdtmDomains(snapshot, protocol, loadInstruments()).DM, { columns: true }) as Record<
    string,
    string
  >[];
  assert.deepEqual(
    dm.filter((r) => r.SEX !== '').map((r) => [r.SEX, r.BRTHDTC, r.AGE, r.AGEU]),
    [['F', '1980-05-01', '46', 'YEARS']],
  );
  assert.ok(dm.every((r) => ['GBR', 'AUS'].includes(r.COUNTRY ?? '')));
  assert.ok(define().includes('Age at informed consent'), 'the AGE method');
});
