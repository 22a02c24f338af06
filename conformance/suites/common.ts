// Fault groups that many tests share: what keeps an Echo exchange, a join or
// a classic address resolution from working breaks every test built on one.
// A test lists the faults that must keep it from passing (define.ts, `faults`).

/** An Echo Request answered with the right reply (t.echo, t.alive). In classic
 *  mode the device first resolves the tester's address: an NS with the wrong
 *  hop limit is ignored by the tester, as by any host (RFC 4861 §7.1.1). */
export const ECHO = ['drop-echo-replies', 'echo-reply-wrong-data', 'wrong-hop-limit-ns@classic'];

/** The device joined the tester's network (t.join): registered (6LoWPAN-ND) or
 *  past DAD (classic). A registration NS with hop limit 64 is ignored by the
 *  router, so the device never registers (precondition: inconclusive). */
export const JOIN = ['wrong-hop-limit-ns@lowpan-nd'];
