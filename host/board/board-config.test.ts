// Boards as data: a mistake in a board.json is reported on one line that names
// the field and what is wrong with it (the link's errors from the branch its
// kind names), a JSON syntax error by line and column; every board shipped
// loads and passes the checks the schema cannot make.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boardNames, boardProblems, loadBoard, suggest, usability } from './board-config.js';
import { faultNames } from './faults.js';

const TMP = mkdtempSync(join(tmpdir(), 'sixlab-board-config-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const device = { eui64: '00:12:4b:00:00:00:00:01', pan: '0xabcd' };
let n = 0;

/** Writes `text` (or the object as JSON) to a board.json and returns what loading it says. */
function load(board: unknown): string {
  const file = join(TMP, `b${n++}.json`);
  writeFileSync(file, typeof board === 'string' ? board : JSON.stringify(board));
  try {
    loadBoard(file);
    return 'loaded';
  } catch (err) {
    const message = (err as Error).message;
    expect(message.startsWith(`${file}: `)).toBe(true);
    expect(message).not.toContain('\n');
    return message.slice(file.length + 2);
  }
}

describe('board.json mistakes', () => {
  it('reports a misspelt link field from the branch the link kind names, with the likely spelling', () => {
    // Before: "/link must NOT have additional properties {"additionalProperty":"path"}" (the virtual branch's error).
    expect(load({ name: 'b', link: { kind: 'serial', path: '/dev/ttyACM0', baudrate: 115200 }, device }))
      .toBe('link: unknown field baudrate (did you mean baudRate?)');
    expect(load({ name: 'b', link: { kind: 'zep', remotePort: 17755, gapMS: 2 }, device }))
      .toBe('link: unknown field gapMS (did you mean gapMs?)');
    expect(load({ name: 'b', link: { kind: 'virtual', path: '/dev/ttyACM0' }, device }))
      .toBe('link: unknown field path; known: kind, seed, lossPercent, delayMs, faults');
    expect(load({ name: 'b', link: { kind: 'serial' }, device })).toBe('link: missing field path');
    expect(load({ name: 'b', link: { kind: 'serial', path: '/dev/x', baudRate: 'fast' }, device })).toBe('link.baudRate: "fast" is not a whole number');
    expect(load({ name: 'b', link: { kind: 'zep', maxFrameRetries: 9 }, device })).toBe('link.maxFrameRetries: 9 is out of range (must be at most 7)');
  });

  it('names an unknown or missing link kind and lists the kinds', () => {
    expect(load({ name: 'b', link: { kind: 'usb', path: '/dev/x' }, device })).toBe('link.kind: "usb" is not a link kind (one of virtual, serial, zep)');
    expect(load({ name: 'b', link: { path: '/dev/x' }, device })).toBe('link: missing field kind');
    expect(load({ name: 'b', link: 'serial', device })).toBe('link: "serial" is not an object');
  });

  it('names fields everywhere else too, with an example of what is expected', () => {
    expect(load({ name: 'b', link: { kind: 'virtual' }, device: { ...device, pan: '43981' } }))
      .toBe('device.pan: "43981" is not valid; expected something like "0xabcd"');
    expect(load({ name: 'b', link: { kind: 'virtual' }, device, testr: {} })).toBe('top level: unknown field testr (did you mean tester?)');
    expect(load({ name: 'B', link: { kind: 'virtual' }, device })).toBe('name: "B" is not valid; expected something like "my-sensor"');
    expect(load({ link: { kind: 'virtual' }, device })).toBe('top level: missing field name');
    expect(load({ name: 'b', link: { kind: 'virtual', faults: ['mute', 'mute'] }, device })).toBe('link.faults: items 0 and 1 are the same');
    expect(load({ name: 'b', link: { kind: 'virtual' }, device, capabilities: ['teleport'] }))
      .toMatch(/^capabilities\[0\]: "teleport" is not one of "reset", "ping", /);
  });

  it('gives the line and column of a JSON syntax error', () => {
    // Before: "not valid JSON: Expected double-quoted property name in JSON at position 50".
    expect(load('{\n  "name": "b",\n  "link": { "kind": "virtual" },\n}\n'))
      .toBe('not valid JSON at line 4, column 1: Expected double-quoted property name');
    expect(load('{\n  "name": "b"\n')).toBe('not valid JSON at line 3, column 1: Expected \',\' or \'}\' after property value');
  });

  it('keeps the ZEP settings of the tester\'s MAC', () => {
    expect(load({ name: 'b', link: { kind: 'zep', remotePort: 17755, ackWaitMs: 2.5, maxFrameRetries: 3, gapMs: 1 }, device })).toBe('loaded');
  });
});

describe('the boards shipped', () => {
  it('all load, are named as their folders, and name only faults that exist', () => {
    const names = boardNames();
    expect(names).toEqual(expect.arrayContaining(['virtual', 'virtual-classic', 'virtual-pty', 'serial-example', 'zep-riot']));
    for (const name of names) expect(boardProblems(loadBoard(name), faultNames()), name).toEqual([]);
  });

  it('say a ZEP board is configured, not usable, until something answers', () => {
    expect(usability(loadBoard('zep-riot'))).toEqual({ status: 'configured', usable: false, why: 'UDP [::1]:17754 → 17755; not checked' });
    expect(usability(loadBoard('virtual'))).toMatchObject({ status: 'usable', usable: true });
  });

  it('suggest the name meant, not any name', () => {
    expect(suggest('baudrate', ['path', 'baudRate'])).toBe('baudRate');
    expect(suggest('drop-echo-reply', faultNames())).toBe('drop-echo-replies');
    expect(suggest('xyz', ['path', 'baudRate'])).toBeUndefined();
  });
});
