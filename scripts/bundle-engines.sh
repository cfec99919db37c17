#!/bin/sh
# Ships the Postgres gate's engines beside the ncc bundle (dist/main), see src/schema/pg/engines.ts:
# libpg-query's .wasm, which its CommonJS glue finds through __dirname, and PGlite's published ESM
# files, which the bundle imports natively because webpack's wrapper of node:module breaks them.
# Extensions' tarballs, source maps and CommonJS/typing files are left out: nothing loads them.
set -eu
out=dist/main
pg=node_modules/@electric-sql/pglite/dist
cp node_modules/libpg-query/wasm/libpg-query.wasm "$out/"
mkdir -p "$out/pglite/fs"
cp "$pg"/index.js "$pg"/initdb.js "$pg"/chunk-*.js "$pg"/pglite.wasm "$pg"/pglite.data "$pg"/initdb.wasm "$out/pglite/"
cp "$pg"/fs/*.js "$out/pglite/fs/"
# A pre-initialised data directory: the bundle's PGlite starts from it instead of running initdb.
# It is made once (npm run pglite:template) and committed, not made here: initdb writes a random
# system identifier and timestamps, so a fresh one would make every build of dist/ differ.
made_with=$(cat scripts/pglite-template/pglite-version)
installed=$(node -p "require('./$pg/../package.json').version")
if [ "$made_with" != "$installed" ]; then
  echo "scripts/pglite-template was made with PGlite $made_with, but $installed is installed: run 'npm run pglite:template' and commit scripts/pglite-template/." >&2
  exit 1
fi
cp scripts/pglite-template/template.tar.gz "$out/pglite/template.tar.gz"
