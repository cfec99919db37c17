/**
 * Loads the two WASM engines of the Postgres gate — libpg-query (PostgreSQL's parser) and PGlite
 * (PostgreSQL itself) — from source (node_modules) and from the ncc bundle alike. Both are loaded
 * on first use only, never at import time.
 *
 * Inside the ESM bundle neither works as webpack rewrites it:
 * - libpg-query's Emscripten glue is CommonJS and finds libpg-query.wasm in `__dirname`, which an
 *   ES module does not have (`__dirname is not defined`); the bundler does not see the .wasm either.
 *   The build copies the .wasm beside the chunks (package.json `bundle`) and `withDirname` lends
 *   the glue that directory while it initialises.
 * - PGlite reads `createRequire` from `await import("node:module")`; webpack's namespace wrapper for
 *   a builtin whose export is a function drops that property (`e is not a function`). So PGlite is
 *   not bundled at all: the build copies its own ESM files to dist/main/pglite/ and the bundle
 *   imports them natively (`webpackIgnore`), exactly as published.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

declare const __webpack_require__: unknown;
/** True inside the ncc bundle (webpack defines `__webpack_require__`), false when run from source. */
const BUNDLED = typeof __webpack_require__ === 'function';
/** The directory of this module: dist/main in the bundle. */
const HERE = dirname(fileURLToPath(import.meta.url));

export type LibPgQuery = typeof import('libpg-query');
export type PGliteModule = typeof import('@electric-sql/pglite');

async function withDirname<T>(dir: string, load: () => Promise<T>): Promise<T> {
  const g = globalThis as { __dirname?: string };
  if (g.__dirname !== undefined) return load();
  g.__dirname = dir;
  try {
    return await load();
  } finally {
    delete g.__dirname;
  }
}

let pgQuery: Promise<LibPgQuery> | undefined;

export function loadLibPgQuery(): Promise<LibPgQuery> {
  pgQuery ??= withDirname(HERE, async () => {
    const lib = await import('libpg-query');
    await lib.loadModule();
    return lib;
  });
  pgQuery.catch(() => (pgQuery = undefined));
  return pgQuery;
}

/** The bundle's entry (dist/main/index.js), or undefined when run from source. */
export function bundleEntry(): string | undefined {
  return BUNDLED ? join(HERE, 'index.js') : undefined;
}

/** Where the bundle ships PGlite's published files (copied by package.json `bundle`). */
const SHIPPED_PGLITE_DIR = join(HERE, 'pglite');

/**
 * The pre-initialised data directory the bundle ships (scripts/pglite-template.ts, gzipped tar),
 * or undefined when run from source.
 */
export function shippedTemplate(): string | undefined {
  if (!BUNDLED) return undefined;
  const path = join(SHIPPED_PGLITE_DIR, 'template.tar.gz');
  return existsSync(path) ? path : undefined;
}

let pglite: Promise<PGliteModule> | undefined;

export function loadPGlite(): Promise<PGliteModule> {
  pglite ??= (async () => {
    if (!BUNDLED) return (await import(/* webpackIgnore: true */ '@electric-sql/pglite' as string)) as PGliteModule;
    const entry = join(SHIPPED_PGLITE_DIR, 'index.js');
    if (!existsSync(entry)) throw new Error(`the bundle lacks PGlite (${entry}); rebuild it with npm run build`);
    return (await import(/* webpackIgnore: true */ pathToFileURL(entry).href)) as PGliteModule;
  })();
  pglite.catch(() => (pglite = undefined));
  return pglite;
}
