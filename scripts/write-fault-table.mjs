// npm run docs:faults: writes docs/faults.md from the built harness.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
await import('../dist/conformance/suites/index.js');
const { faultTable } = await import('../dist/conformance/framework/fault-table.js');
writeFileSync(join(import.meta.dirname, '..', 'docs', 'faults.md'), faultTable());
