// capture.pcapng: every frame of the run, written (synchronously) as it is
// exchanged, so a run that dies keeps its capture. The first frame of each test
// carries a comment naming it; epb_flags give the direction (in: from the device).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openPcapngFile, type PcapngFileWriter } from '../../host/capture/pcapng.js';
import { LINKTYPE_IEEE802_15_4_WITHFCS } from '../../host/packet/pcap.js';
import type { Reporter, RunFrame, RunInfo, RunSummary, TestInfo, TestResult } from '../framework/types.js';

export class CaptureReporter implements Reporter {
  readonly name = 'capture';
  private writer: PcapngFileWriter | undefined;
  private iface = 0;
  /** The test whose first frame is still to come. */
  private pending: TestInfo | undefined;

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, 'capture.pcapng');
  }

  async onBegin(run: RunInfo, _tests: TestInfo[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const faults = run.faults.length ? run.faults.join(', ') : 'none';
    const core = run.core?.sha256 ? `core sha256 ${run.core.sha256}` : run.core?.firmware ? `firmware ${run.core.firmware}` : 'core unknown';
    this.writer = await openPcapngFile(this.path, {
      sync: true,
      application: `sixlab ${run.sixlabVersion}`,
      hardware: `${run.board} (${run.boardKind})`,
      comment: `sixlab conformance run on ${run.board}, started ${run.startedAt}; faults: ${faults}; ${core}`,
    });
    this.iface = this.writer.addInterface(LINKTYPE_IEEE802_15_4_WITHFCS, run.board, 'us', {
      description: run.boardDescription ?? `${run.board} (${run.boardKind})`,
    });
  }

  onTestBegin(test: TestInfo, _index: number): void {
    this.pending = test;
  }

  onFrame(frame: RunFrame): void {
    const writer = this.writer;
    if (!writer) throw new Error('frame before onBegin (or after onEnd)');
    const comments: string[] = [];
    if (frame.comment) comments.push(frame.comment);
    else if (this.pending) comments.push(`TEST ${this.pending.id} ${this.pending.title}`);
    this.pending = undefined;
    // The reports link to frames by number: say so in the capture if the numbering slipped.
    const expected = writer.packetCount + 1;
    if (frame.n !== expected) comments.push(`sixlab: the run numbered this frame ${frame.n}, it is frame ${expected} of the capture`);
    writer.writePacket(this.iface, frame.timestampUs, frame.psdu, {
      direction: frame.direction,
      ...(comments.length ? { comment: comments } : {}),
    });
  }

  onTestEnd(_result: TestResult, _index: number): void {
    this.pending = undefined;
  }

  async onEnd(_summary: RunSummary, _results: TestResult[]): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
  }
}
