/**
 * The only code the page runs: the vega runtime, read from node_modules and inlined, and a few lines that draw each
 * compiled spec into its container as SVG. No request of any kind: the specs carry their data.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

let cached: string | null = null;

/** vega's minified UMD build, without its source-map comment (a browser's tools would ask for the map). */
export function vegaRuntime(): string {
  if (cached === null) {
    const source = readFileSync(require.resolve('vega/build/vega.min.js'), 'utf8');
    cached = source.replace(/\n?\/\/# sourceMappingURL=\S*\s*$/, '\n');
  }
  return cached;
}

/** Draws every `[data-chart]` container from the JSON block `#k4s-charts`; failures are shown in place and logged. */
export const BOOTSTRAP = `(function () {
  'use strict';
  var block = document.getElementById('k4s-charts');
  if (!block || typeof vega === 'undefined') return;
  var specs = JSON.parse(block.textContent || '{}');
  var views = document.querySelectorAll('[data-chart]');
  for (var i = 0; i < views.length; i++) {
    (function (el) {
      var spec = specs[el.getAttribute('data-chart')];
      if (!spec) return;
      try {
        var view = new vega.View(vega.parse(spec), { renderer: 'svg', container: el, hover: true });
        view.runAsync().then(function () {
          el.classList.add('is-drawn');
        }, function (err) {
          el.classList.add('is-broken');
          el.textContent = 'This chart could not be drawn: ' + err.message;
          console.error(err);
        });
      } catch (err) {
        el.classList.add('is-broken');
        el.textContent = 'This chart could not be drawn: ' + err.message;
        console.error(err);
      }
    })(views[i]);
  }
})();`;
