/**
 * The Define-XML of the SDTM export, read back by a strict XML parser: Chromium's DOMParser (Debian's chromium through
 * playwright-core, as the browser tests use it; skipped only when it is not installed), which reports any text that
 * is not well-formed XML, namespaces included. The metadata read back must describe exactly the CSV files the export
 * writes.
 * Run: node --import tsx --test src/trial/exports/define.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import { loadInstruments } from '../../instruments/load.ts';
import type { TrialProtocol } from '../../trials/schema.ts';
import type { TrialSnapshot } from '../model.ts';
import { populateTrial, sqliteFactory, type OpenedStore } from '../store/stores.test-support.ts';
import { sdtmDefine, sdtmDomains, SDTM_DOMAINS } from './index.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM);

let opened: OpenedStore;
let protocol: TrialProtocol;
let snapshot: TrialSnapshot;
let browser: Browser | undefined;

before(async () => {
  opened = await sqliteFactory.open();
  protocol = await populateTrial(opened.store, 6);
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
        // A text or number's Length holds the longest value of the file.
        if (item.type === 'text' || item.type === 'integer') {
          const longest = Math.max(1, ...column(csv, item.name).map((v) => v.length));
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
