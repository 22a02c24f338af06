import './slaac.spec.js';
import { checkSuites } from '../framework/suite-check.js';

checkSuites(['slaac']);
