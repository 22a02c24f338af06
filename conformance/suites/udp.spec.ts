// udp: UDP over IPv6 (RFC 768, RFC 8200 §8.1) — conformance catalogue
// UDP-01..04. The device's one open port is its CoAP server's, 5683: a CoAP
// ping (an empty Confirmable message, RFC 7252 §4.3) draws a Reset, which
// shows that a datagram was delivered and lets the test check the answer's
// addresses, ports and checksum. A malformed datagram must draw nothing; the
// device then still answers an Echo Request (it dropped the datagram, it did
// not stop).
import type { TestContext } from '../framework/context.js';
import { defineTest } from '../framework/define.js';
import { formatIpv6 } from '../../host/packet/ipv6-address.js';
import { ECHO } from './common.js';
import { COAP_PORT, REPLY, TESTER_PORT, coapPing, coapReset, expectSilence, udpPacket } from './ip-helpers.js';

const suite = 'udp' as const;

/** A CoAP ping to the device's port 5683, its UDP header as the test wants it. */
function ping(t: TestContext, mid: number, o: { forceChecksum?: number; forceLength?: number } = {}): Uint8Array {
  return udpPacket(t, { srcPort: TESTER_PORT, dstPort: COAP_PORT, payload: coapPing(mid), ...o });
}

/** What keeps a well-formed CoAP ping from being answered. */
const PING = [...REPLY, 'coap-ping-unanswered'];

/** UDP checksums go in line: the tester never elides them (RFC 6282 §4.3.2), so the device sees the field as sent. */
const CHECKSUM_INLINE = { encoding: { udpChecksum: 'inline' as const } };

/**
 * The device drew no Reset for `mid`: the datagram was dropped. Then the same
 * ping, well formed, must draw one (else the test cannot tell a drop from a
 * device that never answers pings), and the device still answers an Echo Request.
 */
async function dropped(t: TestContext, mid: number, rule: string, why: string, sent: number[]): Promise<void> {
  await expectSilence(t, coapReset(mid), { rule, expected: `the datagram discarded (${why}): no CoAP Reset from port ${COAP_PORT}`, sent });
  await t.send(ping(t, mid + 0x100), CHECKSUM_INLINE);
  if (!(await t.waitFor(coapReset(mid + 0x100)))) t.inconclusive(`precondition: the device does not answer a well-formed CoAP ping either (UDP-01)`);
  await t.alive(rule);
}


defineTest({
  id: 'UDP-01', title: 'a datagram to an open port is delivered, and the answer comes from the address and port it was sent to',
  suite, ref: 'RFC 7252 §4.4', level: 'MUST', needs: ['coap'], faults: [...PING, 'send-zero-udp-checksum'],
}, async (t: TestContext) => {
  // RFC 7252 §4.4: "the Message ID and source endpoint of the ... Reset message MUST
  // match the Message ID and destination endpoint of the Confirmable ... message"; the
  // endpoint is the address and the UDP port. RFC 8200 §8.1: an IPv6 node always computes
  // the UDP checksum, never 0.
  const mid = 0x0601;
  const sent = await t.send(ping(t, mid), CHECKSUM_INLINE);
  const s = await t.expect(coapReset(mid), { rule: 'RFC 7252 §4.3', expected: `a CoAP Reset for Message ID ${mid} (the ping delivered to port ${COAP_PORT})`, sent });
  const h = s.ip!.header;
  const u = s.ip!.udp!;
  const frames = [...sent, ...s.frames];
  t.check(h.src.every((b, i) => b === t.device.ll[i]), {
    rule: 'RFC 7252 §4.4', expected: `the Reset sent from ${formatIpv6(t.device.ll)}, the address the ping was sent to`, seen: `sent from ${formatIpv6(h.src)}`, frames,
  });
  t.check(u.srcPort === COAP_PORT && u.dstPort === TESTER_PORT && h.dst.every((b, i) => b === t.tester.ll[i]), {
    rule: 'RFC 7252 §4.4', expected: `the Reset sent from port ${COAP_PORT} to [${formatIpv6(t.tester.ll)}]:${TESTER_PORT}`,
    seen: `from port ${u.srcPort} to [${formatIpv6(h.dst)}]:${u.dstPort}`, frames,
  });
  t.check(u.checksum !== 0 && u.checksumOk, {
    rule: 'RFC 8200 §8.1', expected: 'a computed, correct UDP checksum (never 0 in IPv6)', seen: u.checksum === 0 ? 'checksum 0' : `a wrong checksum 0x${u.checksum.toString(16)}`, frames,
  });
});

defineTest({
  id: 'UDP-02', title: 'a datagram with a zero checksum is discarded', suite, ref: 'RFC 8200 §8.1', level: 'MUST', needs: ['coap'],
  faults: [...ECHO, ...PING, 'accept-zero-udp-checksum'],
}, async (t: TestContext) => {
  // "IPv6 receivers must discard UDP packets containing a zero checksum" (the exception
  // of RFC 6935/6936 is for tunnel protocols that opt in; CoAP does not).
  const sent = await t.send(ping(t, 0x0602, { forceChecksum: 0 }), CHECKSUM_INLINE);
  await dropped(t, 0x0602, 'RFC 8200 §8.1', 'zero checksum', sent);
});

defineTest({
  id: 'UDP-03', title: 'a datagram with a wrong checksum is discarded', suite, ref: 'RFC 1122 §4.1.3.4', level: 'MUST', needs: ['coap'],
  faults: [...ECHO, ...PING, 'no-udp-checksum-check'],
}, async (t: TestContext) => {
  // RFC 1122 §4.1.3.4: "If a UDP datagram is received with a checksum that is non-zero and
  // invalid, UDP MUST silently discard the datagram"; RFC 8200 §8.1 makes the checksum
  // mandatory in IPv6 and defines its pseudo header.
  const good = ping(t, 0x0603);
  const checksum = (good[46] << 8) | good[47];
  const wrong = checksum === 0x1234 ? 0x4321 : checksum ^ 0x1234; // wrong and not zero
  const sent = await t.send(ping(t, 0x0603, { forceChecksum: wrong }), CHECKSUM_INLINE);
  await dropped(t, 0x0603, 'RFC 1122 §4.1.3.4', `checksum 0x${wrong.toString(16)} instead of 0x${checksum.toString(16)}`, sent);
});

defineTest({
  id: 'UDP-04', title: 'a datagram whose Length field claims more octets than the packet carries is discarded', suite,
  ref: 'RFC 768', level: 'MUST', needs: ['coap'], faults: [...ECHO, ...PING, 'ignore-udp-length'],
}, async (t: TestContext) => {
  // RFC 768: "Length is the length in octets of this user datagram including this header
  // and the data": 8 octets claimed here never arrive, and the checksum, whose pseudo
  // header carries that Length (RFC 8200 §8.1), cannot be verified over octets that are not
  // there. (The checksum is the one the datagram has with its true Length, so that a
  // device going by the octets received finds nothing else wrong.)
  // With a wrong Length the tester cannot use LOWPAN_NHC for UDP (RFC 6282 §4.3.3 elides
  // the Length), so the UDP header goes in line.
  const mid = 0x0604;
  const real = 8 + coapPing(mid).length;
  const sent = await t.send(ping(t, mid, { forceLength: real + 8 }), { encoding: { nhcDepth: 0 } });
  await dropped(t, mid, 'RFC 768', `Length ${real + 8} for a ${real}-octet datagram`, sent);
});
