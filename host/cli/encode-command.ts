// sixlab encode: IPv6 packets (hex) -> IEEE 802.15.4 frames with 6LoWPAN
// compression and fragmentation, as the core sends them.
import type { Command } from 'commander';
import { collect } from './context-option.js';
import { CoreError, type LinkAddress, type TxOptions } from '../core/sixlab-core.js';
import { parseHex, toHex } from '../packet/hex.js';
import { parseIpv6Header } from '../packet/ipv6.js';
import { linkAddressFromIid, parseLinkAddress, parsePanId, shortAddress } from '../packet/link-address.js';
import { coreWithContexts } from './decode-command.js';
import { inputLines } from './input-lines.js';
import { UsageError } from './usage-error.js';

export interface EncodeOptions {
  ipv6?: string;
  src?: string;
  dst?: string;
  pan: string;
  context: string[];
  frameVersion: string;
  seq: string;
  elideUdpChecksum?: boolean;
  uncompressed?: boolean;
  json?: boolean;
}

const VERSIONS: Record<string, 0 | 1 | 2> = { '2003': 0, '2006': 1, '2015': 2 };

function option<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`);
  }
}

/** With no --src/--dst, the link address the IPv6 address was built from
 *  (RFC 4944 §6): what a device's own stack would use, and the most compact. */
function linkFromIpv6(addr: Uint8Array): LinkAddress {
  return addr[0] === 0xff ? shortAddress(0xffff) : linkAddressFromIid(addr.subarray(8));
}

interface PacketLine {
  packet: Uint8Array;
  src?: string;
  dst?: string;
  pan?: string;
}

function parseLine(text: string, number: number): PacketLine {
  if (!text.startsWith('{')) return { packet: option(`input ${number}`, () => parseHex(text)) };
  const j = option(`input ${number}`, () => JSON.parse(text) as Record<string, unknown>);
  if (typeof j.ipv6 !== 'string') throw new UsageError(`input ${number}: JSON needs "ipv6": "<hex>"`);
  return {
    packet: option(`input ${number} ipv6`, () => parseHex(j.ipv6 as string)),
    src: typeof j.src === 'string' ? j.src : undefined,
    dst: typeof j.dst === 'string' ? j.dst : undefined,
    pan: typeof j.pan === 'string' || typeof j.pan === 'number' ? String(j.pan) : undefined,
  };
}

export async function encodeCommand(options: EncodeOptions): Promise<void> {
  const version = VERSIONS[options.frameVersion];
  if (version === undefined) throw new UsageError(`--frame-version ${options.frameVersion}: expected 2003, 2006 or 2015`);
  const seq = Number(options.seq);
  if (!Number.isInteger(seq) || seq < 0 || seq > 255) throw new UsageError(`--seq ${options.seq}: expected 0..255`);
  const flagSrc = options.src === undefined ? undefined : option('--src', () => parseLinkAddress(options.src!));
  const flagDst = options.dst === undefined ? undefined : option('--dst', () => parseLinkAddress(options.dst!));
  const flagPan = option('--pan', () => parsePanId(options.pan));
  const core = coreWithContexts(options.context);
  let first = true;
  const lines = options.ipv6 !== undefined ? [options.ipv6] : [];
  for await (const line of inputLines(lines)) {
    const p = parseLine(line.text, line.number);
    const header = option(`input ${line.number}`, () => parseIpv6Header(p.packet));
    const tx: TxOptions = {
      src: p.src ? option(`input ${line.number} src`, () => parseLinkAddress(p.src!)) : flagSrc ?? linkFromIpv6(header.src),
      dst: p.dst ? option(`input ${line.number} dst`, () => parseLinkAddress(p.dst!)) : flagDst ?? linkFromIpv6(header.dst),
      pan: p.pan ? option(`input ${line.number} pan`, () => parsePanId(p.pan!)) : flagPan,
      frameVersion: version,
      elideUdpChecksum: options.elideUdpChecksum,
      uncompressed: options.uncompressed,
      ackRequest: true,
    };
    if (first) tx.seq = seq;
    first = false;
    let frames: Uint8Array[];
    try {
      frames = core.compress(p.packet, tx);
    } catch (err) {
      if (err instanceof CoreError) throw new UsageError(`input ${line.number}: ${err.message}`);
      throw err;
    }
    const hex = frames.map(toHex);
    process.stdout.write(options.json ? JSON.stringify({ frames: hex }) + '\n' : hex.join('\n') + '\n');
  }
}

/** Declares the command on the program. */
export function registerEncode(p: Command): void {
  p.command('encode')
    .description('compress IPv6 packets (hex) into IEEE 802.15.4 frames, from --ipv6 or stdin (hex or JSON lines)')
    .option('--ipv6 <hex>', 'one IPv6 packet')
    .option('--src <mac>', 'source link address (00:12:4b:00:00:01:02:03 or 0x0001); default: from the IPv6 source IID')
    .option('--dst <mac>', 'destination link address; default: from the IPv6 destination (0xffff for multicast)')
    .option('--pan <id>', 'PAN ID', '0xabcd')
    .option('--context <N=PREFIX/LEN>', '6LoWPAN context, e.g. 0=2001:db8::/64 (repeatable)', collect, [])
    .option('--frame-version <year>', '802.15.4 frame version: 2003, 2006 or 2015', '2006')
    .option('--seq <n>', 'sequence number of the first frame', '0')
    .option('--elide-udp-checksum', 'let the compressor elide UDP checksums (RFC 6282 §4.3.2)')
    .option('--uncompressed', 'send IPv6 uncompressed (dispatch 0x41)')
    .option('--json', 'one JSON object per packet: {"frames": [...]}')
    .action((opts) => encodeCommand(opts));
}
