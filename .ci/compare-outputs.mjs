// Compares what a k4sync command printed or wrote on Linux with what the same command gave under Windows Node
// (.ci/windows-lane): they must be equal apart from paths and times. Both sides are normalized the same way: path
// separators to "/", the Wine drive letter dropped, each --same pair of folders (the Linux run's, the Windows run's)
// to one name, ISO times to <TIME>, and the values of the JSON keys given with --mask (what differs between two
// recordings of the same rig: file times and sizes, host clock readings) to <MASKED>.
//
//   node .ci/compare-outputs.mjs <linux-file> <windows-file> [--same <linux-dir> <windows-dir> <NAME>]... [--mask key,key]
import { readFileSync } from 'node:fs';

const [linuxFile, windowsFile, ...rest] = process.argv.slice(2);
const same = [];
let masked = [];
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--same') {
    same.push(rest.slice(i + 1, i + 4));
    i += 3;
  } else if (rest[i] === '--mask') masked = rest[++i].split(',');
  else throw new Error(`compare-outputs: unexpected argument ${rest[i]}`);
}
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function normalize(text, side) {
  let t = text.replace(/\\\\/g, '/').replace(/\\/g, '/').replace(/\b[A-Z]:\//g, '/');
  for (const pair of same) t = t.replace(new RegExp(escape(pair[side]), 'g'), `<${pair[2]}>`);
  t = t.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>');
  for (const key of masked) t = t.replace(new RegExp(`("${escape(key)}":\\s*)("[^"]*"|-?[\\d.eE+-]+|null)`, 'g'), '$1<MASKED>');
  return t.split('\n');
}

const a = normalize(readFileSync(linuxFile, 'utf8'), 0);
const b = normalize(readFileSync(windowsFile, 'utf8'), 1);
const differing = [];
for (let i = 0; i < Math.max(a.length, b.length); i++) {
  if (a[i] !== b[i]) differing.push(`  line ${i + 1}\n    linux:   ${a[i] ?? '(none)'}\n    windows: ${b[i] ?? '(none)'}`);
}
if (differing.length > 0) {
  console.error(`${linuxFile} and ${windowsFile} differ in ${differing.length} line(s):\n${differing.slice(0, 10).join('\n')}`);
  process.exit(1);
}
