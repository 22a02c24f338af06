import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import '../suites/index.js';
import { faultTable } from './fault-table.js';

it('docs/faults.md is the table the tests declare (npm run docs:faults)', () => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'faults.md'), 'utf8');
  expect(doc).toBe(faultTable());
});
