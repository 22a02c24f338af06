// Small helpers the reporters share: escaping for HTML, XML and terminals,
// verdict labels, durations, and atomic file writes.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Verdict } from '../framework/types.js';

/** Upper-case verdict words for terminals and logs (INCONC as in TTCN-3). */
export const VERDICT_LABEL: Record<Verdict, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  inconclusive: 'INCONC',
  'not-applicable': 'N/A',
};

/** Lower-case verdict words for reports. */
export const VERDICT_WORD: Record<Verdict, string> = {
  pass: 'pass',
  fail: 'fail',
  error: 'error',
  inconclusive: 'inconclusive',
  'not-applicable': 'not applicable',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML element content or a quoted attribute value. Control
 * characters (other than tab and newline) become visible \xNN escapes: they
 * come from device bytes and must neither vanish nor break the page.
 */
export function escapeHtml(value: unknown): string {
  return visibleControls(String(value)).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * Text for XML 1.0 content or a double-quoted attribute value. Characters XML
 * cannot carry at all (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, lone
 * surrogates) are written as visible \xNN / \uNNNN text; in attributes, tab,
 * LF and CR are written as character references so they survive attribute
 * normalisation.
 */
export function escapeXml(value: unknown, attribute = false): string {
  let s = String(value)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, (c) => hexEscape(c))
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => hexEscape(c))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
  if (attribute) s = s.replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
  return s;
}

/** One line for a terminal: no escape sequences or other control characters from the data. */
export function terminalSafe(value: unknown): string {
  return String(value)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => hexEscape(c));
}

function visibleControls(s: string): string {
  return s
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => hexEscape(c))
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => hexEscape(c));
}

function hexEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** "12 ms", "3.4 s", "2 min 05 s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** `n thing` / `n things`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Writes `path` through a temporary file and a rename, so a reader never sees half a report. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Error text on one line. */
export function errorMessage(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
