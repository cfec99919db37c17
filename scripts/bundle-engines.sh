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
node scripts/pglite-template.ts "$out/pglite/template.tar.gz"
