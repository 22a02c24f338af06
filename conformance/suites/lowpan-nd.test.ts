import './lowpan-nd.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['lowpan-nd']);
