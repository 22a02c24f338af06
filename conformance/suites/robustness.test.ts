import './robustness.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['robustness']);
