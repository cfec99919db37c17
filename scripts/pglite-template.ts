/**
 * Writes a freshly initialised PGlite data directory (a gzipped tar from `dumpDataDir`) for the
 * bundle: starting from it skips initdb, most of PGlite's cold start. Made once and committed with
 * `npm run pglite:template` (initdb is not reproducible, dist/ must be); scripts/bundle-engines.sh
 * copies it and refuses a template made with another PGlite version.
 *   node scripts/pglite-template.ts <out.tar.gz>
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';

const out = process.argv[2];
if (!out) throw new Error('usage: node scripts/pglite-template.ts <out.tar.gz>');
const db = await PGlite.create();
const tar = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
await db.close();
writeFileSync(out, gzipSync(tar, { level: 9 }));
