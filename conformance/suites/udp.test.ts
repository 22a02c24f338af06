import './udp.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['udp']);
