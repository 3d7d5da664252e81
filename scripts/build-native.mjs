// `npm install` builds the native layer (capture addon and simulated rig) with cmake-js. Reading and auditing
// recordings is pure TypeScript, so a machine without a compiler or CMake still gets a working k4sync: this script
// says once what is missing and lets the install succeed.
import { spawnSync } from 'node:child_process';

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const missing = ['cmake', 'c++'].filter((c) => !which(c));
if (missing.length > 0) {
  console.warn(
    `k4sync: the native layer (recording and the simulated rig) was not built: ${missing.join(' and ')} not found. ` +
      'info, timestamps and audit work without it; to record or simulate, install CMake and a C++ compiler ' +
      '(Debian: apt-get install cmake g++) and run `npm run build:native`.',
  );
  process.exit(0);
}
const r = spawnSync('npx', ['cmake-js', 'compile', '-d', 'native', '-O', 'build', '--log-level', 'warn'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.warn(
    'k4sync: building the native layer failed (see above). info, timestamps and audit still work; ' +
      'fix the build and run `npm run build:native` to record or simulate.',
  );
}
