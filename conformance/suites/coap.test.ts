import './coap.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['coap']);
