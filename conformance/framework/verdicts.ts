// How a test body says what it found: throw a Fail (with the rule, what was
// expected, what was seen and the frames), an Inconclusive (the precondition
// could not be set up) or a NotApplicable. Anything else thrown is an error.
import type { Finding } from './types.js';

export class Fail extends Error {
  constructor(readonly finding: Finding) {
    super(`${finding.rule}: expected ${finding.expected}; saw ${finding.seen}`);
    this.name = 'Fail';
  }
}

export class Inconclusive extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Inconclusive';
  }
}

export class NotApplicable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotApplicable';
  }
}
