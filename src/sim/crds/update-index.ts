/**
 * Regenerates crds/crds.json from the CRD YAML files beside it (run after adding or updating a CRD):
 *   ./node_modules/.bin/node src/sim/crds/update-index.ts
 * The simulator reads only crds.json (fast JSON) at start-up; a test checks it matches the YAML.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCrdIndex, CRD_INDEX_FILE, crdDirectory } from '../kube-resources.ts';

const dir = crdDirectory();
writeFileSync(join(dir, CRD_INDEX_FILE), `${JSON.stringify(buildCrdIndex(dir))}\n`);
