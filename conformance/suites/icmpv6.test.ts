import './icmpv6.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['icmpv6']);
