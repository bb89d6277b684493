import { readFileSync } from 'node:fs';

/**
 * The package root (a URL ending in /) and its version: the nearest package.json named
 * runnerform above this module, which sits in src/, dist/src/, or the bundle's dist/src/cli/
 * or its chunks/.
 */
function findPackage(): { root: URL; version: string } {
  for (const rel of ['../', '../../', '../../../', '../../../../']) {
    const root = new URL(rel, import.meta.url);
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'runnerform' && pkg.version) return { root, version: pkg.version };
    } catch {
      // try the next candidate
    }
  }
  return { root: new URL('../', import.meta.url), version: '0.0.0' };
}

const found = findPackage();
export const PACKAGE_ROOT = found.root;
export const VERSION = found.version;
