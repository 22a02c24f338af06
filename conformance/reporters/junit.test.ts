import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestResult } from '../framework/types.js';
import { JunitReporter, junitXml } from './junit.js';
import { summarize } from './summary.js';
import { drive, fixtureResults, HOSTILE, RUN, tempReportDir } from './test-util.js';
import { escapeXml } from './util.js';

// --- a small, strict XML 1.0 parser (no DTDs): enough to prove well-formedness -------------

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_.:]*/y;
const ILLEGAL = /[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function decodeEntities(s: string, where: string): string {
  return s.replace(/&([^;&<]*);|&/g, (m, body: string | undefined) => {
    if (body === undefined) throw new Error(`bare & in ${where}`);
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (body in named) return named[body];
    const num = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
    if (!num) throw new Error(`unknown entity &${body}; in ${where}`);
    const ch = String.fromCodePoint(num[1] ? parseInt(num[1], 16) : parseInt(num[2], 10));
    if (ILLEGAL.test(ch)) throw new Error(`character reference &${body}; is not allowed in XML 1.0`);
    return ch;
  });
}

function parseXml(src: string): El {
  const bad = ILLEGAL.exec(src);
  if (bad) throw new Error(`illegal character U+${bad[0].codePointAt(0)!.toString(16)} at ${bad.index}`);
  let at = 0;
  const decl = /^<\?xml[^?]*\?>/.exec(src);
  if (decl) at = decl[0].length;
  const stack: El[] = [];
  let root: El | undefined;
  const name = () => {
    NAME.lastIndex = at;
    const m = NAME.exec(src);
    if (!m) throw new Error(`expected a name at ${at}`);
    at += m[0].length;
    return m[0];
  };
  const ws = () => {
    while (/[ \t\r\n]/.test(src[at] ?? '')) at++;
  };
  while (at < src.length) {
    if (src.startsWith('<!--', at)) {
      const end = src.indexOf('-->', at);
      if (end < 0) throw new Error('unterminated comment');
      at = end + 3;
    } else if (src.startsWith('</', at)) {
      at += 2;
      const n = name();
      ws();
      if (src[at++] !== '>') throw new Error(`bad end tag ${n}`);
      const open = stack.pop();
      if (!open || open.name !== n) throw new Error(`end tag </${n}> does not match <${open?.name}>`);
    } else if (src[at] === '<') {
      at++;
      const el: El = { name: name(), attrs: {}, children: [], text: '' };
      for (;;) {
        const before = at;
        ws();
        if (src.startsWith('/>', at) || src[at] === '>') break;
        if (at === before) throw new Error(`expected whitespace before attribute in <${el.name}> at ${at}`);
        const a = name();
        ws();
        if (src[at++] !== '=') throw new Error(`attribute ${a} without =`);
        ws();
        const q = src[at++];
        if (q !== '"' && q !== "'") throw new Error(`attribute ${a} not quoted`);
        const end = src.indexOf(q, at);
        if (end < 0) throw new Error(`unterminated attribute ${a}`);
        const raw = src.slice(at, end);
        if (raw.includes('<')) throw new Error(`< in attribute ${a}`);
        if (a in el.attrs) throw new Error(`duplicate attribute ${a} in <${el.name}>`);
        el.attrs[a] = decodeEntities(raw.replace(/[\t\n\r]/g, ' '), `attribute ${a}`);
        at = end + 1;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (src.startsWith('/>', at)) at += 2;
      else {
        at++;
        stack.push(el);
      }
    } else {
      const end = src.indexOf('<', at);
      const raw = src.slice(at, end < 0 ? src.length : end);
      if (raw.includes(']]>')) throw new Error(']]> in text');
      const text = decodeEntities(raw, 'text');
      const top = stack[stack.length - 1];
      if (top) top.text += text;
      else if (text.trim()) throw new Error('text outside the root element');
      at += raw.length;
    }
  }
  if (stack.length) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

const kids = (el: El, name: string) => el.children.filter((c) => c.name === name);

describe('the test XML parser', () => {
  it('rejects what is not well-formed (so the checks below can fail)', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/does not match/);
    expect(() => parseXml('<a>&</a>')).toThrow(/bare &/);
    expect(() => parseXml('<a>\x01</a>')).toThrow(/illegal character/);
    expect(() => parseXml('<a>&#1;</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a x="<"/>')).toThrow(/< in attribute/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a/><b/>')).toThrow(/more than one root/);
    expect(() => parseXml('<a>\ud800</a>')).toThrow(/illegal/);
    expect(parseXml('<?xml version="1.0"?>\n<a x="&lt;&#10;">t&amp;<b/></a>')).toEqual({
      name: 'a', attrs: { x: '<\n' }, text: 't&', children: [{ name: 'b', attrs: {}, children: [], text: '' }],
    });
  });
});

describe('escapeXml', () => {
  it('escapes markup, keeps text round-trippable, and makes illegal characters visible', () => {
    const s = `a<b>&"c"\x00\x1b\ud800z\ufffe`;
    expect(escapeXml(s)).toBe('a&lt;b&gt;&amp;"c"\\x00\\x1b\\ud800z\\ufffe');
    expect(escapeXml('x"\n\ty', true)).toBe('x&quot;&#10;&#9;y');
    const doc = parseXml(`<r a="${escapeXml('q"<\n>&', true)}">${escapeXml(HOSTILE)}</r>`);
    expect(doc.attrs.a).toBe('q"<\n>&');
    expect(doc.text).toBe(HOSTILE);
  });
});

describe('JunitReporter', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function written(results: TestResult[]): Promise<El> {
    dir = tempReportDir();
    await drive(new JunitReporter(dir), results);
    return parseXml(readFileSync(join(dir, 'junit.xml'), 'utf8'));
  }

  it('writes well-formed XML with counts matching the results', async () => {
    const results = fixtureResults();
    const root = await written(results);
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '12', failures: '3', errors: '1', skipped: '4' });
    const suites = kids(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['lowpan', 'ipv6', 'icmpv6', 'nd', 'udp', 'slaac', 'coap']);
    for (const s of suites) {
      const mine = results.filter((r) => r.suite === s.attrs.name);
      const cases = kids(s, 'testcase');
      expect(cases).toHaveLength(mine.length);
      expect(s.attrs.tests).toBe(String(mine.length));
      expect(s.attrs.failures).toBe(String(mine.filter((r) => r.verdict === 'fail').length));
      expect(s.attrs.errors).toBe(String(mine.filter((r) => r.verdict === 'error').length));
      expect(s.attrs.skipped).toBe(String(mine.filter((r) => r.verdict === 'inconclusive' || r.verdict === 'not-applicable').length));
      expect(Number(s.attrs.time)).toBeCloseTo(mine.reduce((t, r) => t + r.durationMs, 0) / 1000, 3);
      expect(cases.map((c) => c.attrs.name)).toEqual(mine.map((r) => `${r.id} ${r.title}`));
      for (const c of cases) expect(c.attrs.classname).toBe(`sixlab.${s.attrs.name}`);
    }
    const all = suites.flatMap((s) => kids(s, 'testcase'));
    expect(all.filter((c) => kids(c, 'failure').length)).toHaveLength(3);
    expect(all.filter((c) => kids(c, 'error').length)).toHaveLength(1);
    expect(all.filter((c) => kids(c, 'skipped').length)).toHaveLength(4);
    expect(all.filter((c) => c.children.some((k) => ['failure', 'error', 'skipped'].includes(k.name)))).toHaveLength(8);
  });

  it('gives each test its ref, level, verdict, one property per spec id and per need', async () => {
    const root = await written(fixtureResults());
    const c = kids(kids(root, 'testsuite')[0], 'testcase')[1]; // LOWPAN-25
    const props = kids(kids(c, 'properties')[0], 'property').map((p) => [p.attrs.name, p.attrs.value]);
    expect(props).toEqual([
      ['verdict', 'fail'],
      ['ref', 'RFC 4944 §5.1'],
      ['level', 'MUST'],
      ['spec', 'TD_6Lo_FORMAT_09'],
      ['spec', 'TD_6Lo_FORMAT_10'],
    ]);
    const first = kids(kids(kids(root, 'testsuite')[0], 'testcase')[0], 'properties')[0];
    expect(kids(first, 'property').filter((p) => p.attrs.name === 'needs').map((p) => p.attrs.value)).toEqual(['ping']);
  });

  it('puts the finding in <failure>, the reason in <error>, and says which kind of <skipped>', async () => {
    const root = await written(fixtureResults());
    const byId = new Map(kids(root, 'testsuite').flatMap((s) => kids(s, 'testcase')).map((c) => [c.attrs.name.split(' ')[0], c]));
    const failure = kids(byId.get('LOWPAN-25')!, 'failure')[0];
    expect(failure.attrs).toEqual({ message: 'the device answered a frame with a reserved dispatch', type: 'RFC 4944 §5.1: reserved dispatch' });
    expect(failure.text).toContain('expected: no answer');
    expect(failure.text).toContain('seen: an Echo Reply');
    expect(failure.text).toContain('frames: 4');
    // the cited frame's hostile summary: markup intact as text, control characters made visible
    expect(failure.text).toContain(`#4 in ${HOSTILE} & "q" 'a' \\x1b[2J\\x00 bell\\x07`);
    const error = kids(byId.get('ICMPV6-03')!, 'error')[0];
    expect(error.attrs.message).toBe('device said <img src=x onerror=alert(2)>');
    expect(kids(byId.get('IPV6-09')!, 'skipped')[0].attrs.message).toBe('inconclusive: the rate limit left no answer to judge');
    expect(kids(byId.get('ND-07')!, 'skipped')[0].attrs.message).toBe('not applicable: the board does not do classic ND');
    expect(byId.get('LOWPAN-01')!.children.map((k) => k.name)).toEqual(['properties']);
    expect(kids(byId.get('COAP-01')!, 'system-out')[0].text).toBe(`round trip 12 ms\npayload ${HOSTILE}`);
  });

  it('survives hostile text everywhere', async () => {
    const nasty = `]]><x a="1">&amp;\x01\x0b\ud83d'"`;
    const [r] = fixtureResults();
    const hostile: TestResult = { ...r, id: 'H-1', title: nasty, ref: nasty, spec: [nasty], notes: [nasty], verdict: 'error', reason: nasty };
    const root = await written([hostile]);
    const c = kids(kids(root, 'testsuite')[0], 'testcase')[0];
    const visible = `]]><x a="1">&amp;\\x01\\x0b\\ud83d'"`;
    expect(c.attrs.name).toBe(`H-1 ${visible}`);
    expect(kids(c, 'error')[0].attrs.message).toBe(visible);
    expect(kids(c, 'system-out')[0].text).toBe(visible);
  });

  it('marks the document with the run and the readiness line', () => {
    const results = fixtureResults();
    const xml = junitXml(RUN, results, summarize(RUN, results, { durationMs: 1, boardMs: 1, interrupted: false }));
    const props = kids(kids(kids(parseXml(xml), 'testsuite')[0], 'properties')[0], 'property');
    expect(props.find((p) => p.attrs.name === 'core.sha256')?.attrs.value).toBe(RUN.core?.sha256);
    expect(props.find((p) => p.attrs.name === 'readiness')?.attrs.value).toMatch(/^NOT ready: 2 MUST requirements failed/);
  });
});
