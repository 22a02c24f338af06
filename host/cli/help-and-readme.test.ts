// First steps: the README's examples run as written, and `sixlab --help` shows
// examples, the exit codes and the fault names.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { faultNames } from '../board/faults.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'host', 'cli', 'main.js');
const TMP = mkdtempSync(join(tmpdir(), 'sixlab-readme-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** The lines of the first sh block of the README's "The sixlab command" section. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The sixlab command'));
  const block = /```sh\n([\s\S]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 5)));
  if (!block) throw new Error('README.md: no sh block in "The sixlab command"');
  return block[1].split('\n').filter((l) => l.trim() !== '');
}

describe('README: The sixlab command', () => {
  it('every example runs as written (npx sixlab = the built CLI; from a folder with samples/)', () => {
    // Before: `< frames.hex` (no such file) and `encode --ipv6 6000000000...` (not hex) failed.
    symlinkSync(join(ROOT, 'samples'), join(TMP, 'samples'));
    const examples = readmeExamples();
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const line of examples) {
      expect(line, 'each example uses the command as `npx sixlab`').toMatch(/npx sixlab /);
      const command = line.replaceAll('npx sixlab ', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} `);
      const r = spawnSync('bash', ['-c', `set -o pipefail; ${command}`], { cwd: TMP, encoding: 'utf8', timeout: 60_000 });
      expect({ line, code: r.status }).toEqual({ line, code: 0 });
      expect(r.stderr, line).not.toMatch(/^sixlab:/m);
      expect(r.stdout.length, line).toBeGreaterThan(0);
    }
    expect(existsSync(join(TMP, 'virtual.pcapng'))).toBe(true);
  });
});

describe('sixlab --help', () => {
  it('shows examples, the exit codes and every fault name', () => {
    // Before: only the list of commands.
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:\n  sixlab boards');
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 {2}done.*\n {2}1 {2}failures found.*\n {2}2 {2}bad input/);
    const faults = r.stdout.slice(r.stdout.indexOf('Faults ('));
    const listed = faults.split('\n').slice(1).join(' ').split(/[\s,]+/).filter(Boolean);
    expect(listed).toEqual(faultNames());
    for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(90);
  });

  it('ping --help says which flags take seconds and shows examples', () => {
    const r = spawnSync(process.execPath, [CLI, 'ping', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/-i <seconds> +time between requests in seconds/);
    expect(r.stdout).toMatch(/--interval <ms> +the same in milliseconds/);
    expect(r.stdout).toContain('sixlab ping --board virtual -c 3');
  });
});
