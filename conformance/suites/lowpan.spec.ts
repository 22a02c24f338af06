// lowpan: IEEE 802.15.4 framing and 6LoWPAN (RFC 4944, RFC 6282, RFC 8066).
// The suite is in three parts, registered in this order (conformance
// catalogue LOWPAN-01..42 and the ETSI 6Lo FORMAT / HC TDs).
import './lowpan-iphc.spec.js'; // dispatch 0x41, IPHC: TF, HLIM, addresses, contexts, multicast
import './lowpan-nhc.spec.js'; // NHC UDP and extension headers, reserved encodings, dispatch values
import './lowpan-link.spec.js'; // 802.15.4 frames, fragmentation and reassembly, compactness
