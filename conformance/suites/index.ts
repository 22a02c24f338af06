// Every suite, loaded for its declarations (each module registers its tests).
import './lowpan.spec.js';
