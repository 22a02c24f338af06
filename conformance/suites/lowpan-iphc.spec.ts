// lowpan, part 1: the uncompressed dispatch and LOWPAN_IPHC (RFC 4944 §5.1,
// RFC 6282 §3). The tester sends an Echo Request (or an NS) in each encoding
// and expects a correct reply, sent back to the address the device must have
// decoded: that proves the decoding (conformance catalogue LOWPAN-01..20, and
// the ETSI 6Lo FORMAT / HC TDs on link-local addresses).
import { defineTest } from '../framework/define.js';
import { DEFAULT_PREFIX } from '../framework/context.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { buildNdPacket, solicitedNodeAddress } from '../../host/packet/ndp.js';
import { ECHO, JOIN } from './common.js';
import {
  ALL_NODES, FROM_SHORT, GLOBAL_ECHO, classicOnly, MULTICAST_ECHO, SHORT_IID, TESTER_LOCAL, TESTER_SHORT, TO_SHORT, UNCOMPRESSED, echoChecked, echoFaults, llOf,
  noteShortSource, noteTd, noteUncompressedTd, sameBytes, station,
} from './lowpan-helpers.js';
import type { TestContext } from '../framework/context.js';

const suite = 'lowpan' as const;

// ---------------------------------------------------------------- uncompressed (RFC 4944 §5.1)

defineTest({
  id: 'LOWPAN-01', title: 'uncompressed IPv6 dispatch (0x41) is accepted', suite, ref: 'RFC 4944 §5.1', level: 'MUST',
  spec: ['TD_6Lo_FORMAT_01'], faults: echoFaults(UNCOMPRESSED),
}, async (t: TestContext) => {
  // TD_6Lo_FORMAT_01: Echo Request of 52 octets (4 data octets), EUI-64 link-local addresses both ways.
  const reply = await echoChecked(t, { rule: 'RFC 4944 §5.1', encoding: { hcMode: 'uncompressed' } });
  noteUncompressedTd(t, 'TD_6Lo_FORMAT_01', reply);
});

/** The FORMAT TDs on link-local unicast: the tester (EUT1) and the device (EUT2) each with a 64-bit or 16-bit address. */
for (const c of [
  { td: '02', tester: 'short', device: 'short', title: 'both 16-bit short link-local addresses' },
  { td: '07', tester: 'eui64', device: 'short', title: 'from an EUI-64 to a 16-bit short link-local address' },
  { td: '08', tester: 'short', device: 'eui64', title: 'from a 16-bit short to an EUI-64 link-local address' },
] as const) {
  defineTest({
    id: `LOWPAN-TD-FORMAT-${c.td}`, title: `uncompressed IPv6 (0x41) Echo Request ${c.title} is answered`, suite, ref: 'RFC 4944 §5.1', level: 'MUST',
    spec: [`TD_6Lo_FORMAT_${c.td}`], shortSource: c.device === 'short',
    faults: echoFaults(UNCOMPRESSED, c.tester === 'short' ? FROM_SHORT : [], c.device === 'short' ? TO_SHORT : []),
  }, async (t: TestContext) => {
    const reply = await echoChecked(t, {
      rule: 'RFC 4944 §5.1', from: c.tester === 'short' ? TESTER_SHORT : undefined, encoding: { hcMode: 'uncompressed' },
    });
    noteUncompressedTd(t, `TD_6Lo_FORMAT_${c.td}`, reply);
    if (c.device === 'short') noteShortSource(t, reply);
  });
}

/** The FORMAT TDs on all-nodes multicast, uncompressed. */
for (const c of [{ td: '05', short: true }, { td: '06', short: false }] as const) {
  defineTest({
    id: `LOWPAN-TD-FORMAT-${c.td}`, title: `uncompressed IPv6 (0x41) Echo Request to ff02::1 (${c.short ? '16-bit short' : 'EUI-64'} addresses) is answered`,
    suite, ref: 'RFC 4944 §5.1', level: 'MUST', spec: [`TD_6Lo_FORMAT_${c.td}`], shortSource: c.short,
    // The request goes to the broadcast address: the device's short address matters only to a classic
    // device's address resolution (the NA comes back to it).
    faults: echoFaults(UNCOMPRESSED, MULTICAST_ECHO, c.short ? [...FROM_SHORT, ...classicOnly(TO_SHORT)] : []),
  }, async (t: TestContext) => {
    // A host MUST join all-nodes (RFC 4291 §2.8, RFC 6775 §5.2) and SHOULD answer an Echo Request to
    // it (RFC 4443 §4.2); when it does not, the same request compressed (IPHC) tells why.
    const reply = await echoChecked(t, {
      rule: 'RFC 4944 §5.1', from: c.short ? TESTER_SHORT : undefined, dst: ALL_NODES, encoding: { hcMode: 'uncompressed' }, control: {},
    });
    noteUncompressedTd(t, `TD_6Lo_FORMAT_${c.td}`, reply);
  });
}

// ---------------------------------------------------------------- TF (RFC 6282 §3.1.1, §3.2.1)

const TF_FAULTS = ['iphc-tf-00-unsupported', 'iphc-tf-01-unsupported', 'iphc-tf-10-unsupported', undefined];
for (const [n, tf] of [[2, 0], [3, 1], [4, 2], [5, 3]] as const) {
  defineTest({
    id: `LOWPAN-0${n}`, title: `IPHC TF=${tf.toString(2).padStart(2, '0')}: traffic class and flow label ${['in line', 'ECN + flow label', 'ECN + DSCP', 'elided'][tf]}`,
    suite, ref: 'RFC 6282 §3.1.1', level: 'MUST', faults: echoFaults(TF_FAULTS[tf] ? [TF_FAULTS[tf]!] : []),
  }, async (t: TestContext) => {
    // Values each TF mode can carry (§3.1.1): 11 elides everything, so both must be 0 there.
    const values = [[0xb9, 0x12345], [0x03, 0xabcde], [0xb9, 0], [0, 0]][tf];
    await echoChecked(t, { rule: 'RFC 6282 §3.1.1', trafficClass: values[0], flowLabel: values[1], encoding: { tf } });
  });
}

// ---------------------------------------------------------------- HLIM (RFC 6282 §3.1.1)

/**
 * An NS for the device's link-local address whose Hop Limit 255 is compressed
 * as `hlim`: the device answers only if it decoded 255 (RFC 4861 §7.1.1: an NS
 * with another hop limit is invalid and silently discarded), so its NA is the
 * proof of the decoded value, not just of the octets consumed.
 */
async function nsHopLimit255(t: TestContext, hlim: 0 | 3): Promise<void> {
  const ns = buildNdPacket({
    src: t.tester.ll, dst: t.device.ll, hopLimit: 255,
    message: { kind: 'ns', target: t.device.ll, options: [{ kind: 'sllao', addr: t.tester.address }] },
  });
  const sent = await t.send(ns, { encoding: { hlim } });
  const na = await t.expect((s) => s.nd?.message.kind === 'na' && sameBytes(s.nd.message.target, t.device.ll), {
    rule: 'RFC 6282 §3.1.1', expected: `an NA for ${formatIpv6(t.device.ll)}: the answer to an NS whose hop limit 255 was ${hlim ? 'elided (HLIM=11)' : 'carried in line (HLIM=00)'} (RFC 4861 §7.2.4)`, sent,
  });
  t.check(sameBytes(na.ip!.header.dst, t.tester.ll), {
    rule: 'RFC 4861 §7.2.4', expected: `the NA sent to the NS's source ${formatIpv6(t.tester.ll)}`, seen: `an NA to ${formatIpv6(na.ip!.header.dst)}`, frames: na.frames,
  });
}

defineTest({
  id: 'LOWPAN-06', title: 'IPHC HLIM=00: the hop limit carried in line is decoded', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  spec: ['TD_6Lo_HC_03'], faults: echoFaults(['iphc-hlim-inline-unsupported']),
}, async (t: TestContext) => {
  // TD_6Lo_HC_03: hop limit 63 (no HLIM code), so the most compact encoding carries it in line.
  const reply = await echoChecked(t, { rule: 'RFC 6282 §3.1.1', hopLimit: 63, encoding: { hlim: 0 } });
  noteTd(t, 'TD_6Lo_HC_03', reply, { tf: 3, sac: 0, sam: 3, dac: 0, dam: 3 });
  await nsHopLimit255(t, 0);
});

defineTest({
  id: 'LOWPAN-TD-HC-04', title: 'IPHC with the hop limit in line between 16-bit short link-local addresses is decoded', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  spec: ['TD_6Lo_HC_04'], shortSource: true, faults: echoFaults(['iphc-hlim-inline-unsupported'], FROM_SHORT, TO_SHORT, SHORT_IID),
}, async (t: TestContext) => {
  const reply = await echoChecked(t, { rule: 'RFC 6282 §3.1.1', from: TESTER_SHORT, hopLimit: 63 });
  noteTd(t, 'TD_6Lo_HC_04', reply, { tf: 3, sac: 0, sam: 3, dac: 0, dam: 3 });
  noteShortSource(t, reply);
});

defineTest({
  id: 'LOWPAN-07', title: 'IPHC HLIM=01: hop limit 1 is decoded', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  faults: echoFaults(['iphc-hlim-01-unsupported']),
}, async (t: TestContext) => {
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', hopLimit: 1, encoding: { hlim: 1 } });
});

defineTest({
  id: 'LOWPAN-08', title: 'IPHC HLIM=10: hop limit 64 is decoded (link-local, EUI-64, best compression)', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  spec: ['TD_6Lo_HC_01', 'TD_6Lo_FORMAT_09'], faults: ECHO,
}, async (t: TestContext) => {
  // TD_6Lo_HC_01: hop limit 64, no traffic class or flow label: TF=11 HLIM=10 SAM=11 DAM=11.
  const reply = await echoChecked(t, { rule: 'RFC 6282 §3.1.1', hopLimit: 64, encoding: { hlim: 2 } });
  noteTd(t, 'TD_6Lo_HC_01', reply, { tf: 3, hlim: 2, sac: 0, sam: 3, dac: 0, dam: 3 });
  t.note('TD_6Lo_FORMAT_09: the basic link-local Echo exchange is this test; its MS/TP token passing (6LoBAC, BACnet clause 9) is outside an IEEE 802.15.4 board');
});

defineTest({
  id: 'LOWPAN-09', title: 'IPHC HLIM=11: hop limit 255 is decoded', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST', faults: ECHO,
}, async (t: TestContext) => {
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', hopLimit: 255, encoding: { hlim: 3 } });
  await nsHopLimit255(t, 3);
});

// ---------------------------------------------------------------- stateless addresses (RFC 6282 §3.1.1, §3.2.2)

defineTest({
  id: 'LOWPAN-10', title: 'IPHC SAM=00 / DAM=00: both link-local addresses carried in full', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  faults: echoFaults(['iphc-link-local-inline-unsupported']),
}, async (t: TestContext) => {
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', encoding: { sam: 0, dam: 0 } });
});

defineTest({
  id: 'LOWPAN-11', title: 'IPHC SAM=01 / DAM=01: 64-bit IIDs in line, link-local prefix elided', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  faults: echoFaults(['iphc-iid-64-inline-unsupported']),
}, async (t: TestContext) => {
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', encoding: { sam: 1, dam: 1 } });
});

defineTest({
  id: 'LOWPAN-12a', title: 'IPHC SAM=10 / DAM=10 in frames between 64-bit MAC addresses: fe80::ff:fe00:XXXX from the 16 in-line bits', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  // The reply goes to 0x0042 directly (6LoWPAN-ND) or after address resolution (classic: the NA comes
  // from the short address to the device's, both elided against them).
  shortSource: true, faults: echoFaults(['iphc-iid-16-inline-unsupported'], classicOnly(FROM_SHORT), classicOnly(TO_SHORT)),
}, async (t: TestContext) => {
  // The addresses come from the in-line bits, not from the MAC addresses (both EUI-64 here): the device,
  // on its short address, has fe80::ff:fe00:1; the tester's source is fe80::ff:fe00:42, whose link
  // address (0x0042, RFC 6775 §5.6 / classic address resolution) the tester also answers for.
  station(t, TESTER_SHORT);
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', src: llOf(TESTER_SHORT), to: t.device.eui64, encoding: { sam: 2, dam: 2 } });
});

defineTest({
  id: 'LOWPAN-12b', title: 'IPHC SAM=10 / DAM=10 in frames between 16-bit MAC addresses', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  shortSource: true, faults: echoFaults(['iphc-iid-16-inline-unsupported'], FROM_SHORT, TO_SHORT),
}, async (t: TestContext) => {
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', from: TESTER_SHORT, encoding: { sam: 2, dam: 2 } });
});

defineTest({
  id: 'LOWPAN-13a', title: 'IPHC SAM=11 / DAM=11: IIDs from 64-bit MAC addresses, U/L bit inverted (a locally administered source)', suite, ref: 'RFC 6282 §3.2.2', level: 'MUST',
  faults: echoFaults(['iid-ul-bit-set']),
}, async (t: TestContext) => {
  // RFC 4944 §6 (RFC 2464 §4): the IID is the EUI-64 with the U/L bit inverted, so 02:12:4b:… gives 0012:4b…:
  // a decoder that sets the bit instead of inverting it answers fe80::212:4b00:0:42.
  await echoChecked(t, { rule: 'RFC 6282 §3.2.2', from: TESTER_LOCAL, encoding: { sam: 3, dam: 3 } });
});

defineTest({
  id: 'LOWPAN-13b', title: 'IPHC SAM=11 / DAM=11: IIDs 0000:00ff:fe00:XXXX from 16-bit MAC addresses', suite, ref: 'RFC 6282 §3.2.2', level: 'MUST',
  spec: ['TD_6Lo_HC_02'], shortSource: true, faults: echoFaults(FROM_SHORT, TO_SHORT, SHORT_IID),
}, async (t: TestContext) => {
  // TD_6Lo_HC_02: both EUTs on 16-bit short addresses, hop limit 64, best compression.
  const reply = await echoChecked(t, { rule: 'RFC 6282 §3.2.2', from: TESTER_SHORT, encoding: { sam: 3, dam: 3 } });
  noteTd(t, 'TD_6Lo_HC_02', reply, { tf: 3, hlim: 2, sac: 0, sam: 3, dac: 0, dam: 3 });
  noteShortSource(t, reply);
});

for (const c of [
  { td: '09', tester: 'eui64', device: 'short', title: 'from an EUI-64 to a 16-bit short link-local address' },
  { td: '10', tester: 'short', device: 'eui64', title: 'from a 16-bit short to an EUI-64 link-local address' },
] as const) {
  defineTest({
    id: `LOWPAN-TD-HC-${c.td}`, title: `IPHC Echo Request ${c.title}, addresses elided, is answered`, suite, ref: 'RFC 6282 §3.2.2', level: 'MUST',
    spec: [`TD_6Lo_HC_${c.td}`], shortSource: c.device === 'short',
    faults: echoFaults(SHORT_IID, c.tester === 'short' ? FROM_SHORT : [], c.device === 'short' ? TO_SHORT : []),
  }, async (t: TestContext) => {
    const reply = await echoChecked(t, { rule: 'RFC 6282 §3.2.2', from: c.tester === 'short' ? TESTER_SHORT : undefined, encoding: { sam: 3, dam: 3 } });
    noteTd(t, `TD_6Lo_HC_${c.td}`, reply, { tf: 3, hlim: 2, sac: 0, sam: 3, dac: 0, dam: 3 });
    if (c.device === 'short') noteShortSource(t, reply);
  });
}

// ---------------------------------------------------------------- stateful addresses (RFC 6282 §3.1.1, §3.1.2; RFC 6775 §4.2 6CO)

/** Context 0 (or `cid`) for the device's prefix, given by the tester as 6LBR in a 6CO (RFC 6775 §4.2). */
const ctx = (cid: number, prefix: Uint8Array) => ({ cid, prefix, length: 64, compression: true, lifetimeMinutes: 60 });

/** An address in `prefix` with the interface identifier `iid` (8 octets). */
function inPrefix(prefix: Uint8Array, iid: Uint8Array): Uint8Array {
  const a = Uint8Array.from(prefix.subarray(0, 16));
  a.set(iid, 8);
  return a;
}

defineTest({
  id: 'LOWPAN-14', title: 'IPHC SAC=1 / DAC=1, SAM/DAM=11: context 0 prefix and IIDs from the MAC addresses', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  needs: ['lowpan-nd'], faults: echoFaults(JOIN, GLOBAL_ECHO, ['iphc-context-0-as-link-local']),
}, async (t: TestContext) => {
  // RFC 6282 §3.1.2: context 0 is the default context (no CID octet). The device learns it from the 6CO.
  const { global } = await t.join({ contexts: [ctx(0, DEFAULT_PREFIX)] });
  const src = inPrefix(DEFAULT_PREFIX, t.tester.ll.subarray(8));
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', src, dst: global, encoding: { sac: 1, sam: 3, dac: 1, dam: 3 } });
});

defineTest({
  id: 'LOWPAN-14a', title: 'IPHC SAC=1 / DAC=1, SAM/DAM=01: context 0 prefix and 64-bit IIDs in line', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  needs: ['lowpan-nd'], faults: echoFaults(JOIN, GLOBAL_ECHO, ['iphc-context-0-as-link-local']),
}, async (t: TestContext) => {
  const { global } = await t.join({ contexts: [ctx(0, DEFAULT_PREFIX)] });
  // A source IID that the MAC address does not give: it must come from the 64 in-line bits.
  const src = inPrefix(DEFAULT_PREFIX, Uint8Array.of(0x02, 0x00, 0x5e, 0xff, 0xfe, 0x00, 0x53, 0x42));
  await echoChecked(t, { rule: 'RFC 6282 §3.1.1', src, dst: global, encoding: { sac: 1, sam: 1, dac: 1, dam: 1 } });
});

/** Contexts 1..15, each a different /64; the device's prefix is context DEVICE_CID's. */
const DEVICE_CID = 9;
const ctxPrefix = (cid: number) => Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0x00, 0xc0, 0x00, cid, 0, 0, 0, 0, 0, 0, 0, 0);

defineTest({
  id: 'LOWPAN-15', title: 'IPHC CID=1: the context identifier extension selects contexts 1..15 (SCI / DCI)', suite, ref: 'RFC 6282 §3.1.2', level: 'MUST',
  needs: ['lowpan-nd'], faults: echoFaults(JOIN, GLOBAL_ECHO, ['iphc-cid-ignored']),
}, async (t: TestContext) => {
  // Each context a different prefix, so a wrong SCI sends the reply to another address (or to none);
  // the device's own address is in context DEVICE_CID's prefix, the DCI of every request.
  // The contexts come a few to an RA, each RA small enough for one frame (RFC 6775 §5.4.2: each 6CO
  // received adds or updates its entry): the device's own prefix in the first, with the PIO. The
  // test is about the CID octet, not about how many 6COs one RA may carry (up to 16, RFC 6775 §4.2:
  // the lowpan-nd suite's business).
  const contexts = Array.from({ length: 15 }, (_, i) => ctx(i + 1, ctxPrefix(i + 1)));
  const first = [contexts[DEVICE_CID - 1], contexts[0]];
  const rest = contexts.filter((c) => !first.includes(c));
  const { router, global } = await t.join({ contexts: first }, ctxPrefix(DEVICE_CID));
  for (let i = 0; i < rest.length; i += 4) {
    const chunk = rest.slice(i, i + 4);
    for (const c of chunk) t.tester.contexts.set(c.cid, { prefix: c.prefix, length: c.length, compress: c.compression });
    await router.sendRa(ALL_NODES, t.broadcast, { contexts: chunk, prefixes: [] });
    await t.sleep(100);
  }
  for (let sci = 1; sci <= 15; sci++) {
    const src = inPrefix(ctxPrefix(sci), t.tester.ll.subarray(8));
    await echoChecked(t, {
      rule: 'RFC 6282 §3.1.2', src, dst: global, seq: sci, encoding: { cid: true, sac: 1, sam: 3, sci, dac: 1, dam: 3, dci: DEVICE_CID },
    });
  }
  t.note(`15 Echo Requests with SCI=1..15 and DCI=${DEVICE_CID}: each reply went to the address in its source context`);
});

// ---------------------------------------------------------------- multicast (RFC 6282 §3.1.1, M=1)

const MCAST = [
  { n: 16, dam: 0, form: 'carried in full (128 bits)', fault: 'iphc-mcast-128-unsupported' },
  { n: 17, dam: 1, form: 'ffXX::00XX:XXXX:XXXX (48 bits)' },
  { n: 18, dam: 2, form: 'ffXX::00XX:XXXX (32 bits)', fault: 'iphc-mcast-32-misplaced' },
  { n: 19, dam: 3, form: 'ff02::00XX (8 bits)' },
] as const;
for (const c of MCAST) {
  defineTest({
    id: `LOWPAN-${c.n}`, title: `IPHC M=1 DAM=${c.dam.toString(2).padStart(2, '0')}: a multicast destination ${c.form} (ff02::1)`, suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
    faults: echoFaults(MULTICAST_ECHO, 'fault' in c ? [c.fault] : []),
  }, async (t: TestContext) => {
    // All-nodes fits every form; a host listens to it (RFC 4291 §2.8) and SHOULD answer an Echo Request to it (RFC 4443 §4.2).
    // The control, when no reply comes, is the same request uncompressed (dispatch 0x41).
    await echoChecked(t, { rule: 'RFC 6282 §3.1.1', dst: ALL_NODES, encoding: { m: 1, dac: 0, dam: c.dam }, control: { hcMode: 'uncompressed' } });
  });
}

// ---------------------------------------------------------------- unspecified source (RFC 6282 §3.1.1 SAC=1 SAM=00)

defineTest({
  id: 'LOWPAN-20', title: 'IPHC SAC=1 SAM=00: the unspecified source address (a DAD probe is answered to all-nodes)', suite, ref: 'RFC 6282 §3.1.1', level: 'MUST',
  needs: ['classic'], faults: ['iphc-unspecified-source-misdecoded'],
}, async (t: TestContext) => {
  // The one packet from :: a host answers: a DAD NS for its address (RFC 4862 §5.4.3), to which it
  // replies with an NA to all-nodes, S=0 (RFC 4861 §7.2.4). A decoder that got another source would
  // answer that source instead (or find the NS invalid). 6LoWPAN-ND hosts need not join the
  // solicited-node group (RFC 6775 §5.2), so this needs a classic host.
  const ns = buildNdPacket({ src: new Uint8Array(16), dst: solicitedNodeAddress(t.device.ll), message: { kind: 'ns', target: t.device.ll, options: [] } });
  const sent = await t.send(ns, { dst: t.broadcast, encoding: { sac: 1, sam: 0 } });
  const na = await t.expect((s) => s.nd?.message.kind === 'na' && sameBytes(s.nd.message.target, t.device.ll), {
    rule: 'RFC 6282 §3.1.1', expected: `an NA for ${formatIpv6(t.device.ll)} answering the NS from :: (RFC 4861 §7.2.4)`, sent,
  });
  t.check(sameBytes(na.ip!.header.dst, ALL_NODES), {
    rule: 'RFC 6282 §3.1.1', expected: 'the NA sent to ff02::1, the answer to a source decoded as :: (RFC 4861 §7.2.4); to any other source it goes unicast',
    seen: `an NA to ${formatIpv6(na.ip!.header.dst)}`, frames: [...sent, ...na.frames],
  });
});
