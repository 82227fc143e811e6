// The test command (`npm test`): unit tests, then browser tests (real Chromium through
// playwright-core), each file in its own process under Node's test runner. Prints the plain
// closing line "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const only = process.argv.slice(2);
const walk = (dir) =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
const files = ['tests/unit', 'tests/browser']
  .flatMap((d) => walk(d).sort())
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

// The browser tests drive Debian's Chromium; install it on a fresh machine (as root) when missing.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (files.some((f) => f.startsWith('tests/browser')) && !existsSync(chromium)) {
  console.log(`${chromium} is missing: installing Debian's chromium (apt-get)…`);
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!(apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium', 'fonts-dejavu-core']))) {
    console.error('Could not install chromium; install it (apt-get install -y chromium) or set CHROMIUM_PATH.');
    process.exit(1);
  }
}

const tap = join(tmpdir(), `tailor-tests-${process.pid}.tap`);
rmSync(tap, { force: true });
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
  { stdio: 'inherit' },
);
const out = readFileSync(tap, 'utf8');
const count = (k) => Number(out.match(new RegExp(`^# ${k} (\\d+)$`, 'm'))?.[1] ?? 0);
const passed = count('pass');
const failed = count('fail') + count('cancelled');
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(res.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
