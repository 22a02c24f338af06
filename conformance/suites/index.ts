// Every suite, loaded for its declarations (each module registers its tests).
import './lowpan.spec.js';
import './ipv6.spec.js';
import './icmpv6.spec.js';
import './nd.spec.js';
import './slaac.spec.js';
import './lowpan-nd.spec.js';
import './udp.spec.js';
import './coap.spec.js';
import './robustness.spec.js';
