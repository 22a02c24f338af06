// The standard set of reporters for a run, and the reporters' public API.
import { mkdirSync } from 'node:fs';
import type { Reporter } from '../framework/types.js';
import { HtmlReporter } from './html.js';
import { JsonLinesReporter } from './jsonl.js';
import { JunitReporter } from './junit.js';
import { CaptureReporter } from './pcapng.js';
import { ProgressReporter, type ProgressOptions } from './progress.js';
import { SummaryJsonReporter } from './summary.js';

export { HtmlReporter, renderHtml } from './html.js';
export { JsonLinesReporter, parseJsonLines } from './jsonl.js';
export { JunitReporter, junitXml } from './junit.js';
export { Reporters, type DroppedReporter } from './multiplex.js';
export { CaptureReporter } from './pcapng.js';
export { ProgressReporter, type ProgressOptions } from './progress.js';
export { readinessOf, summarize, SummaryJsonReporter, type Readiness, type SummarizeOptions, type SummaryFile } from './summary.js';

/**
 * The reporters of a run writing into `dir`, in order: the evidence first
 * (results.jsonl and capture.pcapng, written as the run goes, so a crash keeps
 * them), then the end-of-run files (junit.xml, summary.json, report.html), and
 * the terminal last so its closing lines come after the reports exist.
 */
export function standardReporters(dir: string, opts: Omit<ProgressOptions, 'reportDir'>): Reporter[] {
  mkdirSync(dir, { recursive: true });
  return [
    new JsonLinesReporter(dir),
    new CaptureReporter(dir),
    new JunitReporter(dir),
    new SummaryJsonReporter(dir),
    new HtmlReporter(dir),
    new ProgressReporter({ ...opts, reportDir: dir }),
  ];
}
