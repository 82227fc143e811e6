// The benchmark command (`npm run bench -- <name> [options]`). Benchmarks are not tests: they
// print tables and never fail on speed.
//   decode        our decode loop vs transformers.js generate() (browser, WASM)
//   personalized  plain vs reward-model vs prompted personalization (browser, WASM)
//   learning      simulated-user preference learning (Node):  learning [users] [seed]
//   all           the three, in that order, with their defaults
import { spawnSync } from 'node:child_process';

const BENCHES = {
  decode: 'bench/decode.ts',
  personalized: 'bench/personalized.ts',
  learning: 'bench/learning.ts',
};

const [name, ...rest] = process.argv.slice(2);

function run(bench, args) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', BENCHES[bench], ...args], { stdio: 'inherit' });
  if (res.error) throw res.error;
  return res.status ?? 1;
}

if (name === 'all') {
  let status = 0;
  for (const bench of Object.keys(BENCHES)) {
    console.log(`\n=== ${bench} ===`);
    status = run(bench, []) || status;
  }
  process.exit(status);
} else if (name in BENCHES) {
  let args = rest;
  if (name === 'learning') {
    // learning.ts takes positional [users] [seed]; --rounds means nothing there (20 choices per user).
    const i = args.indexOf('--rounds');
    if (i >= 0) {
      console.error('learning: --rounds is ignored (each simulated user makes 20 choices); pass [users] [seed]');
      args = args.filter((_, j) => j !== i && j !== i + 1);
    }
  }
  process.exit(run(name, args));
} else {
  console.error('usage: npm run bench -- <decode|personalized|learning|all> [options]');
  console.error('  decode, personalized: --rounds N  --max-new-tokens N  --threads N (0 = app default)  --dtype q8|fp32|q4  --prompts N  --no-profile');
  console.error('  personalized also: --modes plain,rm-1,rm-3,prompted-3  --models-path /models/');
  console.error('  learning: [users] [seed]');
  process.exit(2);
}
