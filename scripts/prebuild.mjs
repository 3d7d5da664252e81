// Builds the prebuilt binaries the npm package ships, so that `npm install` compiles nothing on the capture PCs:
// prebuilds/<platform>-<arch>/ holds the addon (k4sync_native.node) and the simulated rig (libk4sync_sim.so or
// k4sync_sim.dll). Run by `npm pack` / `npm publish` (prepack); prebuilds/ is never committed.
//
//   node scripts/prebuild.mjs [linux-x64] [win32-x64]     (default: both)
//
// A target is built with this machine's own compiler when it is this machine's platform; win32-x64 is cross-built on
// Linux with Debian's mingw-w64 (apt-get install g++-mingw-w64-x86-64). Each build is Release, in
// build/prebuild/<target>/ (its test programs stay there); the shipped files are stripped of symbols.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const host = `${process.platform}-${process.arch}`;
const MINGW = 'x86_64-w64-mingw32';

const TARGETS = {
  'linux-x64': { sim: 'libk4sync_sim.so', cross: null },
  'win32-x64': {
    sim: 'k4sync_sim.dll',
    // From Linux: mingw-w64, and node.exe's Node-API import library made from node-api-headers' .def, as cmake-js
    // does on Windows (CMAKE_JS_NODELIB_DEF).
    cross: {
      from: 'linux-x64',
      tools: [`${MINGW}-g++-posix`, `${MINGW}-dlltool`, `${MINGW}-strip`],
      strip: `${MINGW}-strip`,
      options: (dir) => [
        `--CDCMAKE_TOOLCHAIN_FILE=${join(root, 'native/cmake/mingw-w64-x86_64.cmake')}`,
        `--CDCMAKE_JS_NODELIB_DEF=${nodeApiDef()}`,
        `--CDCMAKE_JS_NODELIB_TARGET=${join(dir, 'node.lib')}`,
      ],
    },
  },
};

/** node_api.def from the node-api-headers that cmake-js itself uses for it on Windows. */
function nodeApiDef() {
  return createRequire(require.resolve('cmake-js/package.json'))('node-api-headers').def_paths.node_api_def;
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

function fail(message) {
  console.error(`k4sync prebuild: ${message}`);
  process.exit(1);
}

const wanted = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(TARGETS);
for (const target of wanted) {
  const spec = TARGETS[target];
  if (!spec) fail(`unknown target ${target} (known: ${Object.keys(TARGETS).join(', ')})`);
  const cross = target === host ? null : spec.cross;
  if (target !== host && cross?.from !== host) fail(`${target} cannot be built on ${host}`);
  const lacking = (cross ? cross.tools : process.platform === 'win32' ? ['cmake'] : ['cmake', 'c++', 'strip']).filter((t) => !onPath(process.platform === 'win32' ? `${t}.exe` : t));
  if (lacking.length > 0) {
    fail(`${target} needs ${lacking.join(', ')} on PATH` + (cross ? ' (Debian: apt-get install g++-mingw-w64-x86-64)' : '') +
      '. The package must ship every prebuilt binary: install them, or pack without this target on purpose by running the script with the others.');
  }
  const dir = join(root, 'build/prebuild', target);
  const args = [require.resolve('cmake-js/bin/cmake-js'), 'compile', '-d', 'native', '-O', dir, '--config', 'Release', '--log-level', 'warn', ...(cross ? cross.options(dir) : [])];
  console.error(`k4sync prebuild: building ${target}${cross ? ` (cross-compiled on ${host})` : ''}`);
  // The build's output goes to stderr: `npm pack`'s stdout is the tarball's name, which scripts read.
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) fail(`building ${target} failed (see above)`);
  const out = join(root, 'prebuilds', target);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const file of ['k4sync_native.node', spec.sim]) {
    copyFileSync(join(dir, 'Release', file), join(out, file));
    const strip = cross ? cross.strip : process.platform === 'win32' ? null : 'strip';
    // Symbols only: the Node-API and k4a_* exports stay.
    if (strip && spawnSync(strip, ['--strip-unneeded', join(out, file)], { stdio: ['ignore', 2, 2] }).status !== 0) fail(`${strip} failed on ${file}`);
  }
  console.error(`k4sync prebuild: ${target} → prebuilds/${target}/`);
}
