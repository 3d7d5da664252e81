// `npm install`'s native step. The package ships prebuilt binaries for linux-x64 and win32-x64 (prebuilds/, made by
// scripts/prebuild.mjs when it is packed): with one for this machine that loads, nothing is compiled. Otherwise (a git
// clone, another platform, a prebuild this machine cannot load, or `npm install --build-from-source`) cmake-js builds
// the native layer into build/. Reading and auditing recordings is pure TypeScript, so a machine without a compiler or
// CMake still gets a working k4sync: this script says once what is missing and lets the install succeed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const target = `${process.platform}-${process.arch}`;
// npm passes `--build-from-source` to install scripts as npm_config_build_from_source (the prebuild-install convention).
const fromSource = /^(true|1)$/i.test(process.env.npm_config_build_from_source ?? '') || process.argv.includes('--build-from-source');

/**
 * This platform's prebuilt addon, loaded once: 'loads', 'none' (no prebuild for this platform, or a git clone), or
 * 'broken' (a binary this machine cannot run, an older C library say: it is rebuilt from source instead).
 */
function prebuild() {
  const addon = join(root, 'prebuilds', target, 'k4sync_native.node');
  if (!existsSync(addon)) return 'none';
  try {
    require(addon);
    return 'loads';
  } catch (e) {
    console.warn(`k4sync: the prebuilt native layer for ${target} does not load here (${e.message.split('\n')[0]}); building it from source.`);
    return 'broken';
  }
}

/** Whether `cmd` is on PATH (with Windows' executable extensions), without a shell. */
function onPath(cmd) {
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';') : [''];
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && exts.some((ext) => existsSync(join(dir, cmd + ext))));
}

const shipped = prebuild();
if (shipped === 'loads' && !fromSource) process.exit(0);

// On Windows cmake-js finds Visual Studio itself; elsewhere a C++ compiler must be on PATH.
const missing = process.platform === 'win32' ? (onPath('cmake') ? [] : ['cmake']) : ['cmake', 'c++'].filter((c) => !onPath(c));
const remedy = process.platform === 'win32'
  ? 'install CMake and Visual Studio Build Tools (C++ workload)'
  : 'install CMake and a C++ compiler (Debian: apt-get install cmake g++)';
if (missing.length > 0) {
  const notFound = `${missing.join(' and ')} not found`;
  console.warn(
    shipped === 'loads'
      ? `k4sync: building the native layer from source was asked for, but ${notFound}: the prebuilt one for ${target} stays in use. ` +
          `To build it, ${remedy} and run \`npm run build:native\`.`
      : `k4sync: the native layer (recording and the simulated rig) was not built: ${notFound}` +
          `${shipped === 'broken' ? `, and the prebuilt one for ${target} does not load here` : existsSync(join(root, 'prebuilds')) ? `, and this package has no prebuilt one for ${target}` : ''}. ` +
          `info, timestamps and audit work without it; to record or simulate, ${remedy} and run \`npm run build:native\`.`,
  );
  process.exit(0);
}
// cmake-js's own script run by this Node: no shell, no npx, the same on every platform.
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const r = spawnSync(process.execPath, [cmakeJs, 'compile', '-d', 'native', '-O', 'build', '--log-level', 'warn'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.warn(
    shipped === 'loads'
      ? `k4sync: building the native layer failed (see above); the prebuilt one for ${target} stays in use.`
      : 'k4sync: building the native layer failed (see above). info, timestamps and audit still work; ' +
          'fix the build and run `npm run build:native` to record or simulate.',
  );
}
