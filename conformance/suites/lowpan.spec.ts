// lowpan: IEEE 802.15.4 framing and 6LoWPAN (RFC 4944, RFC 6282). The tester
// sends an Echo Request in each encoding and expects a correct reply: that
// proves the device decoded it (conformance catalogue, LOWPAN-xx).
import { defineTest } from '../framework/define.js';
import { ECHO } from './common.js';

defineTest({
  id: 'LOWPAN-01', title: 'uncompressed IPv6 dispatch (0x41) is accepted', suite: 'lowpan', ref: 'RFC 4944 §5.1', level: 'MUST',
  spec: ['TD_6Lo_FORMAT_01'], faults: ECHO,
}, async (t) => {
  await t.echo({ send: { encoding: { hcMode: 'uncompressed' } } });
});

for (const [n, tf] of [[2, 0], [3, 1], [4, 2], [5, 3]] as const) {
  defineTest({
    id: `LOWPAN-0${n}`, title: `IPHC TF=${tf.toString(2).padStart(2, '0')}: traffic class and flow label ${['in line', 'ECN + flow label', 'ECN + DSCP', 'elided'][tf]}`,
    suite: 'lowpan', ref: 'RFC 6282 §3.1.1', level: 'MUST', faults: ECHO,
  }, async (t) => {
    // Values each TF mode can carry (§3.1.1): 11 elides everything, so both must be 0 there.
    const values = [[0xb9, 0x12345], [0x03, 0xabcde], [0xb9, 0], [0, 0]][tf];
    await t.echo({ trafficClass: values[0], flowLabel: values[1], send: { encoding: { tf } } });
  });
}
