// Bundles the CLI into dist/src/cli/main.js (the `bin`, at the path tsc used to emit it, so
// relative paths to package.json and schemas/ hold) plus chunks that only some commands load.
// One file loads in a few milliseconds where ~200 modules took ~200 ms. Every runtime
// dependency is bundled, so the package declares none; their licences go to
// dist/THIRD-PARTY-LICENSES.txt.
import { readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const outdir = new URL('dist/src/cli/', root).pathname;

/**
 * Work dependencies do at import time that runnerform pays on every start-up but rarely or never
 * needs, deferred to first use by editing their source as it is bundled. Each edit must match
 * exactly as often as expected, or the build fails (a new version of the package needs a look).
 */
const DEFERRED_AT_IMPORT = [
  {
    // got's argument checks build two Intl.ListFormat for the text of a failed assertion: ICU's
    // locale data is loaded then, ~8 ms.
    file: /@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/,
    pattern: /new Intl\.ListFormat\(('en', \{ style: 'long', type: '(?:conjunction|disjunction)' \})\)/g,
    count: 2,
    lazy: (_, options) => `((f) => ({ format: (list) => (f ??= new Intl.ListFormat(${options})).format(list) }))()`,
  },
  {
    // commander loads child_process for executable subcommands, which runnerform has none of: ~2 ms.
    file: /commander[\\/]lib[\\/]command\.js$/,
    pattern: /^const childProcess = require\('node:child_process'\);$/m,
    count: 1,
    lazy: () => "let childProcessLoaded; const childProcess = { spawn: (...args) => (childProcessLoaded ??= require('node:child_process')).spawn(...args) };",
  },
];

const deferredAtImport = {
  name: 'deferred-at-import',
  setup(b) {
    for (const { file, pattern, count, lazy } of DEFERRED_AT_IMPORT) {
      b.onLoad({ filter: file }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        const found = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`))?.length ?? 0;
        if (found !== count) throw new Error(`${args.path}: expected ${count} match(es) of ${pattern}, found ${found}; review DEFERRED_AT_IMPORT in scripts/bundle.mjs`);
        return { contents: text.replace(pattern, lazy), loader: 'js' };
      });
    }
  },
};

/**
 * got imports http2-wrapper (for `http2: true`) and cacheable-request (for `cache:`) at the top of
 * its modules and uses them only under those options, which runnerform never sets (got-instance.ts).
 * Loading them (and Node's http2 module, keyv, http-cache-semantics…) cost every start-up; in the
 * bundle each is a stand-in that refuses to be used, so turning either option on fails loudly.
 */
const UNUSED_BY_GOT_OPTIONS = {
  'http2-wrapper': 'http2',
  'cacheable-request': 'cache',
};
const withoutUnusedGotFeatures = {
  name: 'without-unused-got-features',
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(UNUSED_BY_GOT_OPTIONS).join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'unused-by-runnerform' }));
    b.onLoad({ filter: /.*/, namespace: 'unused-by-runnerform' }, (args) => ({
      loader: 'js',
      contents: [
        `const refuse = () => { throw new Error("runnerform's bundle has no ${args.path}: got's \`${UNUSED_BY_GOT_OPTIONS[args.path]}\` option is never set"); };`,
        'export default new Proxy(function () {}, { get: refuse, apply: refuse, construct: refuse });',
        // cacheable-request's named export, used by got in an `instanceof` check (never true: nothing throws it).
        'export class CacheError extends Error {}',
      ].join('\n'),
    }));
  },
};

/**
 * An ES module import of a Node built-in (`import { readFileSync } from 'node:fs'`) makes Node build
 * an ES module facade of the whole built-in, reading every export (fs's lazy ReadStream, promises…):
 * ~10 ms of every start-up across the built-ins runnerform uses. The bundle require()s them instead
 * (the banner's createRequire), which reads only what is used.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    const names = new Set(builtinModules);
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      const bare = args.path.replace(/^node:/, '');
      if (!names.has(bare) || args.kind !== 'import-statement') return undefined;
      return { path: `node:${bare}`, namespace: 'builtin-by-require' };
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      loader: 'js',
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
    }));
  },
};

/** Bundles; returns the packages that ended up in the bundle. */
export async function bundle() {
  rmSync(new URL('chunks', new URL('dist/src/cli/', root)), { recursive: true, force: true });
  const result = await build({
    absWorkingDir: new URL('.', root).pathname,
    entryPoints: { main: 'src/cli/main.ts' },
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    minify: true, // a smaller file compiles faster: ~0.7 MB of source is compiled on every start
    legalComments: 'none', // the full licence texts are in dist/THIRD-PARTY-LICENSES.txt
    metafile: true,
    plugins: [deferredAtImport, withoutUnusedGotFeatures, builtinsByRequire],
    logLevel: 'warning',
    // CommonJS dependencies require() Node's built-ins; an ES module has no require of its own.
    banner: { js: "import { createRequire as __rfCreateRequire } from 'node:module'; const require = __rfCreateRequire(import.meta.url);" },
  });
  const packages = bundledPackages(result.metafile);
  writeFileSync(new URL('dist/THIRD-PARTY-LICENSES.txt', root), licences(packages));
  return packages;
}

function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, root), 'utf8'));
    return { dir, name: pkg.name, version: pkg.version, license: pkg.license };
  });
}

function licences(packages) {
  const parts = ['Licences of the packages bundled into dist/src/cli/ (runnerform itself: LICENSE).', ''];
  for (const p of packages) {
    const file = readdirSync(new URL(`${p.dir}/`, root)).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(new URL(`${p.dir}/${file}`, root), 'utf8').trim() : `${p.license} (no licence file in the package)`;
    parts.push('='.repeat(72), `${p.name}@${p.version} (${p.license})`, '='.repeat(72), text, '');
  }
  return parts.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const packages = await bundle();
  if (process.argv.includes('--list')) for (const p of packages) console.log(`${p.name}@${p.version} ${p.license}`);
}
