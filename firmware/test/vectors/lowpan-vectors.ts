// Worked examples ("test vectors") of IEEE 802.15.4 frames carrying 6LoWPAN (RFC 4944, RFC 6282),
// annotated field by field, with the decoded result each one must give.
//
// Every valid vector was checked with an independent decoder, TShark 4.0.17 (Wireshark), never with
// sixlab's own decoder: the IPv6/UDP fields of the decoded (and, for fragments, reassembled) packet,
// the UDP/ICMPv6 checksums, and the decompressed packet bytes (tshark's "Decompressed 6LoWPAN IPHC" /
// "Reassembled 6LoWPAN" data source) against packetHex; packetHex was also decoded on its own as raw
// IPv6. The one place tshark disagrees with RFC 6282 is marked "DISAGREES" below. See README.md for the
// command. Data only: no imports, no logic.
//
// Conventions
// - frames: PSDUs in order of arrival; each INCLUDES the 2-octet FCS (CRC-16/KERMIT: poly 0x1021
//   reflected (0x8408), init 0, no final xor, sent little-endian). Concatenating the hex fields of one
//   frame (spaces removed) gives the PSDU.
// - MAC header fields are little-endian on the air: extended address 00:12:4b:00:00:01:02:03 is sent
//   as 03 02 01 00 00 4b 12 00, PAN ID 0xabcd as cd ab. 6LoWPAN/IPv6 fields are big-endian.
// - Addresses in expect are RFC 5952 text. expect describes the packet after the last frame.
// - Common identities: node A = 00:12:4b:00:00:01:02:03 (fe80::212:4b00:1:203), node B =
//   00:12:4b:00:00:04:05:06 (fe80::212:4b00:4:506), short 0x1a2b (fe80::ff:fe00:1a2b),
//   short 0x3c4d (fe80::ff:fe00:3c4d), PAN 0xabcd; context 0 = 2001:db8::/64, context 1 = 2001:db8:1::/64.
// - error names are the members of enum Reason in firmware/abi/reason.ts.

export interface AnnotatedBytes { hex: string; note: string }
export interface ExpectIpv6 { src: string; dst: string; nextHeader: number; hopLimit: number; trafficClass: number; flowLabel: number; payloadLength: number }
export interface ExpectUdp { srcPort: number; dstPort: number; checksum: number }
export interface LowpanVector {
  name: string;
  ref: string;
  contexts?: { id: number; prefix: string }[];
  frames: AnnotatedBytes[][];
  expect: { ipv6: ExpectIpv6; udp?: ExpectUdp; packetHex: string } | { error: string };
}

export const LOWPAN_VECTORS: LowpanVector[] = [
  // 1. ref-iphc-ext-udp-p11
  {
    name: 'ref-iphc-ext-udp-p11',
    ref: 'IEEE 802.15.4 §7.2 (MAC frame format); RFC 6282 §3.1.1, §3.2.2, §4.3',
    frames: [
      // PSDU 34 octets: 41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f216d
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '42', note: 'sequence number 66 (0x42)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '1f', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 15 -> 0xf0bf = 61631' },
        { hex: '3c 5c', note: 'UDP checksum 0x3c5c inline' },
        { hex: '68 65 6c 6c 6f', note: 'UDP payload (5 octets) "hello"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '21 6d', note: 'FCS 0x6d21 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61631, checksum: 0x3c5c },
      packetHex:
        '60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0bf000d3c5c68656c6c6f',
    },
  },
  // 2. ipv6-uncompressed-dispatch-41
  {
    name: 'ipv6-uncompressed-dispatch-41',
    ref: 'RFC 4944 §5.1 (IPv6 dispatch); RFC 8200 §3; IEEE 802.15.4 §7.2.1 (PAN ID compression 0: both PAN IDs present)',
    frames: [
      // PSDU 83 octets: 01cc07cdab06050400004b1200cdab03020100004b120041628543210011114020010db800000000000000000000000120010db8000000000000000000000002c00016330011f4155001002ab474656d7085c8
      [
        { hex: '01 cc', note: 'FCF 0xcc01 (little-endian on air): data frame, no security, no ack request, no PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '07', note: 'sequence number 7 (0x07)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: 'cd ab', note: 'source PAN ID 0xabcd (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '41', note: 'dispatch 0x41 (01 000001): uncompressed IPv6 header follows' },
        { hex: '62 85 43 21', note: 'IPv6 version 6, traffic class 0x28, flow label 0x54321' },
        { hex: '00 11', note: 'IPv6 payload length 17' },
        { hex: '11', note: 'IPv6 next header 17 (UDP)' },
        { hex: '40', note: 'IPv6 hop limit 64' },
        { hex: '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01', note: 'IPv6 source 2001:db8::1' },
        { hex: '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02', note: 'IPv6 destination 2001:db8::2' },
        { hex: 'c0 00', note: 'UDP source port 49152' },
        { hex: '16 33', note: 'UDP destination port 5683' },
        { hex: '00 11', note: 'UDP length 17' },
        { hex: 'f4 15', note: 'UDP checksum 0xf415' },
        { hex: '50 01 00 2a b4 74 65 6d 70', note: 'UDP payload: CoAP NON GET /temp (50: ver 1, NON, TKL 0; 01: GET; 00 2a: MID 42; b4: Uri-Path, 4 octets, "temp") (9 octets)' },
        { hex: '85 c8', note: 'FCS 0xc885 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, hopLimit: 64, trafficClass: 0x28, flowLabel: 0x54321, payloadLength: 17 },
      udp: { srcPort: 49152, dstPort: 5683, checksum: 0xf415 },
      packetHex:
        '628543210011114020010db800000000000000000000000120010db8000000000000000000000002' +
        'c00016330011f4155001002ab474656d70',
    },
  },
  // 3. iphc-tf00-hlim-inline
  {
    name: 'iphc-tf00-hlim-inline',
    ref: 'RFC 6282 §3.1.1 (TF=00, HLIM=00), §3.2.1',
    frames: [
      // PSDU 38 octets: 41cc03cdab06050400004b120003020100004b120064336e0123452af312dba6746630300d12
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '03', note: 'sequence number 3 (0x03)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '64 33', note: 'LOWPAN_IPHC 0x6433: dispatch 011, TF=00 (ECN+DSCP+flow label inline, 4 octets), NH=1 (next header compressed with LOWPAN_NHC), HLIM=00 (hop limit inline), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: '6e', note: 'TF=00 inline octet 0: ECN=01 (first 2 bits), DSCP=101110=46 (next 6 bits); IPv6 traffic class = DSCP<<2 | ECN = 0xb9' },
        { hex: '01 23 45', note: 'TF=00 inline: 4 reserved bits 0000, flow label 0x12345 (20 bits)' },
        { hex: '2a', note: 'hop limit 42 inline (HLIM=00)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'db a6', note: 'UDP checksum 0xdba6 inline' },
        { hex: '74 66 30 30', note: 'UDP payload (4 octets) "tf00"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: '0d 12', note: 'FCS 0x120d (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 42, trafficClass: 0xb9, flowLabel: 0x12345, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xdba6 },
      packetHex:
        '6b912345000c112afe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000cdba674663030',
    },
  },
  // 4. iphc-tf01-hlim1
  {
    name: 'iphc-tf01-hlim1',
    ref: 'RFC 6282 §3.1.1 (TF=01, HLIM=01), §3.2.1',
    frames: [
      // PSDU 36 octets: 41cc04cdab06050400004b120003020100004b12006d338abcdef312dba57466303124a6
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '04', note: 'sequence number 4 (0x04)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '6d 33', note: 'LOWPAN_IPHC 0x6d33: dispatch 011, TF=01 (ECN+flow label inline, 3 octets; DSCP elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=01 (hop limit 1), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: '8a', note: 'TF=01 inline octet 0: ECN=10, 2 reserved bits 00, flow label bits 19..16 = 0xa; DSCP elided (0) so traffic class = 0x02' },
        { hex: 'bc de', note: 'flow label bits 15..0 -> flow label 0xabcde' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'db a5', note: 'UDP checksum 0xdba5 inline' },
        { hex: '74 66 30 31', note: 'UDP payload (4 octets) "tf01"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: '24 a6', note: 'FCS 0xa624 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 1, trafficClass: 0x02, flowLabel: 0xabcde, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xdba5 },
      packetHex:
        '602abcde000c1101fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000cdba574663031',
    },
  },
  // 5. iphc-tf10-hlim255
  {
    name: 'iphc-tf10-hlim255',
    ref: 'RFC 6282 §3.1.1 (TF=10, HLIM=11), §3.2.1',
    frames: [
      // PSDU 34 octets: 41cc05cdab06050400004b120003020100004b12007733caf312daa67466313038b4
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '05', note: 'sequence number 5 (0x05)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '77 33', note: 'LOWPAN_IPHC 0x7733: dispatch 011, TF=10 (ECN+DSCP inline, 1 octet; flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=11 (hop limit 255), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'ca', note: 'TF=10 inline: ECN=11 (first 2 bits), DSCP=001010=10 (AF11); traffic class = 10<<2 | 3 = 0x2b; flow label elided (0)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'da a6', note: 'UDP checksum 0xdaa6 inline' },
        { hex: '74 66 31 30', note: 'UDP payload (4 octets) "tf10"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: '38 b4', note: 'FCS 0xb438 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 255, trafficClass: 0x2b, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xdaa6 },
      packetHex:
        '62b00000000c11fffe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000cdaa674663130',
    },
  },
  // 6. iphc-sam00-dam00-udp-p00
  {
    name: 'iphc-sam00-dam00-udp-p00',
    ref: 'RFC 6282 §3.1.1 (SAM=00, DAM=00), §4.3.1, §4.3.3 (P=00)',
    frames: [
      // PSDU 68 octets: 41cc06cdab06050400004b120003020100004b12007e0020010db800000000000000000000000120010db8000000000000000000000002f0c00116338e2a40010001b37b
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '06', note: 'sequence number 6 (0x06)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 00', note: 'LOWPAN_IPHC 0x7e00: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=00 (128 bits inline), M=0 DAC=0 DAM=00 (128 bits inline)' },
        { hex: '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01', note: 'source address 2001:db8::1, 128 bits inline' },
        { hex: '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02', note: 'destination address 2001:db8::2, 128 bits inline' },
        { hex: 'f0', note: 'LOWPAN_NHC UDP 0xf0: 11110, C=0 (checksum inline), P=00 (both ports inline, 16 bits each); UDP length always elided' },
        { hex: 'c0 01', note: 'source port 49153 (0xc001) inline' },
        { hex: '16 33', note: 'destination port 5683 (0x1633) inline' },
        { hex: '8e 2a', note: 'UDP checksum 0x8e2a inline' },
        { hex: '40 01 00 01', note: 'UDP payload: CoAP CON GET, MID 1, no options (4 octets); UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: 'b3 7b', note: 'FCS 0x7bb3 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8::1', dst: '2001:db8::2', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 49153, dstPort: 5683, checksum: 0x8e2a },
      packetHex:
        '60000000000c114020010db800000000000000000000000120010db8000000000000000000000002' +
        'c0011633000c8e2a40010001',
    },
  },
  // 7. iphc-sam01-dam01-short
  {
    name: 'iphc-sam01-dam01-short',
    ref: 'RFC 6282 §3.1.1 (SAM=01, DAM=01)',
    frames: [
      // PSDU 38 octets: 418808cdab4d3c2b1a7e11112233445566778899aabbccddeeff01f334cc1a73616d30318f4e
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '08', note: 'sequence number 8 (0x08)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e 11', note: 'LOWPAN_IPHC 0x7e11: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=01 (64 bits inline: fe80::/64 + inline IID), M=0 DAC=0 DAM=01 (64 bits inline: fe80::/64 + inline IID)' },
        { hex: '11 22 33 44 55 66 77 88', note: 'source IID 1122:3344:5566:7788 inline -> fe80::1122:3344:5566:7788' },
        { hex: '99 aa bb cc dd ee ff 01', note: 'destination IID 99aa:bbcc:ddee:ff01 inline -> fe80::99aa:bbcc:ddee:ff01' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '34', note: 'ports: source nibble 3 -> 0xf0b3 = 61619, destination nibble 4 -> 0xf0b4 = 61620' },
        { hex: 'cc 1a', note: 'UDP checksum 0xcc1a inline' },
        { hex: '73 61 6d 30 31', note: 'UDP payload (5 octets) "sam01"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '8f 4e', note: 'FCS 0x4e8f (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::1122:3344:5566:7788', dst: 'fe80::99aa:bbcc:ddee:ff01', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61619, dstPort: 61620, checksum: 0xcc1a },
      packetHex:
        '60000000000d1140fe800000000000001122334455667788fe8000000000000099aabbccddeeff01' +
        'f0b3f0b4000dcc1a73616d3031',
    },
  },
  // 8. iphc-sam10-dam10-ext
  {
    name: 'iphc-sam10-dam10-ext',
    ref: 'RFC 6282 §3.1.1 (SAM=10, DAM=10)',
    frames: [
      // PSDU 38 octets: 41cc09cdab06050400004b120003020100004b12007e22beefcafef33488e873616d3130a1d9
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '09', note: 'sequence number 9 (0x09)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 22', note: 'LOWPAN_IPHC 0x7e22: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=10 (16 bits inline: fe80::ff:fe00:XXXX), M=0 DAC=0 DAM=10 (16 bits inline: fe80::ff:fe00:XXXX)' },
        { hex: 'be ef', note: 'source 16 bits 0xbeef -> fe80::ff:fe00:beef (not derived from the extended MAC address)' },
        { hex: 'ca fe', note: 'destination 16 bits 0xcafe -> fe80::ff:fe00:cafe' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '34', note: 'ports: source nibble 3 -> 0xf0b3 = 61619, destination nibble 4 -> 0xf0b4 = 61620' },
        { hex: '88 e8', note: 'UDP checksum 0x88e8 inline' },
        { hex: '73 61 6d 31 30', note: 'UDP payload (5 octets) "sam10"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: 'a1 d9', note: 'FCS 0xd9a1 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:beef', dst: 'fe80::ff:fe00:cafe', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61619, dstPort: 61620, checksum: 0x88e8 },
      packetHex:
        '60000000000d1140fe80000000000000000000fffe00beeffe80000000000000000000fffe00cafe' +
        'f0b3f0b4000d88e873616d3130',
    },
  },
  // 9. iphc-sam11-dam11-short
  {
    name: 'iphc-sam11-dam11-short',
    ref: 'RFC 6282 §3.1.1 (SAM=11, DAM=11), §3.2.2 (IID 0000:00ff:fe00:XXXX from short address)',
    frames: [
      // PSDU 22 octets: 41880acdab4d3c2b1a7e33f334761673686f72744466
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '0a', note: 'sequence number 10 (0x0a)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination); source fe80::ff:fe00:1a2b from short 0x1a2b, destination fe80::ff:fe00:3c4d from short 0x3c4d' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '34', note: 'ports: source nibble 3 -> 0xf0b3 = 61619, destination nibble 4 -> 0xf0b4 = 61620' },
        { hex: '76 16', note: 'UDP checksum 0x7616 inline' },
        { hex: '73 68 6f 72 74', note: 'UDP payload (5 octets) "short"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '44 66', note: 'FCS 0x6644 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'fe80::ff:fe00:3c4d', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61619, dstPort: 61620, checksum: 0x7616 },
      packetHex:
        '60000000000d1140fe80000000000000000000fffe001a2bfe80000000000000000000fffe003c4d' +
        'f0b3f0b4000d761673686f7274',
    },
  },
  // 10. iphc-sam11-dam11-ext-ul-bit
  {
    name: 'iphc-sam11-dam11-ext-ul-bit',
    ref: 'RFC 6282 §3.2.2; RFC 4291 Appendix A (invert the U/L bit, 0x02 of the first octet)',
    frames: [
      // PSDU 32 octets: 41cc0bcdab020000000000000001000000000000027e33f3343e3b752f6c07cc
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '0b', note: 'sequence number 11 (0x0b)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '02 00 00 00 00 00 00 00', note: 'destination extended address 00:00:00:00:00:00:00:02 (little-endian)' },
        { hex: '01 00 00 00 00 00 00 02', note: 'source extended address 02:00:00:00:00:00:00:01 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination); source IID 0000:0000:0000:0001 from 02:00:00:00:00:00:00:01 (U/L bit 1 -> 0): fe80::1; destination IID 0200:0000:0000:0002 from 00:00:00:00:00:00:00:02 (U/L bit 0 -> 1): fe80::200:0:0:2' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '34', note: 'ports: source nibble 3 -> 0xf0b3 = 61619, destination nibble 4 -> 0xf0b4 = 61620' },
        { hex: '3e 3b', note: 'UDP checksum 0x3e3b inline' },
        { hex: '75 2f 6c', note: 'UDP payload (3 octets) "u/l"; UDP length 11 (8 + payload) is inferred from the frame length' },
        { hex: '07 cc', note: 'FCS 0xcc07 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::1', dst: 'fe80::200:0:0:2', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 11 },
      udp: { srcPort: 61619, dstPort: 61620, checksum: 0x3e3b },
      packetHex:
        '60000000000b1140fe800000000000000000000000000001fe800000000000000200000000000002' +
        'f0b3f0b4000b3e3b752f6c',
    },
  },
  // 11. iphc-ctx0-sam11-dam11-ext
  {
    name: 'iphc-ctx0-sam11-dam11-ext',
    ref: 'RFC 6282 §3.1.1 (SAC=1 SAM=11, DAC=1 DAM=11), §3.1.2 (context 0 by default)',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }],
    frames: [
      // PSDU 33 octets: 41cc0ccdab06050400004b120003020100004b12007e77f3124628637478307441
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '0c', note: 'sequence number 12 (0x0c)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 77', note: 'LOWPAN_IPHC 0x7e77: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=1 SAM=11 (elided: context prefix + IID from link-layer source), M=0 DAC=1 DAM=11 (elided: context prefix + IID from link-layer destination); prefix 2001:db8::/64 from context 0, IIDs from the extended MAC addresses' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '46 28', note: 'UDP checksum 0x4628 inline' },
        { hex: '63 74 78 30', note: 'UDP payload (4 octets) "ctx0"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: '74 41', note: 'FCS 0x4174 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8::212:4b00:1:203', dst: '2001:db8::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x4628 },
      packetHex:
        '60000000000c114020010db80000000002124b000001020320010db80000000002124b0000040506' +
        'f0b1f0b2000c462863747830',
    },
  },
  // 12. iphc-ctx0-sam01-dam10-short
  {
    name: 'iphc-ctx0-sam01-dam10-short',
    ref: 'RFC 6282 §3.1.1 (SAC=1 SAM=01, DAC=1 DAM=10)',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }],
    frames: [
      // PSDU 32 octets: 41880dcdab4d3c2b1a7e5600000000000000011234f312742363747830621d14
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '0d', note: 'sequence number 13 (0x0d)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e 56', note: 'LOWPAN_IPHC 0x7e56: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=1 SAM=01 (64 bits inline: context prefix + inline IID), M=0 DAC=1 DAM=10 (16 bits inline: context prefix + 0000:00ff:fe00:XXXX)' },
        { hex: '00 00 00 00 00 00 00 01', note: 'source IID 0000:0000:0000:0001 inline, prefix 2001:db8::/64 from context 0 -> 2001:db8::1' },
        { hex: '12 34', note: 'destination 16 bits 0x1234 -> context 0 prefix + 0000:00ff:fe00:1234 = 2001:db8::ff:fe00:1234 (not the MAC address 0x3c4d)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '74 23', note: 'UDP checksum 0x7423 inline' },
        { hex: '63 74 78 30 62', note: 'UDP payload (5 octets) "ctx0b"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '1d 14', note: 'FCS 0x141d (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8::1', dst: '2001:db8::ff:fe00:1234', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x7423 },
      packetHex:
        '60000000000d114020010db800000000000000000000000120010db800000000000000fffe001234' +
        'f0b1f0b2000d74236374783062',
    },
  },
  // 13. iphc-cid-ctx1-sam10-dam01
  {
    name: 'iphc-cid-ctx1-sam10-dam01',
    ref: 'RFC 6282 §3.1.1 (CID=1), §3.1.2 (context identifier extension)',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }, { id: 1, prefix: '2001:db8:1::/64' }],
    frames: [
      // PSDU 44 octets: 41cc0ecdab06050400004b120003020100004b12007ee51156781111222233334444f312e73463747831aa7a
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '0e', note: 'sequence number 14 (0x0e)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e e5', note: 'LOWPAN_IPHC 0x7ee5: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=1 (context identifier extension follows), SAC=1 SAM=10 (16 bits inline: context prefix + 0000:00ff:fe00:XXXX), M=0 DAC=1 DAM=01 (64 bits inline: context prefix + inline IID)' },
        { hex: '11', note: 'context identifier extension 0x11: SCI=1 (high nibble), DCI=1 (low nibble) -> both use 2001:db8:1::/64' },
        { hex: '56 78', note: 'source 16 bits 0x5678 -> 2001:db8:1::ff:fe00:5678' },
        { hex: '11 11 22 22 33 33 44 44', note: 'destination IID 1111:2222:3333:4444 inline -> 2001:db8:1:0:1111:2222:3333:4444' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'e7 34', note: 'UDP checksum 0xe734 inline' },
        { hex: '63 74 78 31', note: 'UDP payload (4 octets) "ctx1"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: 'aa 7a', note: 'FCS 0x7aaa (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8:1::ff:fe00:5678', dst: '2001:db8:1:0:1111:2222:3333:4444', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xe734 },
      packetHex:
        '60000000000c114020010db800010000000000fffe00567820010db8000100001111222233334444' +
        'f0b1f0b2000ce73463747831',
    },
  },
  // 14. iphc-cid-sci1-dci0-sam11-dam11-short
  {
    name: 'iphc-cid-sci1-dci0-sam11-dam11-short',
    ref: 'RFC 6282 §3.1.2 (SCI is the high nibble, DCI the low nibble), §3.2.2',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }, { id: 1, prefix: '2001:db8:1::/64' }],
    frames: [
      // PSDU 22 octets: 41880fcdab4d3c2b1a7ef710f31291f173636931509b
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '0f', note: 'sequence number 15 (0x0f)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e f7', note: 'LOWPAN_IPHC 0x7ef7: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=1 (context identifier extension follows), SAC=1 SAM=11 (elided: context prefix + IID from link-layer source), M=0 DAC=1 DAM=11 (elided: context prefix + IID from link-layer destination)' },
        { hex: '10', note: 'context identifier extension 0x10: SCI=1 (2001:db8:1::/64), DCI=0 (2001:db8::/64); IIDs from short MAC addresses 0x1a2b / 0x3c4d' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '91 f1', note: 'UDP checksum 0x91f1 inline' },
        { hex: '73 63 69 31', note: 'UDP payload (4 octets) "sci1"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: '50 9b', note: 'FCS 0x9b50 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '2001:db8:1::ff:fe00:1a2b', dst: '2001:db8::ff:fe00:3c4d', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x91f1 },
      packetHex:
        '60000000000c114020010db800010000000000fffe001a2b20010db800000000000000fffe003c4d' +
        'f0b1f0b2000c91f173636931',
    },
  },
  // 15. iphc-unspecified-src-m-dam10
  {
    name: 'iphc-unspecified-src-m-dam10',
    ref: 'RFC 6282 §3.1.1 (SAC=1 SAM=00 is ::; M=1 DAC=0 DAM=10), §3.2.3',
    frames: [
      // PSDU 34 octets: 41c810cdabffff03020100004b12007d4a02010002f002220223c72301123456a029
      [
        { hex: '41 c8', note: 'FCF 0xc841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '10', note: 'sequence number 16 (0x10)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7d 4a', note: 'LOWPAN_IPHC 0x7d4a: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=01 (hop limit 1), CID=0 (context 0 if stateful), SAC=1 SAM=00 (unspecified address ::), M=1 DAC=0 DAM=10 (multicast, 32 bits inline: ffXX::00XX:XXXX); no context is used for the unspecified address' },
        { hex: '02 01 00 02', note: 'destination 32 bits: 02 (flags/scope) + 01 00 02 -> ff02::1:2 (All_DHCP_Relay_Agents_and_Servers)' },
        { hex: 'f0', note: 'LOWPAN_NHC UDP 0xf0: 11110, C=0 (checksum inline), P=00 (both ports inline, 16 bits each); UDP length always elided' },
        { hex: '02 22', note: 'source port 546 (0x0222) inline' },
        { hex: '02 23', note: 'destination port 547 (0x0223) inline' },
        { hex: 'c7 23', note: 'UDP checksum 0xc723 inline' },
        { hex: '01 12 34 56', note: 'UDP payload (4 octets); UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: 'a0 29', note: 'FCS 0x29a0 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: '::', dst: 'ff02::1:2', nextHeader: 17, hopLimit: 1, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 546, dstPort: 547, checksum: 0xc723 },
      packetHex:
        '60000000000c110100000000000000000000000000000000ff020000000000000000000000010002' +
        '02220223000cc72301123456',
    },
  },
  // 16. iphc-m-dam00-128-udp-p10
  {
    name: 'iphc-m-dam00-128-udp-p10',
    ref: 'RFC 6282 §3.1.1 (M=1 DAC=0 DAM=00), §3.2.3, §4.3.3 (P=10)',
    frames: [
      // PSDU 62 octets: 41c811cdabffff03020100004b12007e38ff0e0000000000010002000300040005f2341633d17450010002bb2e77656c6c2d6b6e6f776e04636f72654500
      [
        { hex: '41 c8', note: 'FCF 0xc841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '11', note: 'sequence number 17 (0x11)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 38', note: 'LOWPAN_IPHC 0x7e38: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=0 DAM=00 (multicast, 128 bits inline)' },
        { hex: 'ff 0e 00 00 00 00 00 01 00 02 00 03 00 04 00 05', note: 'destination ff0e::1:2:3:4:5, 128 bits inline' },
        { hex: 'f2', note: 'LOWPAN_NHC UDP 0xf2: 11110, C=0 (checksum inline), P=10 (source 0xf0XX, 8 bits inline; destination port inline 16 bits); UDP length always elided' },
        { hex: '34', note: 'source port low 8 bits 0x34 -> 0xf000 + 0x34 = 61492' },
        { hex: '16 33', note: 'destination port 5683 (0x1633) inline' },
        { hex: 'd1 74', note: 'UDP checksum 0xd174 inline' },
        { hex: '50 01 00 02 bb 2e 77 65 6c 6c 2d 6b 6e 6f 77 6e', note: 'UDP payload: CoAP NON GET /.well-known/core (50 01 00 02; bb: Uri-Path 11 octets; 04: Uri-Path 4 octets) octets 0..15; UDP length 29 (8 + payload) is inferred from the frame length' },
        { hex: '04 63 6f 72 65', note: 'UDP payload: CoAP NON GET /.well-known/core (50 01 00 02; bb: Uri-Path 11 octets; 04: Uri-Path 4 octets) octets 16..20' },
        { hex: '45 00', note: 'FCS 0x0045 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'ff0e::1:2:3:4:5', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 29 },
      udp: { srcPort: 61492, dstPort: 5683, checksum: 0xd174 },
      packetHex:
        '60000000001d1140fe8000000000000002124b0000010203ff0e0000000000010002000300040005' +
        'f0341633001dd17450010002bb2e77656c6c2d6b6e6f776e04636f7265',
    },
  },
  // 17. iphc-m-dam01-48-udp-p01
  {
    name: 'iphc-m-dam01-48-udp-p01',
    ref: 'RFC 6282 §3.1.1 (M=1 DAC=0 DAM=01), §3.2.3, §4.3.3 (P=01)',
    frames: [
      // PSDU 29 octets: 418812cdabffff2b1a7e39050233445566f116331209eb50450002f4fe
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '12', note: 'sequence number 18 (0x12)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e 39', note: 'LOWPAN_IPHC 0x7e39: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=0 DAM=01 (multicast, 48 bits inline: ffXX::00XX:XXXX:XXXX)' },
        { hex: '05 02 33 44 55 66', note: 'destination 48 bits: 05 (flags/scope) + 02 33 44 55 66 (last 5 octets) -> ff05::2:3344:5566' },
        { hex: 'f1', note: 'LOWPAN_NHC UDP 0xf1: 11110, C=0 (checksum inline), P=01 (source port inline 16 bits; destination 0xf0XX, 8 bits inline); UDP length always elided' },
        { hex: '16 33', note: 'source port 5683 (0x1633) inline' },
        { hex: '12', note: 'destination port low 8 bits 0x12 -> 0xf000 + 0x12 = 61458' },
        { hex: '09 eb', note: 'UDP checksum 0x09eb inline' },
        { hex: '50 45 00 02', note: 'UDP payload: CoAP NON 2.05 Content, MID 2 (4 octets); UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: 'f4 fe', note: 'FCS 0xfef4 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'ff05::2:3344:5566', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 5683, dstPort: 61458, checksum: 0x09eb },
      packetHex:
        '60000000000c1140fe80000000000000000000fffe001a2bff050000000000000000000233445566' +
        '1633f012000c09eb50450002',
    },
  },
  // 18. mac-short-bcast-m-dam11-8
  {
    name: 'mac-short-bcast-m-dam11-8',
    ref: 'IEEE 802.15.4 broadcast short address 0xffff; RFC 6282 §3.1.1 (M=1 DAC=0 DAM=11), §3.2.3',
    frames: [
      // PSDU 23 octets: 418813cdabffff2b1a7f3b1af315cfcc626361737486c5
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '13', note: 'sequence number 19 (0x13)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7f 3b', note: 'LOWPAN_IPHC 0x7f3b: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=11 (hop limit 255), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=0 DAM=11 (multicast, 8 bits inline: ff02::00XX)' },
        { hex: '1a', note: 'destination 8 bits 0x1a -> ff02::1a (all-RPL-nodes)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '15', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 5 -> 0xf0b5 = 61621' },
        { hex: 'cf cc', note: 'UDP checksum 0xcfcc inline' },
        { hex: '62 63 61 73 74', note: 'UDP payload (5 octets) "bcast"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '86 c5', note: 'FCS 0xc586 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'ff02::1a', nextHeader: 17, hopLimit: 255, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61621, checksum: 0xcfcc },
      packetHex:
        '60000000000d11fffe80000000000000000000fffe001a2bff02000000000000000000000000001a' +
        'f0b1f0b5000dcfcc6263617374',
    },
  },
  // 19. iphc-m-dac1-dam00-prefix
  {
    name: 'iphc-m-dac1-dam00-prefix',
    ref: 'RFC 6282 §3.1.1 (M=1 DAC=1 DAM=00), §3.2.4; RFC 3306 unicast-prefix-based multicast',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }],
    frames: [
      // PSDU 34 octets: 41c814cdabffff03020100004b12007e3c3e0012345678f316f24d6d2d637478b8b7
      [
        { hex: '41 c8', note: 'FCF 0xc841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '14', note: 'sequence number 20 (0x14)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 3c', note: 'LOWPAN_IPHC 0x7e3c: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=1 DAM=00 (multicast, 48 bits inline: ffXX:XXLL:PPPP:PPPP:PPPP:PPPP:XXXX:XXXX, prefix from context (RFC 3306))' },
        { hex: '3e 00', note: 'destination octets 1-2 inline: 3e (flags/scope), 00 (reserved/RIID); octet 3 (plen 0x40) and octets 4-11 (prefix 2001:db8::) from context 0' },
        { hex: '12 34 56 78', note: 'group ID 0x12345678 (octets 12-15) -> ff3e:40:2001:db8::1234:5678' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '16', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 6 -> 0xf0b6 = 61622' },
        { hex: 'f2 4d', note: 'UDP checksum 0xf24d inline' },
        { hex: '6d 2d 63 74 78', note: 'UDP payload (5 octets) "m-ctx"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: 'b8 b7', note: 'FCS 0xb7b8 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'ff3e:40:2001:db8::1234:5678', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61622, checksum: 0xf24d },
      packetHex:
        '60000000000d1140fe8000000000000002124b0000010203ff3e004020010db80000000012345678' +
        'f0b1f0b6000df24d6d2d637478',
    },
  },
  // 20. nhc-udp-checksum-elided
  // checksum 0x4516 is the value a decompressor must recompute (tshark shows 0xffff in udp.checksum and 0x4516 in udp.checksum_calculated)
  // tshark 4.0.17 DISAGREES with RFC 6282 §4.3.2: its decompressed UDP header carries 0xffff and it flags "Bad checksum [should be 0x4516]"; udp.checksum_calculated = 0x4516, which is the value a decompressor MUST restore (used in expect and packetHex).
  {
    name: 'nhc-udp-checksum-elided',
    ref: 'RFC 6282 §4.3.2 (C=1: the decompressor computes the checksum), §4.3.3',
    frames: [
      // PSDU 38 octets: 41cc15cdab06050400004b120003020100004b12007e33f7126e6f20636865636b73756d210f
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '15', note: 'sequence number 21 (0x15)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f7', note: 'LOWPAN_NHC UDP 0xf7: 11110, C=1 (checksum elided), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '6e 6f 20 63 68 65 63 6b 73 75 6d', note: 'UDP payload (11 octets) "no checksum"; UDP length 19 (8 + payload) is inferred from the frame length' },
        { hex: '21 0f', note: 'FCS 0x0f21 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 19 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x4516 },
      packetHex:
        '6000000000131140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2001345166e6f20636865636b73756d',
    },
  },
  // 21. nhc-ext-hbh-rpl-option
  // uncompressed hop-by-hop header: 11 00 63 04 00 1e 01 00 (next header 17, Hdr Ext Len 0 = 8 octets, no padding needed)
  {
    name: 'nhc-ext-hbh-rpl-option',
    ref: 'RFC 6282 §4.2 (EID=0, Length in octets); RFC 8200 §4.3; RFC 6553 (RPL option)',
    frames: [
      // PSDU 40 octets: 41cc16cdab06050400004b120003020100004b12007e33e1066304001e0100f312afdc6862687811
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '16', note: 'sequence number 22 (0x16)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'e1', note: 'LOWPAN_NHC extension header 0xe1: 1110, EID=0 (hop-by-hop options), NH=1 (next header compressed with LOWPAN_NHC)' },
        { hex: '06', note: 'Length 6: octets of header data after this octet (RFC 6282 counts octets, not 8-octet units)' },
        { hex: '63 04 00 1e 01 00', note: 'option: type 0x63 (RPL), opt data len 4, flags 0x00, RPLInstanceID 0x1e, SenderRank 0x0100' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'af dc', note: 'UDP checksum 0xafdc inline' },
        { hex: '68 62 68', note: 'UDP payload (3 octets) "hbh"; UDP length 11 (8 + payload) is inferred from the frame length' },
        { hex: '78 11', note: 'FCS 0x1178 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 0, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 19 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xafdc },
      packetHex:
        '6000000000130040fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '11006304001e0100f0b1f0b2000bafdc686268',
    },
  },
  // 22. nhc-ext-dest-nh-inline-udp
  // uncompressed destination options header: 11 00 1e 04 de ad be ef
  {
    name: 'nhc-ext-dest-nh-inline-udp',
    ref: 'RFC 6282 §4.2 (EID=3, NH=0: next header inline, following header not compressed); RFC 8200 §4.6',
    frames: [
      // PSDU 46 octets: 41cc17cdab06050400004b120003020100004b12007e33e611061e04deadbeeff0b1f0b2000ca86364657374ebcc
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '17', note: 'sequence number 23 (0x17)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'e6', note: 'LOWPAN_NHC extension header 0xe6: 1110, EID=3 (destination options), NH=0 (next header inline)' },
        { hex: '11', note: 'next header 17 (UDP) inline, so the UDP header follows uncompressed' },
        { hex: '06', note: 'Length 6 octets' },
        { hex: '1e 04 de ad be ef', note: 'option: type 0x1e (RFC 3692-style experiment, skip if unknown), opt data len 4, data de ad be ef' },
        { hex: 'f0 b1', note: 'UDP source port 61617' },
        { hex: 'f0 b2', note: 'UDP destination port 61618' },
        { hex: '00 0c', note: 'UDP length 12' },
        { hex: 'a8 63', note: 'UDP checksum 0xa863' },
        { hex: '64 65 73 74', note: 'UDP payload (4 octets) "dest"' },
        { hex: 'eb cc', note: 'FCS 0xcceb (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 60, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 20 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xa863 },
      packetHex:
        '6000000000143c40fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '11001e04deadbeeff0b1f0b2000ca86364657374',
    },
  },
  // 23. nhc-ext-routing-rpl-srh
  // uncompressed routing header: 11 01 03 00 88 00 00 00 02 12 4b 00 00 07 08 09 (16 octets)
  {
    name: 'nhc-ext-routing-rpl-srh',
    ref: 'RFC 6282 §4.2 (EID=1); RFC 8200 §4.4; RFC 6554 (RPL source routing header, type 3)',
    frames: [
      // PSDU 48 octets: 41cc18cdab06050400004b120003020100004b12007e33e30e03008800000002124b0000070809f312a4cc737268186b
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '18', note: 'sequence number 24 (0x18)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'e3', note: 'LOWPAN_NHC extension header 0xe3: 1110, EID=1 (routing), NH=1 (next header compressed with LOWPAN_NHC)' },
        { hex: '0e', note: 'Length 14 octets (uncompressed Hdr Ext Len = (2+14)/8 - 1 = 1)' },
        { hex: '03 00', note: 'routing type 3 (RPL SRH), segments left 0 (the IPv6 destination is the final destination)' },
        { hex: '88 00 00 00', note: 'CmprI=8, CmprE=8, Pad=0, reserved' },
        { hex: '02 12 4b 00 00 07 08 09', note: 'address[1]: last 8 octets 0212:4b00:0007:0809 (first 8 elided, CmprE=8)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'a4 cc', note: 'UDP checksum 0xa4cc inline' },
        { hex: '73 72 68', note: 'UDP payload (3 octets) "srh"; UDP length 11 (8 + payload) is inferred from the frame length' },
        { hex: '18 6b', note: 'FCS 0x6b18 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 43, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 27 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xa4cc },
      packetHex:
        '60000000001b2b40fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '110103008800000002124b0000070809f0b1f0b2000ba4cc737268',
    },
  },
  // 24. nhc-ext-fragment
  // uncompressed fragment header: 11 00 00 80 12 34 56 78; the IPv6 packet is itself a non-first IPv6 fragment, so no UDP header is present
  {
    name: 'nhc-ext-fragment',
    ref: 'RFC 6282 §4.2 (EID=2, NH=0); RFC 8200 §4.5 (fragment header has no length field)',
    frames: [
      // PSDU 50 octets: 41cc19cdab06050400004b120003020100004b12007e33e41100008012345678667261676d656e74207061796c6f61649d85
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '19', note: 'sequence number 25 (0x19)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'e4', note: 'LOWPAN_NHC extension header 0xe4: 1110, EID=2 (fragment), NH=0 (next header inline); no Length octet: the fragment header has no length field' },
        { hex: '11', note: 'next header 17 (UDP) inline' },
        { hex: '00', note: 'reserved' },
        { hex: '00 80', note: 'fragment offset 16 (x8 = 128 octets), res 00, M=0 (last fragment)' },
        { hex: '12 34 56 78', note: 'identification 0x12345678' },
        { hex: '66 72 61 67 6d 65 6e 74 20 70 61 79 6c 6f 61 64', note: 'fragment data (continuation of an IPv6-level fragmented UDP datagram) (16 octets) "fragment payload"' },
        { hex: '9d 85', note: 'FCS 0x859d (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 44, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 24 },
      packetHex:
        '6000000000182c40fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '1100008012345678667261676d656e74207061796c6f6164',
    },
  },
  // 25. nhc-ext-ipv6-in-ipv6
  // expect.ipv6 describes the OUTER header; the inner header is 2001:db8::1 -> 2001:db8::2, next header 17, hop limit 63; expect.udp is the inner UDP header
  {
    name: 'nhc-ext-ipv6-in-ipv6',
    ref: 'RFC 6282 §4.2 (EID=7: the following header is LOWPAN_IPHC)',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }],
    frames: [
      // PSDU 55 octets: 41cc1acdab06050400004b120003020100004b12007e33ee7c553f00000000000000010000000000000002f3127aa874756e6e656cd3ab
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '1a', note: 'sequence number 26 (0x1a)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination); outer header fe80::212:4b00:1:203 -> fe80::212:4b00:4:506' },
        { hex: 'ee', note: 'LOWPAN_NHC extension header 0xee: 1110, EID=7 (IPv6 header), NH=0 (unused for EID 7, must be 0)' },
        { hex: '7c 55', note: 'LOWPAN_IPHC 0x7c55: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=00 (hop limit inline), CID=0 (context 0 if stateful), SAC=1 SAM=01 (64 bits inline: context prefix + inline IID), M=0 DAC=1 DAM=01 (64 bits inline: context prefix + inline IID); inner header, context 0' },
        { hex: '3f', note: 'inner hop limit 63 inline' },
        { hex: '00 00 00 00 00 00 00 01', note: 'inner source IID inline -> 2001:db8::1' },
        { hex: '00 00 00 00 00 00 00 02', note: 'inner destination IID inline -> 2001:db8::2' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '7a a8', note: 'UDP checksum 0x7aa8 inline' },
        { hex: '74 75 6e 6e 65 6c', note: 'UDP payload (6 octets) "tunnel"; UDP length 14 (8 + payload) is inferred from the frame length' },
        { hex: 'd3 ab', note: 'FCS 0xabd3 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 41, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 54 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x7aa8 },
      packetHex:
        '6000000000362940fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '60000000000e113f20010db800000000000000000000000120010db800000000' +
        '0000000000000002f0b1f0b2000e7aa874756e6e656c',
    },
  },
  // 26. nhc-ext-hbh-padn-elided
  // packetHex pads the hop-by-hop header with PadN (01 00), the RFC 8200 §4.2 choice for 2 octets: 11 00 05 02 00 00 01 00
  // tshark 4.0.17 restores the same PadN (01 00) bytes.
  {
    name: 'nhc-ext-hbh-padn-elided',
    ref: 'RFC 6282 §4.2 (trailing Pad1/PadN may be elided; the decompressor pads to a multiple of 8); RFC 8200 §4.2',
    frames: [
      // PSDU 38 octets: 41cc1bcdab06050400004b120003020100004b12007e33e10405020000f312abdd706164bec4
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '1b', note: 'sequence number 27 (0x1b)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'e1', note: 'LOWPAN_NHC extension header 0xe1: 1110, EID=0 (hop-by-hop options), NH=1 (next header compressed with LOWPAN_NHC)' },
        { hex: '04', note: 'Length 4 octets (2 + 4 = 6: the trailing 2-octet padding was elided)' },
        { hex: '05 02 00 00', note: 'option: type 0x05 (router alert), opt data len 2, value 0' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'ab dd', note: 'UDP checksum 0xabdd inline' },
        { hex: '70 61 64', note: 'UDP payload (3 octets) "pad"; UDP length 11 (8 + payload) is inferred from the frame length' },
        { hex: 'be c4', note: 'FCS 0xc4be (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 0, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 19 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xabdd },
      packetHex:
        '6000000000130040fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        '1100050200000100f0b1f0b2000babdd706164',
    },
  },
  // 27. iphc-nh-inline-icmpv6-echo
  {
    name: 'iphc-nh-inline-icmpv6-echo',
    ref: 'RFC 6282 §3.1.1 (NH=0); RFC 4443 §4.1',
    frames: [
      // PSDU 26 octets: 41881ccdab4d3c2b1a7a333a80003d391234000170696e67ffca
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '1c', note: 'sequence number 28 (0x1c)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7a 33', note: 'LOWPAN_IPHC 0x7a33: dispatch 011, TF=11 (traffic class and flow label elided), NH=0 (next header inline), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: '3a', note: 'next header 58 (ICMPv6) inline' },
        { hex: '80 00', note: 'ICMPv6 type 128 (echo request), code 0' },
        { hex: '3d 39', note: 'ICMPv6 checksum 0x3d39' },
        { hex: '12 34', note: 'identifier 0x1234' },
        { hex: '00 01', note: 'sequence number 1' },
        { hex: '70 69 6e 67', note: 'echo data (4 octets) "ping"' },
        { hex: 'ff ca', note: 'FCS 0xcaff (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'fe80::ff:fe00:3c4d', nextHeader: 58, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      packetHex:
        '60000000000c3a40fe80000000000000000000fffe001a2bfe80000000000000000000fffe003c4d' +
        '80003d391234000170696e67',
    },
  },
  // 28. mac-2006-ext-ackreq
  {
    name: 'mac-2006-ext-ackreq',
    ref: 'IEEE 802.15.4-2006 §7.2.1 (frame version 01, acknowledgment request)',
    frames: [
      // PSDU 34 octets: 61dc1dcdab06050400004b120003020100004b12007e33f312a3d87632303036660d
      [
        { hex: '61 dc', note: 'FCF 0xdc61 (little-endian on air): data frame, no security, ack request, PAN ID compression, dst addr mode ext (11), frame version 2006 (01), src addr mode ext (11)' },
        { hex: '1d', note: 'sequence number 29 (0x1d)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'a3 d8', note: 'UDP checksum 0xa3d8 inline' },
        { hex: '76 32 30 30 36', note: 'UDP payload (5 octets) "v2006"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '66 0d', note: 'FCS 0x0d66 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xa3d8 },
      packetHex:
        '60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000da3d87632303036',
    },
  },
  // 29. mac-2015-ext-pancomp-no-pan
  {
    name: 'mac-2015-ext-pancomp-no-pan',
    ref: 'IEEE 802.15.4-2015 §7.2.1, Table 7-2 (frame version 10, ext/ext, PAN ID compression 1: no PAN ID field at all)',
    frames: [
      // PSDU 32 octets: 41ec1e06050400004b120003020100004b12007e33f312a4d7763230313528ff
      [
        { hex: '41 ec', note: 'FCF 0xec41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2015 (10), src addr mode ext (11), sequence number not suppressed, no IEs; Table 7-2 row: both PAN IDs absent' },
        { hex: '1e', note: 'sequence number 30 (0x1e)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'a4 d7', note: 'UDP checksum 0xa4d7 inline' },
        { hex: '76 32 30 31 35', note: 'UDP payload (5 octets) "v2015"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '28 ff', note: 'FCS 0xff28 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 13 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xa4d7 },
      packetHex:
        '60000000000d1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000da4d77632303135',
    },
  },
  // 30. mac-2015-ext-nopancomp-dst-pan
  {
    name: 'mac-2015-ext-nopancomp-dst-pan',
    ref: 'IEEE 802.15.4-2015 §7.2.1, Table 7-2 (frame version 10, ext/ext, PAN ID compression 0: destination PAN ID only)',
    frames: [
      // PSDU 35 octets: 01ec1fcdab06050400004b120003020100004b12007e33f312a47376323031356237bc
      [
        { hex: '01 ec', note: 'FCF 0xec01 (little-endian on air): data frame, no security, no ack request, no PAN ID compression, dst addr mode ext (11), frame version 2015 (10), src addr mode ext (11), sequence number not suppressed, no IEs; Table 7-2 row: destination PAN ID present, source PAN ID absent' },
        { hex: '1f', note: 'sequence number 31 (0x1f)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'a4 73', note: 'UDP checksum 0xa473 inline' },
        { hex: '76 32 30 31 35 62', note: 'UDP payload (6 octets) "v2015b"; UDP length 14 (8 + payload) is inferred from the frame length' },
        { hex: '37 bc', note: 'FCS 0xbc37 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 14 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xa473 },
      packetHex:
        '60000000000e1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000ea473763230313562',
    },
  },
  // 31. lowpan-bc0-m-dam11
  {
    name: 'lowpan-bc0-m-dam11',
    ref: 'RFC 4944 §5.1 (LOWPAN_BC0), §11.1',
    frames: [
      // PSDU 23 octets: 418820cdabffff2b1a50177e3b01f312756062633059c6
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '20', note: 'sequence number 32 (0x20)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: 'ff ff', note: 'destination short address 0xffff (broadcast) (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '50', note: 'dispatch 0x50 (01 010000): LOWPAN_BC0 broadcast header' },
        { hex: '17', note: 'broadcast sequence number 0x17' },
        { hex: '7e 3b', note: 'LOWPAN_IPHC 0x7e3b: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=0 DAM=11 (multicast, 8 bits inline: ff02::00XX)' },
        { hex: '01', note: 'destination 8 bits 0x01 -> ff02::1' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '75 60', note: 'UDP checksum 0x7560 inline' },
        { hex: '62 63 30', note: 'UDP payload (3 octets) "bc0"; UDP length 11 (8 + payload) is inferred from the frame length' },
        { hex: '59 c6', note: 'FCS 0xc659 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'ff02::1', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 11 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x7560 },
      packetHex:
        '60000000000b1140fe80000000000000000000fffe001a2bff020000000000000000000000000001' +
        'f0b1f0b2000b7560626330',
    },
  },
  // 32. lowpan-mesh-short
  {
    name: 'lowpan-mesh-short',
    ref: 'RFC 4944 §5.2 (mesh header), §11, §10.1 (with a mesh header the link-layer addresses are the originator / final destination); RFC 6282 §3.2.2',
    frames: [
      // PSDU 26 octets: 418821cdab02020101b51a2b3c4d7e33f312ec296d657368c034
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '21', note: 'sequence number 33 (0x21)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '02 02', note: 'destination short address 0x0202 (little-endian)' },
        { hex: '01 01', note: 'source short address 0x0101 (little-endian)' },
        { hex: 'b5', note: 'mesh header 0xb5: 10, V=1 (originator is short), F=1 (final is short), HopsLeft=5' },
        { hex: '1a 2b', note: 'originator short address 0x1a2b (network byte order)' },
        { hex: '3c 4d', note: 'final destination short address 0x3c4d' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination); IIDs from the mesh header addresses, not from the MAC addresses 0x0101 / 0x0202: fe80::ff:fe00:1a2b -> fe80::ff:fe00:3c4d' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'ec 29', note: 'UDP checksum 0xec29 inline' },
        { hex: '6d 65 73 68', note: 'UDP payload (4 octets) "mesh"; UDP length 12 (8 + payload) is inferred from the frame length' },
        { hex: 'c0 34', note: 'FCS 0x34c0 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'fe80::ff:fe00:3c4d', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 12 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xec29 },
      packetHex:
        '60000000000c1140fe80000000000000000000fffe001a2bfe80000000000000000000fffe003c4d' +
        'f0b1f0b2000cec296d657368',
    },
  },
  // 33. lowpan-mesh-ext-deep-hops
  {
    name: 'lowpan-mesh-ext-deep-hops',
    ref: 'RFC 4944 §5.2 (V=0, F=0: 64-bit addresses; HopsLeft=0xF: 8-bit Deep Hops Left follows)',
    frames: [
      // PSDU 41 octets: 418822cdab020201018f2000124b000001020300124b00000405067e33f31269376d6573683634d63b
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '22', note: 'sequence number 34 (0x22)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '02 02', note: 'destination short address 0x0202 (little-endian)' },
        { hex: '01 01', note: 'source short address 0x0101 (little-endian)' },
        { hex: '8f', note: 'mesh header 0x8f: 10, V=0 (originator EUI-64), F=0 (final EUI-64), HopsLeft=0xF (deep hops left follows)' },
        { hex: '20', note: 'deep hops left 32' },
        { hex: '00 12 4b 00 00 01 02 03', note: 'originator 00:12:4b:00:00:01:02:03 (EUI-64 in network byte order, unlike the MAC header)' },
        { hex: '00 12 4b 00 00 04 05 06', note: 'final destination 00:12:4b:00:00:04:05:06' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination); IIDs from the mesh header addresses: fe80::212:4b00:1:203 -> fe80::212:4b00:4:506' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: '69 37', note: 'UDP checksum 0x6937 inline' },
        { hex: '6d 65 73 68 36 34', note: 'UDP payload (6 octets) "mesh64"; UDP length 14 (8 + payload) is inferred from the frame length' },
        { hex: 'd6 3b', note: 'FCS 0x3bd6 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 14 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0x6937 },
      packetHex:
        '60000000000e1140fe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'f0b1f0b2000e69376d6573683634',
    },
  },
  // 34. frag-udp-208-two-fragments (2 frames)
  {
    name: 'frag-udp-208-two-fragments',
    ref: 'RFC 4944 §5.3; RFC 6282 §2 (datagram_size and offsets refer to the uncompressed packet)',
    frames: [
      // PSDU 125 octets: 418823cdab4d3c2b1ac0f85a017e33f312f838000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60616263646566677345
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '23', note: 'sequence number 35 (0x23)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: 'c0 f8', note: 'FRAG1: 11000 + datagram_size 248 (uncompressed: 40 IPv6 + 8 UDP + 200 payload)' },
        { hex: '5a 01', note: 'datagram_tag 0x5a01' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '12', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 2 -> 0xf0b2 = 61618' },
        { hex: 'f8 38', note: 'UDP checksum 0xf838 inline' },
        { hex: '00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f', note: 'UDP payload octets 0..15; UDP length 208 is inferred from datagram_size (248 - 40)' },
        { hex: '10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f', note: 'UDP payload octets 16..31' },
        { hex: '20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f', note: 'UDP payload octets 32..47 " !\\"#$%&\'()*+,-./"' },
        { hex: '30 31 32 33 34 35 36 37 38 39 3a 3b 3c 3d 3e 3f', note: 'UDP payload octets 48..63 "0123456789:;<=>?"' },
        { hex: '40 41 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f', note: 'UDP payload octets 64..79 "@ABCDEFGHIJKLMNO"' },
        { hex: '50 51 52 53 54 55 56 57 58 59 5a 5b 5c 5d 5e 5f', note: 'UDP payload octets 80..95 "PQRSTUVWXYZ[\\\\]^_"' },
        { hex: '60 61 62 63 64 65 66 67', note: 'UDP payload octets 96..103 "`abcdefg"' },
        { hex: '73 45', note: 'FCS 0x4573 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
      // PSDU 112 octets: 418824cdab4d3c2b1ae0f85a011368696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c786b7
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '24', note: 'sequence number 36 (0x24)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: 'e0 f8', note: 'FRAGN: 11100 + datagram_size 248' },
        { hex: '5a 01', note: 'datagram_tag 0x5a01' },
        { hex: '13', note: 'datagram_offset 19 (x8 = 152: FRAG1 carried 40+8+104 uncompressed octets)' },
        { hex: '68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77', note: 'UDP payload octets 104..119 "hijklmnopqrstuvw"' },
        { hex: '78 79 7a 7b 7c 7d 7e 7f 80 81 82 83 84 85 86 87', note: 'UDP payload octets 120..135' },
        { hex: '88 89 8a 8b 8c 8d 8e 8f 90 91 92 93 94 95 96 97', note: 'UDP payload octets 136..151' },
        { hex: '98 99 9a 9b 9c 9d 9e 9f a0 a1 a2 a3 a4 a5 a6 a7', note: 'UDP payload octets 152..167' },
        { hex: 'a8 a9 aa ab ac ad ae af b0 b1 b2 b3 b4 b5 b6 b7', note: 'UDP payload octets 168..183' },
        { hex: 'b8 b9 ba bb bc bd be bf c0 c1 c2 c3 c4 c5 c6 c7', note: 'UDP payload octets 184..199' },
        { hex: '86 b7', note: 'FCS 0xb786 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::ff:fe00:1a2b', dst: 'fe80::ff:fe00:3c4d', nextHeader: 17, hopLimit: 64, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 208 },
      udp: { srcPort: 61617, dstPort: 61618, checksum: 0xf838 },
      packetHex:
        '6000000000d01140fe80000000000000000000fffe001a2bfe80000000000000000000fffe003c4d' +
        'f0b1f0b200d0f838000102030405060708090a0b0c0d0e0f1011121314151617' +
        '18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637' +
        '38393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f5051525354555657' +
        '58595a5b5c5d5e5f606162636465666768696a6b6c6d6e6f7071727374757677' +
        '78797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f9091929394959697' +
        '98999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7' +
        'b8b9babbbcbdbebfc0c1c2c3c4c5c6c7',
    },
  },
  // 35. frag-udp-288-three-fragments-out-of-order (3 frames)
  // frames in order of arrival: last FRAGN (offset 29), FRAG1, middle FRAGN (offset 17); the datagram is complete after the third frame
  {
    name: 'frag-udp-288-three-fragments-out-of-order',
    ref: 'RFC 4944 §5.3 (fragments may arrive out of order); RFC 6282 §2',
    frames: [
      // PSDU 84 octets: 41cc26cdab06050400004b120003020100004b1200e1205a021d576972656c65737320506572736f6e616c2041726561204e6574776f726b732e2049507636206f766572204c6f772d506f776572205769725ef0
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '26', note: 'sequence number 38 (0x26)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: 'e1 20', note: 'FRAGN: 11100 + datagram_size 288' },
        { hex: '5a 02', note: 'datagram_tag 0x5a02' },
        { hex: '1d', note: 'datagram_offset 29 (x8 = 232: 40 + 8 + 184; last fragment, arrives first)' },
        { hex: '57 69 72 65 6c 65 73 73 20 50 65 72 73 6f 6e 61', note: 'UDP payload octets 184..199 "Wireless Persona"' },
        { hex: '6c 20 41 72 65 61 20 4e 65 74 77 6f 72 6b 73 2e', note: 'UDP payload octets 200..215 "l Area Networks."' },
        { hex: '20 49 50 76 36 20 6f 76 65 72 20 4c 6f 77 2d 50', note: 'UDP payload octets 216..231 " IPv6 over Low-P"' },
        { hex: '6f 77 65 72 20 57 69 72', note: 'UDP payload octets 232..239 "ower Wir"' },
        { hex: '5e f0', note: 'FCS 0xf05e (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
      // PSDU 124 octets: 41cc25cdab06050400004b120003020100004b1200c1205a027f33f0c0021633d71250020003ff49507636206f766572204c6f772d506f77657220576972656c65737320506572736f6e616c2041726561204e6574776f726b732e2049507636206f766572204c6f772d506f77657220576972656c65737320501049
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '25', note: 'sequence number 37 (0x25)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: 'c1 20', note: 'FRAG1: 11000 + datagram_size 288 (40 + 8 + 240)' },
        { hex: '5a 02', note: 'datagram_tag 0x5a02' },
        { hex: '7f 33', note: 'LOWPAN_IPHC 0x7f33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=11 (hop limit 255), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f0', note: 'LOWPAN_NHC UDP 0xf0: 11110, C=0 (checksum inline), P=00 (both ports inline, 16 bits each); UDP length always elided' },
        { hex: 'c0 02', note: 'source port 49154 (0xc002) inline' },
        { hex: '16 33', note: 'destination port 5683 (0x1633) inline' },
        { hex: 'd7 12', note: 'UDP checksum 0xd712 inline' },
        { hex: '50 02 00 03 ff', note: 'UDP payload octets 0..4: CoAP NON POST, MID 3 (50 02 00 03), payload marker ff' },
        { hex: '49 50 76 36 20 6f 76 65 72 20 4c 6f 77 2d 50 6f', note: 'UDP payload octets 5..20 "IPv6 over Low-Po"; UDP length 248 is inferred from datagram_size (288 - 40)' },
        { hex: '77 65 72 20 57 69 72 65 6c 65 73 73 20 50 65 72', note: 'UDP payload octets 21..36 "wer Wireless Per"' },
        { hex: '73 6f 6e 61 6c 20 41 72 65 61 20 4e 65 74 77 6f', note: 'UDP payload octets 37..52 "sonal Area Netwo"' },
        { hex: '72 6b 73 2e 20 49 50 76 36 20 6f 76 65 72 20 4c', note: 'UDP payload octets 53..68 "rks. IPv6 over L"' },
        { hex: '6f 77 2d 50 6f 77 65 72 20 57 69 72 65 6c 65 73', note: 'UDP payload octets 69..84 "ow-Power Wireles"' },
        { hex: '73 20 50', note: 'UDP payload octets 85..87 "s P"' },
        { hex: '10 49', note: 'FCS 0x4910 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
      // PSDU 124 octets: 41cc27cdab06050400004b120003020100004b1200e1205a02116572736f6e616c2041726561204e6574776f726b732e2049507636206f766572204c6f772d506f77657220576972656c65737320506572736f6e616c2041726561204e6574776f726b732e2049507636206f766572204c6f772d506f77657220c795
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '27', note: 'sequence number 39 (0x27)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: 'e1 20', note: 'FRAGN: 11100 + datagram_size 288' },
        { hex: '5a 02', note: 'datagram_tag 0x5a02' },
        { hex: '11', note: 'datagram_offset 17 (x8 = 136: FRAG1 carried 40+8+88 uncompressed octets)' },
        { hex: '65 72 73 6f 6e 61 6c 20 41 72 65 61 20 4e 65 74', note: 'UDP payload octets 88..103 "ersonal Area Net"' },
        { hex: '77 6f 72 6b 73 2e 20 49 50 76 36 20 6f 76 65 72', note: 'UDP payload octets 104..119 "works. IPv6 over"' },
        { hex: '20 4c 6f 77 2d 50 6f 77 65 72 20 57 69 72 65 6c', note: 'UDP payload octets 120..135 " Low-Power Wirel"' },
        { hex: '65 73 73 20 50 65 72 73 6f 6e 61 6c 20 41 72 65', note: 'UDP payload octets 136..151 "ess Personal Are"' },
        { hex: '61 20 4e 65 74 77 6f 72 6b 73 2e 20 49 50 76 36', note: 'UDP payload octets 152..167 "a Networks. IPv6"' },
        { hex: '20 6f 76 65 72 20 4c 6f 77 2d 50 6f 77 65 72 20', note: 'UDP payload octets 168..183 " over Low-Power "' },
        { hex: 'c7 95', note: 'FCS 0x95c7 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: {
      ipv6: { src: 'fe80::212:4b00:1:203', dst: 'fe80::212:4b00:4:506', nextHeader: 17, hopLimit: 255, trafficClass: 0x00, flowLabel: 0x00000, payloadLength: 248 },
      udp: { srcPort: 49154, dstPort: 5683, checksum: 0xd712 },
      packetHex:
        '6000000000f811fffe8000000000000002124b0000010203fe8000000000000002124b0000040506' +
        'c002163300f8d71250020003ff49507636206f766572204c6f772d506f776572' +
        '20576972656c65737320506572736f6e616c2041726561204e6574776f726b73' +
        '2e2049507636206f766572204c6f772d506f77657220576972656c6573732050' +
        '6572736f6e616c2041726561204e6574776f726b732e2049507636206f766572' +
        '204c6f772d506f77657220576972656c65737320506572736f6e616c20417265' +
        '61204e6574776f726b732e2049507636206f766572204c6f772d506f77657220' +
        '576972656c65737320506572736f6e616c2041726561204e6574776f726b732e' +
        '2049507636206f766572204c6f772d506f77657220576972',
    },
  },
  // 36. err-bad-fcs
  // the reference frame with the first FCS octet inverted
  // tshark: wpan.fcs_ok = 0, "Bad FCS".
  {
    name: 'err-bad-fcs',
    ref: 'IEEE 802.15.4 §7.2 (FCS: ITU-T CRC-16)',
    frames: [
      // PSDU 34 octets: 41cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6fde6d
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '42', note: 'sequence number 66 (0x42)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '1f', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 15 -> 0xf0bf = 61631' },
        { hex: '3c 5c', note: 'UDP checksum 0x3c5c inline' },
        { hex: '68 65 6c 6c 6f', note: 'UDP payload (5 octets) "hello"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: 'de 6d', note: 'FCS, CORRUPTED: correct value is 0x6d21 (sent 21 6d); first byte inverted' },
      ],
    ],
    expect: { error: 'BadFcs' },
  },
  // 37. err-nalp
  // tshark: not handed to 6LoWPAN, shown as plain IEEE 802.15.4 data.
  {
    name: 'err-nalp',
    ref: 'RFC 4944 §5.1 (NALP: 00xxxxxx, not a LoWPAN frame)',
    frames: [
      // PSDU 16 octets: 418828cdab4d3c2b1a01020304051fa2
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '28', note: 'sequence number 40 (0x28)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '01', note: 'dispatch 0x01 (00 000001): NALP, not a LoWPAN frame' },
        { hex: '02 03 04 05', note: 'non-LoWPAN payload' },
        { hex: '1f a2', note: 'FCS 0xa21f (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'NotLowpan' },
  },
  // 38. err-hc1
  // tshark 4.0.17 still decodes LOWPAN_HC1 (fe80::212:4b00:1:203 -> fe80::212:4b00:4:506, UDP 61617 -> 61618, checksum good); sixlab does not implement HC1 and rejects it.
  {
    name: 'err-hc1',
    ref: 'RFC 4944 §10 (LOWPAN_HC1; RFC 6282 §1, §2: HC1 is replaced by IPHC)',
    frames: [
      // PSDU 33 octets: 41cc29cdab06050400004b120003020100004b120042fbe04012e6db686331cb92
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '29', note: 'sequence number 41 (0x29)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '42', note: 'dispatch 0x42 (01 000010): LOWPAN_HC1' },
        { hex: 'fb', note: 'HC1 encoding 0xfb: SP=1 SI=1 DP=1 DI=1 (link-local, IIDs from MAC), TF=1, NH=01 (UDP), HC2=1' },
        { hex: 'e0', note: 'HC_UDP encoding 0xe0: source port, destination port and length compressed' },
        { hex: '40', note: 'hop limit 64' },
        { hex: '12', note: 'ports 61616+1, 61616+2' },
        { hex: 'e6 db', note: 'UDP checksum 0xe6db' },
        { hex: '68 63 31', note: 'UDP payload (3 octets) "hc1"' },
        { hex: 'cb 92', note: 'FCS 0x92cb (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'DispatchHc1Unsupported' },
  },
  // 39. err-esc-dispatch
  // tshark 4.0.17 does not recognise 0x40 as 6LoWPAN (its ESC constant is RFC 4944's 0x7f, which RFC 6282 gave to IPHC); shown as plain IEEE 802.15.4 data.
  {
    name: 'err-esc-dispatch',
    ref: 'RFC 6282 §2, RFC 8066 (ESC dispatch moved from 0x7f to 01 000000)',
    frames: [
      // PSDU 15 octets: 41882acdab4d3c2b1a4005aabb6235
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '2a', note: 'sequence number 42 (0x2a)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '40', note: 'dispatch 0x40 (01 000000): ESC, an extension dispatch octet follows' },
        { hex: '05', note: 'ESC extension type 5' },
        { hex: 'aa bb', note: 'extension data' },
        { hex: '62 35', note: 'FCS 0x3562 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'DispatchEscUnsupported' },
  },
  // 40. err-dispatch-reserved
  // tshark: not 6LoWPAN; falls through to its ZigBee heuristic ("Malformed Packet").
  {
    name: 'err-dispatch-reserved',
    ref: 'RFC 4944 §5.1 (01 000011 .. 01 001111 reserved)',
    frames: [
      // PSDU 15 octets: 41882bcdab4d3c2b1a44aabbcc7edc
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '2b', note: 'sequence number 43 (0x2b)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '44', note: 'dispatch 0x44 (01 000100): reserved' },
        { hex: 'aa bb cc', note: 'data' },
        { hex: '7e dc', note: 'FCS 0xdc7e (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'DispatchReserved' },
  },
  // 41. err-iphc-reserved-m1-dac1-dam01
  // tshark: expert error "Illegal destination address mode".
  {
    name: 'err-iphc-reserved-m1-dac1-dam01',
    ref: 'RFC 6282 §3.1.1 (M=1 DAC=1 DAM=01..11 reserved)',
    frames: [
      // PSDU 30 octets: 41cc2ccdab06050400004b120003020100004b12007e3df312000078e191
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '2c', note: 'sequence number 44 (0x2c)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 3d', note: 'LOWPAN_IPHC 0x7e3d: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=1 DAC=1 DAM=01 (RESERVED)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3 (a decoder must already have stopped at the reserved DAM)' },
        { hex: '12', note: 'ports 0xf0b1, 0xf0b2' },
        { hex: '00 00', note: 'checksum (never checked)' },
        { hex: '78', note: 'payload "x"' },
        { hex: 'e1 91', note: 'FCS 0x91e1 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'IphcReservedMode' },
  },
  // 42. err-context-unknown
  // tshark 4.0.17 reports no error: it silently uses an all-zero prefix for the undefined context 5 and shows source ::1.
  {
    name: 'err-context-unknown',
    ref: 'RFC 6282 §3.1.2 (SCI names a context the decompressor does not have)',
    contexts: [{ id: 0, prefix: '2001:db8::/64' }, { id: 1, prefix: '2001:db8:1::/64' }],
    frames: [
      // PSDU 39 octets: 41cc2dcdab06050400004b120003020100004b12007ed3500000000000000001f312000078d4b0
      [
        { hex: '41 cc', note: 'FCF 0xcc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '2d', note: 'sequence number 45 (0x2d)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e d3', note: 'LOWPAN_IPHC 0x7ed3: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=1 (context identifier extension follows), SAC=1 SAM=01 (64 bits inline: context prefix + inline IID), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: '50', note: 'context identifier extension 0x50: SCI=5 (not defined), DCI=0' },
        { hex: '00 00 00 00 00 00 00 01', note: 'source IID 0000:0000:0000:0001 inline (prefix would come from context 5)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3' },
        { hex: '12', note: 'ports 0xf0b1, 0xf0b2' },
        { hex: '00 00', note: 'checksum (never checked)' },
        { hex: '78', note: 'payload "x"' },
        { hex: 'd4 b0', note: 'FCS 0xb0d4 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'ContextUnknown' },
  },
  // 43. err-iphc-truncated
  // tshark: "Malformed Packet (Exception occurred)" inside 6LoWPAN.
  {
    name: 'err-iphc-truncated',
    ref: 'RFC 6282 §3.1.1 (SAM=00 needs 16 inline octets)',
    frames: [
      // PSDU 19 octets: 41882ecdab4d3c2b1a7e0320010db80000ff4b
      [
        { hex: '41 88', note: 'FCF 0x8841 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode short (10), frame version 2003 (00), src addr mode short (10)' },
        { hex: '2e', note: 'sequence number 46 (0x2e)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '4d 3c', note: 'destination short address 0x3c4d (little-endian)' },
        { hex: '2b 1a', note: 'source short address 0x1a2b (little-endian)' },
        { hex: '7e 03', note: 'LOWPAN_IPHC 0x7e03: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=00 (128 bits inline), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: '20 01 0d b8 00 00', note: 'only 6 of the 16 source address octets before the FCS' },
        { hex: 'ff 4b', note: 'FCS 0x4bff (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'IphcTruncated' },
  },
  // 44. err-security-enabled
  // the reference frame with the FCF security enabled bit (0x0008) set and the FCS recomputed
  // tshark: reads the following octets as a 2003 security header (frame counter 0x1ff3337e), then "Malformed Packet".
  {
    name: 'err-security-enabled',
    ref: 'IEEE 802.15.4 §7.2.1 (Security Enabled subfield)',
    frames: [
      // PSDU 34 octets: 49cc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6f02ce
      [
        { hex: '49 cc', note: 'FCF 0xcc49 (little-endian on air): data frame, SECURITY ENABLED, no ack request, PAN ID compression, dst addr mode ext (11), frame version 2003 (00), src addr mode ext (11)' },
        { hex: '42', note: 'sequence number 66 (0x42)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '1f', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 15 -> 0xf0bf = 61631' },
        { hex: '3c 5c', note: 'UDP checksum 0x3c5c inline' },
        { hex: '68 65 6c 6c 6f', note: 'UDP payload (5 octets) "hello"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: '02 ce', note: 'FCS 0xce02 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'SecurityUnsupported' },
  },
  // 45. err-frame-version-reserved
  // the reference frame with frame version bits 11 and the FCS recomputed
  // tshark: "Frame Version Unknown Cannot Dissect".
  {
    name: 'err-frame-version-reserved',
    ref: 'IEEE 802.15.4-2015 §7.2.1 (Frame Version 11 is reserved)',
    frames: [
      // PSDU 34 octets: 41fc42cdab06050400004b120003020100004b12007e33f31f3c5c68656c6c6fb539
      [
        { hex: '41 fc', note: 'FCF 0xfc41 (little-endian on air): data frame, no security, no ack request, PAN ID compression, dst addr mode ext (11), frame version reserved (11), src addr mode ext (11)' },
        { hex: '42', note: 'sequence number 66 (0x42)' },
        { hex: 'cd ab', note: 'destination PAN ID 0xabcd (little-endian)' },
        { hex: '06 05 04 00 00 4b 12 00', note: 'destination extended address 00:12:4b:00:00:04:05:06 (little-endian)' },
        { hex: '03 02 01 00 00 4b 12 00', note: 'source extended address 00:12:4b:00:00:01:02:03 (little-endian)' },
        { hex: '7e 33', note: 'LOWPAN_IPHC 0x7e33: dispatch 011, TF=11 (traffic class and flow label elided), NH=1 (next header compressed with LOWPAN_NHC), HLIM=10 (hop limit 64), CID=0 (context 0 if stateful), SAC=0 SAM=11 (elided: fe80::/64 + IID from link-layer source), M=0 DAC=0 DAM=11 (elided: fe80::/64 + IID from link-layer destination)' },
        { hex: 'f3', note: 'LOWPAN_NHC UDP 0xf3: 11110, C=0 (checksum inline), P=11 (both ports 0xf0bX, 4 bits each); UDP length always elided' },
        { hex: '1f', note: 'ports: source nibble 1 -> 0xf0b1 = 61617, destination nibble 15 -> 0xf0bf = 61631' },
        { hex: '3c 5c', note: 'UDP checksum 0x3c5c inline' },
        { hex: '68 65 6c 6c 6f', note: 'UDP payload (5 octets) "hello"; UDP length 13 (8 + payload) is inferred from the frame length' },
        { hex: 'b5 39', note: 'FCS 0x39b5 (CRC-16/KERMIT over all preceding octets, little-endian)' },
      ],
    ],
    expect: { error: 'FrameVersionReserved' },
  },
  // 46. err-frame-too-short
  // tshark: "Malformed Packet".
  {
    name: 'err-frame-too-short',
    ref: 'IEEE 802.15.4 §7.2 (a data frame needs at least FCF 2 + sequence number 1 + FCS 2 octets)',
    frames: [
      // PSDU 3 octets: 418d53
      [
        { hex: '41', note: 'first FCF octet only' },
        { hex: '8d 53', note: 'FCS 0x538d over the single preceding octet (valid, so the only fault is the length: 3 octets)' },
      ],
    ],
    expect: { error: 'FrameTooShort' },
  },
];
