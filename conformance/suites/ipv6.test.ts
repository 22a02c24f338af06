import './ipv6.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['ipv6']);
