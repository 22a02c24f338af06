// The lowpan suite on both virtual boards, without faults and under every
// registered fault (lowpan.spec.ts loads its three parts).
import './lowpan.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['lowpan']);
