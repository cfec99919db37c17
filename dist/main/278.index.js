export const id = 278;
export const ids = [278];
export const modules = {

/***/ 58278:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runSchemaCheck: () => (/* binding */ runSchemaCheck)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(70017);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(31421);
// EXTERNAL MODULE: ./src/util/retry.ts
var retry = __webpack_require__(4266);
;// CONCATENATED MODULE: ./src/schema/git.ts
/**
 * Git access for the schema check: argument arrays only (never a shell string), a timeout on every
 * call, bounded retries for the one transient failure git has (a concurrent index.lock).
 */



/** Runs a program with an argv array and a timeout; rejects with a CanaryGateError naming the command. */
function runCommand(argv, opts) {
    const [file, ...args] = argv;
    if (!file)
        return Promise.reject(new errors/* InputError */.dz('command', 'expected a non-empty argv array, found an empty one'));
    return new Promise((resolve, reject) => {
        (0,external_node_child_process_.execFile)(file, args, { cwd: opts.cwd, timeout: opts.timeoutMs, maxBuffer: opts.maxBuffer ?? 64 * 1024 * 1024, signal: opts.signal, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
            if (!err) {
                resolve({ stdout, stderr });
                return;
            }
            const e = err;
            const shown = [file, ...args].join(' ').slice(0, 200);
            if (e.killed || e.code === 'ETIMEDOUT') {
                reject(new errors/* CanaryGateError */.kT('timeout', `\`${shown}\` did not finish within ${opts.timeoutMs} ms; raise timeoutMs or check what the command waits for.`, { cause: err }));
            }
            else if (e.code === 'ENOENT') {
                reject(new errors/* InputError */.dz('command', `\`${file}\` was not found on PATH; install it or give the full path.`));
            }
            else {
                const msg = String(stderr || e.message).trim().slice(0, 500);
                reject(new errors/* CanaryGateError */.kT('api-error', `\`${shown}\` exited with ${e.code}: ${msg}`, { cause: err }));
            }
        });
    });
}
function git(args, opts) {
    return (0,retry/* withRetry */.bD)(async () => (await runCommand(['git', ...args], opts)).stdout, {
        attempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        signal: opts.signal,
        retryable: (err) => err instanceof errors/* CanaryGateError */.kT && /index\.lock|unable to create/i.test(err.message),
    });
}
/** Verifies a ref names a commit; a usage error otherwise (wrong ref, shallow clone). */
async function resolveRef(ref, field, opts) {
    if (ref.startsWith('-'))
        throw new errors/* InputError */.dz(field, `expected a git ref, found "${ref}" (a ref may not start with "-")`);
    try {
        return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], opts)).trim();
    }
    catch {
        throw new errors/* InputError */.dz(field, `git ref "${ref}" does not name a commit in ${opts.cwd}; fetch it (actions/checkout with fetch-depth: 0) or pass another ref.`);
    }
}
/** Files under `dir` at `ref` (paths relative to the repository root). */
async function listFilesAt(ref, dir, opts) {
    const out = await git(['ls-tree', '-r', '--name-only', '-z', ref, '--', dir], opts);
    return out.split('\0').filter(Boolean);
}
/** Files under `dir` that differ between base and head, with rename detection. */
async function changedFiles(base, head, dir, opts) {
    const out = await git(['diff', '--name-status', '-M', '-z', base, head, '--', dir], opts);
    const parts = out.split('\0').filter((p) => p !== '');
    const files = [];
    for (let i = 0; i < parts.length;) {
        const code = parts[i++];
        const status = code[0];
        if (status === 'R' || status === 'C') {
            const oldPath = parts[i++];
            files.push({ status, oldPath, path: parts[i++] });
        }
        else {
            files.push({ status, path: parts[i++] });
        }
    }
    return files;
}
/**
 * Reads many files at a ref in one `git cat-file --batch` process (one process instead of one per
 * file: a repository with hundreds of migrations stays fast).
 */
function readFilesAt(ref, paths, opts) {
    if (paths.length === 0)
        return Promise.resolve(new Map());
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_.spawn)('git', ['cat-file', '--batch'], { cwd: opts.cwd, signal: opts.signal, windowsHide: true });
        const chunks = [];
        let stderr = '';
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new errors/* CanaryGateError */.kT('timeout', `git cat-file did not finish within ${opts.timeoutMs} ms reading ${paths.length} files at ${ref}; raise timeoutMs.`));
        }, opts.timeoutMs);
        child.stdout.on('data', (c) => chunks.push(c));
        child.stderr.on('data', (c) => (stderr += c.toString()));
        child.on('error', (err) => {
            clearTimeout(timer);
            reject(new errors/* CanaryGateError */.kT('api-error', `git cat-file failed: ${err.message}`, { cause: err }));
        });
        child.on('close', (code) => {
            clearTimeout(timer);
            if (code !== 0) {
                reject(new errors/* CanaryGateError */.kT('api-error', `git cat-file exited with ${code}: ${stderr.trim().slice(0, 300)}`));
                return;
            }
            const buf = Buffer.concat(chunks);
            const out = new Map();
            let pos = 0;
            for (const path of paths) {
                const nl = buf.indexOf(10, pos);
                if (nl < 0)
                    break;
                const header = buf.subarray(pos, nl).toString('utf8');
                pos = nl + 1;
                if (header.endsWith(' missing'))
                    continue;
                const size = Number(header.split(' ')[2]);
                out.set(path, buf.subarray(pos, pos + size).toString('utf8'));
                pos += size + 1;
            }
            resolve(out);
        });
        child.stdin.end(paths.map((p) => `${ref}:${p}`).join('\n') + '\n');
    });
}

;// CONCATENATED MODULE: ./src/schema/rules/config.ts
function keyMatches(key, patterns) {
    if (!patterns || patterns.length === 0)
        return true;
    const last = key.split(/[/.]/).pop() ?? key;
    return patterns.some((p) => {
        if (p.endsWith('*'))
            return key.startsWith(p.slice(0, -1)) || last.startsWith(p.slice(0, -1));
        return p === key || p === last;
    });
}
/** Kind of a value as a program reading it would see it (env values are strings that parse). */
function valueKind(v) {
    if (v === null)
        return 'null';
    if (typeof v !== 'string')
        return typeof v;
    const t = v.trim();
    if (t === '')
        return 'empty';
    if (t === 'true' || t === 'false')
        return 'boolean';
    if (t !== '' && Number.isFinite(Number(t)))
        return 'number';
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))
        return 'json';
    return 'string';
}
const LOG_FORMAT_KEYS = ['log_format', 'logformat', 'log.format', 'logging.format', 'log-format', 'log_encoding', 'logging.encoding'];
function isLogFormatKey(key) {
    const k = key.toLowerCase();
    return LOG_FORMAT_KEYS.some((x) => k.endsWith(x) || k.endsWith(x.replace('.', '_')));
}
function isEndpoint(key, v) {
    const k = key.toLowerCase();
    if (k.startsWith('port/'))
        return true;
    if (['_url', '_uri', '_host', '_port', '_addr', '_address', '_endpoint', '.url', '.host', '.port', '.endpoint', '.address'].some((s) => k.endsWith(s)))
        return true;
    return typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i.test(v.trim());
}
const SCRAPE_ANNOTATIONS = ['annotation/prometheus.io/path', 'annotation/prometheus.io/port', 'annotation/prometheus.io/scrape'];
function show(v) {
    const s = v === undefined ? '(absent)' : v === null ? 'null' : String(v);
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}
function diffConfig(input) {
    const hits = [];
    const { stable, canary, keys } = input;
    const added = [...canary.keys()].filter((k) => !stable.has(k));
    for (const [key, value] of stable) {
        if (!keyMatches(key, keys))
            continue;
        if (!canary.has(key)) {
            const renamedTo = added.find((k) => canary.get(k) === value && value !== '' && value !== null && sameScope(k, key));
            if (renamedTo)
                hits.push({ rule: 'CFG102', object: key, message: `${key} is renamed to ${renamedTo} (same value): a version that reads ${key} no longer finds it.` });
            else
                hits.push({ rule: 'CFG101', object: key, message: `${key} is removed: a version that still reads it gets nothing (or fails to start).` });
            continue;
        }
        const now = canary.get(key);
        if (now === value)
            continue;
        if (SCRAPE_ANNOTATIONS.includes(key)) {
            hits.push({ rule: 'CFG106', object: key, verdict: 'warn', message: `${key} changes from ${show(value)} to ${show(now)}: the canary may no longer be scraped the way the gate's queries expect.` });
        }
        else if (valueKind(value) !== valueKind(now) && !(valueKind(value) === 'empty' || valueKind(now) === 'empty')) {
            hits.push({ rule: 'CFG103', object: key, message: `${key} changes from a ${valueKind(value)} (${show(value)}) to a ${valueKind(now)} (${show(now)}): a version parsing the old type fails.` });
        }
        else if (isLogFormatKey(key)) {
            hits.push({ rule: 'CFG104', object: key, message: `The log format changes from ${show(value)} to ${show(now)}: log pipelines and alerts parsing the old format miss the canary's lines.` });
        }
        else if (isEndpoint(key, value)) {
            hits.push({ rule: 'CFG105', object: key, message: `${key} changes from ${show(value)} to ${show(now)}: callers and the other version must reach the same service during the rollout.` });
        }
        else {
            hits.push({ rule: 'CFG107', object: key, message: `${key} changes from ${show(value)} to ${show(now)}.` });
        }
    }
    return hits;
}
/** CFG106: metric/label names the gate queries rely on that the canary's configuration lost. */
function metricNamesRemoved(stable, canary, metricNames) {
    const hits = [];
    for (const m of metricNames) {
        const inStable = mentions(stable, m);
        if (inStable && !mentions(canary, m)) {
            hits.push({ rule: 'CFG106', object: m, message: `The metric/label name ${m} appears in the stable configuration (${inStable}) but nowhere in the canary's: the gate's queries would see no canary data and the analysis stays inconclusive.` });
        }
    }
    return hits;
}
/** A rename stays in the same container / ConfigMap / file section. */
function sameScope(a, b) {
    const scope = (k) => (k.includes('/') ? k.slice(0, k.lastIndexOf('/')) : k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '');
    return scope(a) === scope(b);
}
function mentions(cfg, name) {
    for (const [k, v] of cfg) {
        if (k === name || k.endsWith(`/${name}`) || k.endsWith(`.${name}`))
            return k;
        if (typeof v === 'string' && containsWord(v, name))
            return k;
    }
    return undefined;
}
function containsWord(text, word) {
    let from = 0;
    const isWordChar = (c) => c !== undefined && /[A-Za-z0-9_:]/.test(c);
    for (;;) {
        const i = text.indexOf(word, from);
        if (i < 0)
            return false;
        if (!isWordChar(text[i - 1]) && !isWordChar(text[i + word.length]))
            return true;
        from = i + 1;
    }
}

;// CONCATENATED MODULE: ./src/schema/contract.ts
/**
 * Contract-phase directives: the stable ref may declare objects deprecated, after which dropping or
 * renaming them is legitimate. Syntax, one comment line each, in any stable migration or in a
 * deprecation list file: `-- canary-gate:contract users.legacy_flag [more objects…]`.
 * This reads comments only; SQL itself always goes through a real parser.
 */
const DIRECTIVE = 'canary-gate:contract';
function contractDirectives(text) {
    const out = [];
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        const body = line.startsWith('--') ? line.slice(2) : line.startsWith('#') ? line.slice(1) : undefined;
        if (body === undefined)
            continue;
        const t = body.trim();
        if (!t.startsWith(DIRECTIVE))
            continue;
        for (const obj of t.slice(DIRECTIVE.length).split(/[\s,]+/))
            if (obj)
                out.push(obj.toLowerCase());
    }
    return out;
}
/** An object is contracted when it, or the table it belongs to, is listed. */
function isContracted(contract, object) {
    const key = object.toLowerCase();
    if (contract.has(key))
        return true;
    const dot = key.lastIndexOf('.');
    return dot > 0 && contract.has(key.slice(0, dot)) && !contract.has(key);
}

// EXTERNAL MODULE: ./src/schema/rules/catalog.ts
var catalog = __webpack_require__(56776);
;// CONCATENATED MODULE: ./src/schema/rules/hit.ts


const MAX_STATEMENT = 600;
function clipStatement(text) {
    const t = text.trim();
    return t.length > MAX_STATEMENT ? `${t.slice(0, MAX_STATEMENT)} …` : t;
}
/** Turns hits into findings: default verdicts, contract phase, location and the alternative. */
function hitsToFindings(hits, stmt, contract) {
    return hits.map((h) => {
        const info = (0,catalog/* ruleInfo */.PI)(h.rule);
        let verdict = h.verdict ?? info.verdict;
        let message = h.message;
        if (h.contractable && verdict !== 'pass' && isContracted(contract, h.object)) {
            verdict = 'pass';
            message += ' Allowed: the stable ref declares it deprecated (contract phase).';
        }
        const f = { rule: h.rule, verdict, object: h.object, message, alternative: info.alternative };
        if (stmt) {
            f.file = stmt.file;
            f.line = stmt.line;
            f.statement = clipStatement(stmt.text);
        }
        return f;
    });
}
/** `strict` turns every warn into block. */
function applyStrict(findings, strict) {
    if (!strict)
        return findings;
    return findings.map((f) => (f.verdict === 'warn' ? { ...f, verdict: 'block', message: `${f.message} (strict: warn counts as block)` } : f));
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(38815);
;// CONCATENATED MODULE: ./src/schema/config/flatten.ts
/**
 * Turns configuration files into flat key → value maps so two refs can be compared: YAML/JSON
 * files (nested keys joined with dots), Kubernetes ConfigMaps (`configmap/<name>/<key>`), workload
 * manifests (`env/<container>/<NAME>`, `port/<container>/<name>`, `annotation/<key>`), and
 * `.env`/`.properties` files.
 */

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job', 'CronJob', 'Pod']);
function flattenConfigFile(path, text) {
    const out = new Map();
    const lower = path.toLowerCase();
    if (lower.endsWith('.env') || lower.endsWith('.properties') || lower.split('/').pop().startsWith('.env')) {
        for (const raw of text.split('\n')) {
            const line = raw.trim();
            if (!line || line.startsWith('#') || line.startsWith('!'))
                continue;
            const eq = line.search(/[=:]/);
            if (eq <= 0)
                continue;
            const key = line.slice(0, eq).trim().replace(/^export\s+/, '');
            let value = line.slice(eq + 1).trim();
            if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]))
                value = value.slice(1, -1);
            out.set(key, value);
        }
        return out;
    }
    for (const doc of (0,dist/* parseAllDocuments */.hR)(text)) {
        if (doc.errors.length)
            throw new Error(`${path} is not valid YAML/JSON: ${doc.errors[0].message}`);
        const data = doc.toJS();
        if (data === null || typeof data !== 'object')
            continue;
        const obj = data;
        if (obj.kind === 'ConfigMap' || obj.kind === 'Secret') {
            const name = String(obj.metadata?.name ?? '?');
            // Secret values are never read: only whether the key exists.
            const entries = { ...obj.data, ...obj.stringData };
            for (const [k, v] of Object.entries(entries))
                out.set(`${String(obj.kind).toLowerCase()}/${name}/${k}`, obj.kind === 'Secret' ? '(secret)' : scalar(v));
        }
        else if (WORKLOADS.has(String(obj.kind))) {
            flattenWorkload(obj, out);
        }
        else {
            flattenObject(obj, '', out);
        }
    }
    return out;
}
function scalar(v) {
    if (v === null || v === undefined)
        return null;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        return v;
    return JSON.stringify(v);
}
function flattenObject(v, prefix, out) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v))
            flattenObject(x, prefix ? `${prefix}.${k}` : k, out);
    }
    else if (Array.isArray(v) && v.some((x) => x !== null && typeof x === 'object')) {
        v.forEach((x, i) => flattenObject(x, `${prefix}[${i}]`, out));
    }
    else {
        out.set(prefix, scalar(v));
    }
}
function flattenWorkload(obj, out) {
    const spec = obj.spec;
    const jobSpec = obj.kind === 'CronJob' ? spec?.jobTemplate?.spec : spec;
    const tmpl = (obj.kind === 'Pod' ? obj : jobSpec?.template);
    const podSpec = (obj.kind === 'Pod' ? spec : tmpl?.spec);
    const annotations = {
        ...obj.metadata?.annotations,
        ...tmpl?.metadata?.annotations,
    };
    for (const [k, v] of Object.entries(annotations))
        out.set(`annotation/${k}`, scalar(v));
    const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
    for (const c of containers) {
        const cname = String(c.name ?? '?');
        for (const e of c.env ?? []) {
            const name = String(e.name);
            if (e.valueFrom) {
                const vf = e.valueFrom;
                const [kind, ref] = Object.entries(vf)[0] ?? ['?', {}];
                out.set(`env/${cname}/${name}`, `valueFrom:${kind}:${String(ref?.name ?? ref?.fieldPath ?? '')}/${String(ref?.key ?? '')}`);
            }
            else {
                out.set(`env/${cname}/${name}`, scalar(e.value ?? ''));
            }
        }
        for (const p of c.ports ?? [])
            out.set(`port/${cname}/${String(p.name ?? p.containerPort)}`, scalar(p.containerPort));
        for (const ef of c.envFrom ?? []) {
            const [kind, ref] = Object.entries(ef).find(([k]) => k !== 'prefix') ?? ['?', {}];
            out.set(`envFrom/${cname}/${kind}/${String(ref?.name ?? '?')}`, 'present');
        }
    }
}

;// CONCATENATED MODULE: ./src/schema/config/check.ts
/** Reads the configuration inputs at both refs and applies the CFG rules. */





async function checkConfig(input, base, head, git) {
    const files = [...new Set([...(input.files ?? []), ...(input.deploymentManifest ? [input.deploymentManifest] : [])])];
    const notes = [];
    const findings = [];
    const [atBase, atHead] = await Promise.all([readFilesAt(base, files, git), readFilesAt(head, files, git)]);
    const stableAll = new Map();
    const canaryAll = new Map();
    for (const f of files) {
        const s = atBase.get(f);
        const c = atHead.get(f);
        if (s === undefined && c === undefined) {
            notes.push(`Config file ${f} exists in neither ref; nothing to compare.`);
            continue;
        }
        if (s === undefined)
            notes.push(`Config file ${f} is new in the change; only its removal could break stable.`);
        const stable = s === undefined ? new Map() : flattenAt(f, s, base);
        const canary = c === undefined ? new Map() : flattenAt(f, c, head);
        if (c === undefined)
            notes.push(`Config file ${f} is deleted in the change.`);
        for (const [k, v] of stable)
            stableAll.set(k, v);
        for (const [k, v] of canary)
            canaryAll.set(k, v);
        const hits = diffConfig({ file: f, stable, canary, keys: input.keys });
        findings.push(...hitsToFindings(hits, undefined, new Set()).map((x) => ({ ...x, file: f })));
    }
    // Metric names may move between files, so they are compared over all files together.
    if (input.metricNames?.length) {
        findings.push(...hitsToFindings(metricNamesRemoved(stableAll, canaryAll, input.metricNames), undefined, new Set()));
    }
    return { findings, notes, files };
}
function flattenAt(path, text, ref) {
    try {
        return flattenConfigFile(path, text);
    }
    catch (err) {
        throw new errors/* InputError */.dz('config.files', `${err.message} (at ${ref}); fix the file or leave it out of config.files`);
    }
}

;// CONCATENATED MODULE: ./src/schema/discovery.ts
/**
 * Finds the migrations of the stable ref and the ones the change adds, and checks that the change
 * does not rewrite history (SC122).
 */





/** A file the deprecation list lives in, one object per line (directives in SQL comments work too). */
const CONTRACT_FILE = 'canary-gate-contract.txt';
/** Forward migrations only: `.down.sql` and sqitch's revert/verify scripts never run on deploy. */
function isForwardMigration(path) {
    const p = path.toLowerCase();
    if (!p.endsWith('.sql') || p.endsWith('.down.sql') || p.endsWith('_down.sql'))
        return false;
    const parts = p.split('/');
    return !parts.includes('revert') && !parts.includes('verify') && !parts.includes('down');
}
/** Application order: natural order of the path inside the directory (V2 before V10). */
function compareMigrations(a, b) {
    return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}
async function discoverMigrations(dir, base, head, opts) {
    const cleanDir = external_node_path_.posix.normalize(dir.replaceAll('\\', '/')).replace(/\/$/, '');
    if (cleanDir.startsWith('..') || cleanDir.startsWith('/'))
        throw new errors/* InputError */.dz('dir', `expected a directory inside the repository, relative to its root; found ${dir}`);
    await Promise.all([resolveRef(base, 'base', opts), resolveRef(head, 'head', opts)]);
    const [stableAll, diff] = await Promise.all([listFilesAt(base, cleanDir, opts), changedFiles(base, head, cleanDir, opts)]);
    const stablePaths = stableAll.filter(isForwardMigration).sort(compareMigrations);
    const contractPaths = stableAll.filter((p) => external_node_path_.posix.basename(p) === CONTRACT_FILE);
    const addedPaths = diff.filter((f) => (f.status === 'A' || f.status === 'C') && isForwardMigration(f.path)).map((f) => f.path).sort(compareMigrations);
    const history = [];
    const info = (0,catalog/* ruleInfo */.PI)('SC122');
    const newestStable = stablePaths[stablePaths.length - 1];
    for (const f of diff) {
        const wasMigration = isForwardMigration(f.oldPath ?? f.path);
        if (!wasMigration)
            continue;
        if (f.status === 'M' || f.status === 'T') {
            history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.path, message: `${f.path} is already in the stable ref and was edited: databases that ran it will not run it again, so they differ from new ones.`, alternative: info.alternative });
        }
        else if (f.status === 'D') {
            history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.path, message: `${f.path} is in the stable ref and was deleted: the migration history no longer matches databases that ran it.`, alternative: info.alternative });
        }
        else if (f.status === 'R') {
            history.push({ rule: 'SC122', verdict: info.verdict, file: f.path, object: f.oldPath, message: `${f.oldPath} is in the stable ref and was renamed to ${f.path}: migration tools will run it again (or report a checksum/history mismatch).`, alternative: info.alternative });
        }
    }
    if (newestStable) {
        for (const p of addedPaths) {
            if (compareMigrations(p, newestStable) < 0) {
                history.push({ rule: 'SC122', verdict: info.verdict, file: p, object: p, message: `${p} is new but sorts before ${newestStable}, the newest migration of the stable ref: databases already past it will skip it or refuse to migrate.`, alternative: info.alternative });
            }
        }
    }
    const [stableTexts, changeTexts] = await Promise.all([
        readFilesAt(base, [...stablePaths, ...contractPaths], opts),
        readFilesAt(head, addedPaths, opts),
    ]);
    const contract = [];
    for (const p of stablePaths)
        contract.push(...contractDirectives(stableTexts.get(p) ?? ''));
    for (const p of contractPaths) {
        for (const line of (stableTexts.get(p) ?? '').split('\n')) {
            const t = line.trim();
            if (t && !t.startsWith('#') && !t.startsWith('--'))
                contract.push(t.toLowerCase());
        }
    }
    return {
        stable: stablePaths.map((path) => ({ path, text: stableTexts.get(path) ?? '' })),
        change: addedPaths.map((path) => ({ path, text: changeTexts.get(path) ?? '' })),
        history,
        contract,
    };
}

// EXTERNAL MODULE: ./src/schema/model.ts
var schema_model = __webpack_require__(52442);
;// CONCATENATED MODULE: ./src/schema/mysql/ast.ts
const INT_BYTES = { TINYINT: 1, SMALLINT: 2, MEDIUMINT: 3, INT: 4, INTEGER: 4, BIGINT: 8 };
const TEXT_LENGTH = { TINYTEXT: 255, TEXT: 65535, MEDIUMTEXT: 16777215, LONGTEXT: 4294967295 };
function mysqlType(def) {
    const dt = String(def?.dataType ?? '?').toUpperCase();
    const suffix = Array.isArray(def?.suffix) ? def.suffix.map((x) => String(x).toUpperCase()) : [];
    const unsigned = suffix.includes('UNSIGNED');
    const len = typeof def?.length === 'number' ? def.length : undefined;
    const name = `${dt.toLowerCase()}${len !== undefined ? `(${len}${def.scale !== undefined && def.scale !== null ? `,${def.scale}` : ''})` : ''}${unsigned ? ' unsigned' : ''}`;
    const t = { family: 'other', name };
    if (dt in INT_BYTES)
        return dt === 'TINYINT' && len === 1 ? { ...t, family: 'bool' } : { ...t, family: 'int', bytes: INT_BYTES[dt], unsigned };
    if (dt in TEXT_LENGTH)
        return { ...t, family: 'text', length: TEXT_LENGTH[dt] };
    switch (dt) {
        case 'VARCHAR':
        case 'CHAR':
            return { ...t, family: 'text', length: len ?? 1 };
        case 'DECIMAL':
        case 'NUMERIC':
            return { ...t, family: 'numeric', precision: len ?? 10, scale: def.scale ?? 0 };
        case 'FLOAT':
            return { ...t, family: 'float', bytes: 4 };
        case 'DOUBLE':
        case 'REAL':
            return { ...t, family: 'float', bytes: 8 };
        case 'BOOLEAN':
        case 'BOOL':
            return { ...t, family: 'bool' };
        case 'DATETIME':
            return { ...t, family: 'timestamp' };
        case 'TIMESTAMP':
            return { ...t, family: 'timestamptz' };
        case 'DATE':
            return { ...t, family: 'date' };
        case 'TIME':
            return { ...t, family: 'time' };
        case 'JSON':
            return { ...t, family: 'json' };
        case 'ENUM':
        case 'SET': {
            const values = (def.expr?.value ?? []).map((v) => String(v.value));
            return { ...t, family: 'enum', name: `${dt.toLowerCase()}(${values.join(',')})`, enumValues: values };
        }
        default:
            return t;
    }
}
/** A column definition of CREATE TABLE or ALTER TABLE ADD/MODIFY/CHANGE (MODIFY restates it whole). */
function mysqlColumn(name, d, origin) {
    const notNull = d?.nullable?.type === 'not null' || Boolean(d?.primary_key);
    const hasDefault = Boolean(d?.default_val);
    return {
        name,
        type: mysqlType(d?.definition),
        notNull,
        hasDefault: hasDefault || Boolean(d?.auto_increment),
        defaultText: hasDefault ? JSON.stringify(d.default_val.value) : undefined,
        identity: Boolean(d?.auto_increment),
        generated: Boolean(d?.generated),
        origin,
    };
}
function colName(c) {
    const v = c?.column;
    if (typeof v === 'string')
        return v;
    return String(v?.expr?.value ?? v?.value ?? c?.value ?? '?');
}
function tableName(t) {
    return String(t?.table ?? '?');
}
/** The ALTER TABLE actions of a statement, each with its table. */
function alterActions(ast) {
    if (ast?.type !== 'alter' || !Array.isArray(ast.table))
        return [];
    const table = tableName(ast.table[0]);
    return (ast.expr ?? []).map((action) => ({ table, action }));
}

;// CONCATENATED MODULE: ./src/schema/rules/mysql.ts
/**
 * MySQL/MariaDB statement rules. Same ids as PostgreSQL; MODIFY and CHANGE restate the whole column,
 * so they are compared with the stable definition field by field (type, NULL, DEFAULT).
 */


/** SC120: unparsable statements cannot be checked. */
const myOpaque = (s) => s.ast ? [] : [{ rule: 'SC120', object: s.file, message: `The statement does not parse as MySQL (${s.parseError ?? 'syntax error'}): it cannot be checked statically.` }];
/** SC101 drop table, SC112 drop view/procedure/function/trigger. */
const myDrop = (s, ctx) => {
    const ast = s.ast;
    if (ast?.type !== 'drop')
        return [];
    const names = Array.isArray(ast.name) ? ast.name : [ast.name];
    const hits = [];
    for (const n of names) {
        const key = tableName(n);
        if (ast.keyword === 'table' && (0,schema_model/* isStableTable */.SR)(ctx.model, key)) {
            hits.push({ rule: 'SC101', object: key, message: `Table ${key} is dropped while the stable version still uses it.`, contractable: true });
        }
        else if (['view', 'procedure', 'function', 'trigger'].includes(ast.keyword)) {
            const kind = ast.keyword === 'view' ? 'view' : ast.keyword === 'trigger' ? 'trigger' : 'function';
            const name = typeof n === 'string' ? n : String(n?.table ?? n?.name ?? colName(n));
            if ((0,schema_model/* isStableObject */.h8)(ctx.model, kind, name)) {
                hits.push({ rule: 'SC112', object: `${ast.keyword} ${name}`, verdict: kind === 'trigger' ? 'warn' : undefined, message: `The ${ast.keyword} ${name} is dropped while the stable version may still use it.`, contractable: true });
            }
        }
    }
    return hits;
};
/** SC103: RENAME TABLE and ALTER TABLE … RENAME TO. */
const myRenameTable = (s, ctx) => {
    const pairs = [];
    if (s.ast?.type === 'rename')
        for (const [a, b] of s.ast.table ?? [])
            pairs.push([tableName(a), tableName(b)]);
    for (const { table, action } of alterActions(s.ast))
        if (action.resource === 'table' && action.action === 'rename')
            pairs.push([table, String(action.table)]);
    return pairs
        .filter(([from]) => (0,schema_model/* isStableTable */.SR)(ctx.model, from))
        .map(([from, to]) => {
        const viewBack = ctx.later.some((o) => o.ast?.type === 'create' && o.ast.keyword === 'view' && tableName(o.ast.view ?? o.ast.table?.[0]) === from);
        return {
            rule: 'SC103',
            object: from,
            verdict: viewBack ? 'warn' : undefined,
            message: viewBack
                ? `${from} is renamed to ${to}; a view under the old name keeps stable reads working (writes only if the view is updatable).`
                : `${from} is renamed to ${to}: the stable version's queries still use ${from} and fail.`,
            contractable: true,
        };
    });
};
/** SC102: DROP COLUMN. */
const myDropColumn = (s, ctx) => alterActions(s.ast)
    .filter(({ table, action }) => action.resource === 'column' && action.action === 'drop' && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, colName(action.column)))
    .map(({ table, action }) => ({ rule: 'SC102', object: `${table}.${colName(action.column)}`, message: `Column ${table}.${colName(action.column)} is dropped while the stable version still uses it.`, contractable: true }));
/** SC105: ADD COLUMN … NOT NULL without DEFAULT (strict mode rejects stable INSERTs that omit it). */
const myAddNotNull = (s, ctx) => alterActions(s.ast)
    .filter(({ table, action }) => action.resource === 'column' && action.action === 'add' && (0,schema_model/* isStableTable */.SR)(ctx.model, table))
    .filter(({ action }) => {
    const c = mysqlColumn(colName(action.column), action, 'change');
    return c.notNull && !c.hasDefault && !c.generated;
})
    .map(({ table, action }) => ({ rule: 'SC105', object: `${table}.${colName(action.column)}`, message: `Column ${table}.${colName(action.column)} is added NOT NULL without a DEFAULT: stable INSERTs omit it and fail ("Field doesn't have a default value").` }));
function isRenameBack(ctx, table, oldName) {
    return ctx.later.some((o) => alterActions(o.ast).some(({ table: t, action }) => t === table && action.resource === 'column' && action.action === 'add' && colName(action.column) === oldName && Boolean(action.generated)));
}
/** SC104: CHANGE old new and RENAME COLUMN. */
const myRenameColumn = (s, ctx) => {
    const hits = [];
    for (const { table, action } of alterActions(s.ast)) {
        if (action.resource !== 'column' || (action.action !== 'change' && action.action !== 'rename'))
            continue;
        const from = colName(action.old_column);
        const to = colName(action.column);
        if (from === to || !(0,schema_model/* isStableColumn */.gT)(ctx.model, table, from))
            continue;
        const back = isRenameBack(ctx, table, from);
        hits.push({
            rule: 'SC104',
            object: `${table}.${from}`,
            verdict: back ? 'warn' : undefined,
            message: back
                ? `Column ${table}.${from} is renamed to ${to}; a generated column under the old name keeps stable reads working, but stable writes to it fail.`
                : `Column ${table}.${from} is renamed to ${to}${action.action === 'change' ? ' (CHANGE)' : ''}: the stable version's queries still use the old name and fail.`,
            contractable: true,
        });
    }
    return hits;
};
/** The stable definition and the restated one, for MODIFY/CHANGE. */
function restated(s, ctx) {
    const out = [];
    for (const { table, action } of alterActions(s.ast)) {
        if (action.resource !== 'column' || (action.action !== 'modify' && action.action !== 'change'))
            continue;
        const oldName = action.action === 'change' ? colName(action.old_column) : colName(action.column);
        if (!(0,schema_model/* isStableColumn */.gT)(ctx.model, table, oldName))
            continue;
        const old = ctx.model.tables.get(table)?.columns.get(oldName);
        if (!old)
            continue;
        out.push({ table, object: `${table}.${oldName}`, old, now: mysqlColumn(colName(action.column), action, 'change') });
    }
    return out;
}
/** SC106, SC107, SC114, SC117 hidden in a MODIFY/CHANGE that restates the column. */
const myRestatedNullability = (s, ctx) => {
    const hits = [];
    for (const { object, old, now } of restated(s, ctx)) {
        if (!old.notNull && now.notNull)
            hits.push({ rule: 'SC106', object, message: `The MODIFY/CHANGE of ${object} makes it NOT NULL: stable writes that leave it NULL fail.` });
        if (old.notNull && !now.notNull)
            hits.push({ rule: 'SC114', object, message: `The MODIFY/CHANGE of ${object} leaves NOT NULL out: stable readers may meet NULL.` });
        if (old.hasDefault && !now.hasDefault && now.notNull) {
            hits.push({ rule: 'SC107', object, message: `The MODIFY/CHANGE of ${object} leaves the DEFAULT out (MODIFY restates the whole column): stable INSERTs that omit it now fail.` });
        }
        else if (old.hasDefault && now.hasDefault && old.defaultText !== now.defaultText) {
            hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
        }
        if (!old.generated && now.generated)
            hits.push({ rule: 'SC118', object, message: `${object} becomes a generated column: stable writes to it fail.` });
    }
    return hits;
};
/**
 * ALTER COLUMN … SET/DROP DEFAULT (read by the pre-pass). Dropping the default of a stable NOT NULL
 * column is SC107; dropping it from a NOT NULL column the change itself added to a stable table
 * leaves, in net effect, a NOT NULL column without a default that stable INSERTs omit: SC105.
 */
const myAlterDefault = (s, ctx) => {
    const hits = [];
    for (const { table, action } of alterActions(s.ast)) {
        if (action.resource !== 'column' || action.action !== 'alter' || action.default_val === undefined)
            continue;
        const name = colName(action.column);
        const object = `${table}.${name}`;
        const c = ctx.model.tables.get(table)?.columns.get(name);
        if (!c || !(0,schema_model/* isStableTable */.SR)(ctx.model, table))
            continue;
        if (action.default_val === null) {
            if (!c.notNull || !c.hasDefault || c.identity)
                continue;
            if (c.origin === 'stable')
                hits.push({ rule: 'SC107', object, message: `The default of NOT NULL column ${object} is dropped: stable INSERTs that omit it fail ("Field doesn't have a default value").` });
            else
                hits.push({ rule: 'SC105', object, message: `${object}, added by this change NOT NULL with a default, loses the default here: in net effect a NOT NULL column without a default, which stable INSERTs omit and fail.` });
        }
        else if (c.origin === 'stable' && c.hasDefault && c.defaultText !== JSON.stringify(action.default_val.value)) {
            hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
        }
    }
    return hits;
};
/** SC108, SC109, SC115, SC116 for MODIFY/CHANGE type changes. */
const myTypeChange = (s, ctx) => {
    const hits = [];
    for (const { object, old, now } of restated(s, ctx)) {
        const change = (0,schema_model/* compareTypes */.Zw)(old.type, now.type);
        if (old.type.family === 'enum' && now.type.family === 'enum') {
            const missing = (old.type.enumValues ?? []).filter((v) => !(now.type.enumValues ?? []).includes(v));
            if (missing.length)
                hits.push({ rule: 'SC109', object, message: `${object} drops enum values ${missing.join(', ')}: stable writes of them fail (or are truncated).` });
            else if (change === 'widen-visible')
                hits.push({ rule: 'SC115', object, message: `${object} gains enum values: stable readers may not know them.` });
            continue;
        }
        if (change === 'narrow' || change === 'family-change')
            hits.push({ rule: 'SC108', object, message: `${object} changes from ${old.type.name} to ${now.type.name}, which does not hold every old value: stable writes may fail or be truncated.` });
        else if (change === 'widen-visible')
            hits.push({ rule: 'SC116', object, message: `${object} widens from ${old.type.name} to ${now.type.name}: stable clients read the new type.` });
    }
    return hits;
};
/** SC110 new UNIQUE/FOREIGN KEY/CHECK or unique index; SC111 dropped unique index. */
const myConstraints = (s, ctx) => {
    const hits = [];
    const ast = s.ast;
    if (ast?.type === 'create' && ast.keyword === 'index' && String(ast.index_type ?? '').toLowerCase() === 'unique' && (0,schema_model/* isStableTable */.SR)(ctx.model, tableName(ast.table))) {
        hits.push({ rule: 'SC110', object: `${tableName(ast.table)}.${ast.index}`, message: `A unique index is added to ${tableName(ast.table)}: stable writes of duplicates fail.` });
    }
    if (ast?.type === 'drop' && ast.keyword === 'index') {
        const key = `${tableName(ast.table)}.${colName(ast.name)}`;
        if (ctx.model.indexes.get(key)?.unique && ctx.model.indexes.get(key)?.origin === 'stable')
            hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} is dropped: stable upserts (ON DUPLICATE KEY) that rely on it change behaviour.` });
    }
    for (const { table, action } of alterActions(ast)) {
        if (action.resource === 'constraint' && action.action === 'add' && (0,schema_model/* isStableTable */.SR)(ctx.model, table)) {
            const kind = String(action.create_definitions?.constraint_type ?? '').toUpperCase();
            if (kind.includes('UNIQUE') || kind.includes('FOREIGN') || kind.includes('CHECK') || kind.includes('PRIMARY')) {
                hits.push({ rule: 'SC110', object: `${table}${action.create_definitions?.constraint ? `.${action.create_definitions.constraint}` : ''}`, message: `A ${kind} constraint is added to ${table}: stable writes that violate it fail.` });
            }
        }
        if (action.resource === 'index' && action.action === 'drop') {
            const key = `${table}.${action.index}`;
            if (ctx.model.indexes.get(key)?.unique && ctx.model.indexes.get(key)?.origin === 'stable')
                hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} is dropped: stable upserts (ON DUPLICATE KEY) that rely on it change behaviour.` });
        }
    }
    return hits;
};
/** SC119: TRUNCATE, DELETE/UPDATE without WHERE. */
const myDataDestruction = (s, ctx) => {
    const ast = s.ast;
    if (ast?.type === 'truncate')
        return (ast.name ?? []).map((n) => tableName(n)).filter((t) => (0,schema_model/* isStableTable */.SR)(ctx.model, t)).map((t) => ({ rule: 'SC119', object: t, message: `TRUNCATE ${t} destroys the data the stable version serves.` }));
    if ((ast?.type === 'delete' || ast?.type === 'update') && !ast.where) {
        const t = tableName(ast.table?.[0]);
        if ((0,schema_model/* isStableTable */.SR)(ctx.model, t))
            return [{ rule: 'SC119', object: t, message: `${ast.type.toUpperCase()} without WHERE touches every row of ${t}.` }];
    }
    return [];
};
/** SC310: ALGORITHM=COPY, LOCK=SHARED/EXCLUSIVE, or a column type change (needs COPY). */
const myLocking = (s, ctx) => {
    const hits = [];
    const acts = alterActions(s.ast);
    for (const { table, action } of acts) {
        if (action.resource === 'algorithm' && String(action.algorithm).toUpperCase() === 'COPY')
            hits.push({ rule: 'SC310', object: table, message: `ALGORITHM=COPY rebuilds ${table} and blocks writes of both versions meanwhile.` });
        if (action.resource === 'lock' && ['SHARED', 'EXCLUSIVE'].includes(String(action.lock).toUpperCase()))
            hits.push({ rule: 'SC310', object: table, message: `LOCK=${String(action.lock).toUpperCase()} blocks ${String(action.lock).toUpperCase() === 'SHARED' ? 'writes' : 'reads and writes'} on ${table} for the whole ALTER.` });
    }
    for (const { object, old, now } of restated(s, ctx)) {
        const change = (0,schema_model/* compareTypes */.Zw)(old.type, now.type);
        const inplace = change === 'same' || (change === 'widen-invisible' && old.type.family === 'text' && (old.type.length ?? 0) <= 255 === (now.type.length ?? 0) <= 255);
        if (!inplace)
            hits.push({ rule: 'SC310', object, message: `Changing ${object} from ${old.type.name} to ${now.type.name} cannot run INPLACE/INSTANT: the table is copied and writes wait.` });
    }
    return hits;
};
const MYSQL_RULES = [
    myOpaque,
    myDrop,
    myRenameTable,
    myDropColumn,
    myAddNotNull,
    myRenameColumn,
    myRestatedNullability,
    myAlterDefault,
    myTypeChange,
    myConstraints,
    myDataDestruction,
    myLocking,
];

;// CONCATENATED MODULE: ./src/schema/mysql/model-builder.ts

function indexName(cd) {
    return cd?.index ?? cd?.constraint ?? undefined;
}
function applyMysqlStatement(model, s, origin) {
    const ast = s.ast;
    if (!ast)
        return;
    if (ast.type === 'create' && ast.keyword === 'table') {
        const key = tableName(ast.table?.[0]);
        const t = { name: key, columns: new Map(), origin };
        for (const d of ast.create_definitions ?? []) {
            if (d.resource === 'column') {
                const c = mysqlColumn(colName(d.column), d, origin);
                t.columns.set(c.name, c);
                if (d.unique)
                    model.indexes.set(`${key}.${c.name}`, { name: c.name, table: key, unique: true, origin });
            }
            else if (d.resource === 'constraint' && /unique|primary/i.test(String(d.constraint_type))) {
                const name = indexName(d) ?? (/primary/i.test(String(d.constraint_type)) ? 'PRIMARY' : colName(d.definition?.[0]));
                model.indexes.set(`${key}.${name}`, { name, table: key, unique: true, origin });
                if (/primary/i.test(String(d.constraint_type)))
                    for (const k of d.definition ?? []) {
                        const c = t.columns.get(colName(k));
                        if (c)
                            c.notNull = true;
                    }
            }
            else if (d.resource === 'index') {
                const name = indexName(d) ?? colName(d.definition?.[0]);
                model.indexes.set(`${key}.${name}`, { name, table: key, unique: false, origin });
            }
        }
        model.tables.set(key, t);
        return;
    }
    if (ast.type === 'create' && ast.keyword === 'index') {
        const table = tableName(ast.table);
        model.indexes.set(`${table}.${ast.index}`, { name: String(ast.index), table, unique: String(ast.index_type ?? '').toLowerCase() === 'unique', origin });
        return;
    }
    if (ast.type === 'create' && ast.keyword === 'view') {
        model.objects.set(`view:${tableName(ast.view ?? ast.table?.[0])}`, origin);
        return;
    }
    if (ast.type === 'create' && (ast.keyword === 'procedure' || ast.keyword === 'function' || ast.keyword === 'trigger')) {
        const kind = ast.keyword === 'trigger' ? 'trigger' : 'function';
        const name = String(ast.trigger?.table ?? ast.name?.name?.[0]?.value ?? ast.name ?? '?');
        model.objects.set(`${kind}:${name}`, origin);
        return;
    }
    if (ast.type === 'drop') {
        const names = Array.isArray(ast.name) ? ast.name : [ast.name];
        for (const n of names) {
            if (ast.keyword === 'table')
                model.tables.delete(tableName(n));
            else if (ast.keyword === 'index')
                model.indexes.delete(`${tableName(ast.table)}.${colName(n)}`);
            else if (ast.keyword === 'view')
                model.objects.delete(`view:${tableName(n)}`);
        }
        return;
    }
    if (ast.type === 'rename') {
        for (const [from, to] of ast.table ?? [])
            renameTable(model, tableName(from), tableName(to));
        return;
    }
    for (const { table, action } of alterActions(ast)) {
        const t = model.tables.get(table);
        if (!t)
            continue;
        if (action.resource === 'column') {
            if (action.action === 'add') {
                const c = mysqlColumn(colName(action.column), action, origin);
                t.columns.set(c.name, c);
            }
            else if (action.action === 'drop') {
                t.columns.delete(colName(action.column));
            }
            else if (action.action === 'modify' || action.action === 'change') {
                const oldName = action.action === 'change' ? colName(action.old_column) : colName(action.column);
                const prev = t.columns.get(oldName);
                const c = mysqlColumn(colName(action.column), action, prev?.origin ?? origin);
                t.columns.delete(oldName);
                t.columns.set(c.name, c);
            }
            else if (action.action === 'alter' && action.default_val !== undefined) {
                const c = t.columns.get(colName(action.column));
                if (c) {
                    c.hasDefault = action.default_val !== null || c.identity;
                    c.defaultText = action.default_val ? JSON.stringify(action.default_val.value) : undefined;
                }
            }
            else if (action.action === 'rename') {
                const prev = t.columns.get(colName(action.old_column));
                if (prev) {
                    t.columns.delete(prev.name);
                    t.columns.set(colName(action.column), { ...prev, name: colName(action.column) });
                }
            }
        }
        else if (action.resource === 'table' && action.action === 'rename') {
            renameTable(model, table, String(action.table));
        }
        else if (action.resource === 'constraint' && action.action === 'add') {
            const cd = action.create_definitions;
            if (/unique|primary/i.test(String(cd?.constraint_type))) {
                const name = indexName(cd) ?? colName(cd?.definition?.[0]);
                model.indexes.set(`${table}.${name}`, { name, table, unique: true, origin });
            }
        }
        else if (action.resource === 'index' && action.action === 'add') {
            model.indexes.set(`${table}.${action.index}`, { name: String(action.index), table, unique: false, origin });
        }
        else if (action.resource === 'index' && action.action === 'drop') {
            model.indexes.delete(`${table}.${action.index}`);
        }
    }
}
function renameTable(model, from, to) {
    const t = model.tables.get(from);
    if (!t)
        return;
    model.tables.delete(from);
    model.tables.set(to, { ...t, name: to });
    for (const idx of model.indexes.values())
        if (idx.table === from)
            idx.table = to;
}

;// CONCATENATED MODULE: ./src/schema/mysql/prepass.ts
const IDENT = '(?:`(?:[^`]|``)+`|[A-Za-z0-9_$]+)';
const ALTER_TABLE = new RegExp(`^ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(${IDENT}(?:\\s*\\.\\s*${IDENT})?)\\s+([\\s\\S]+)$`, 'i');
const ALTER_COLUMN = new RegExp(`^ALTER\\s+(?:COLUMN\\s+)?(${IDENT})\\s+(SET\\s+DEFAULT\\s+([\\s\\S]+)|DROP\\s+DEFAULT|SET\\s+(VISIBLE|INVISIBLE))$`, 'i');
function unquote(id) {
    return id.startsWith('`') ? id.slice(1, -1).replace(/``/g, '`') : id;
}
/** Splits at commas outside parentheses, quotes and backticks. */
function splitClauses(text) {
    const out = [];
    let depth = 0;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (ch === "'" || ch === '"' || ch === '`') {
            for (i++; i < text.length && text[i] !== ch; i++)
                if (text[i] === '\\' && ch !== '`')
                    i++;
        }
        else if (ch === '(')
            depth++;
        else if (ch === ')')
            depth--;
        else if (ch === ',' && depth === 0) {
            out.push(text.slice(start, i).trim());
            start = i + 1;
        }
    }
    out.push(text.slice(start).trim());
    return out.filter(Boolean);
}
/** A default expression as node-sql-parser gives it (`{ type, value }`), enough to compare defaults. */
function defaultValue(expr) {
    const e = expr.trim().replace(/^\((.*)\)$/s, '$1').trim();
    const quoted = /^'((?:[^'\\]|\\.|'')*)'$/s.exec(e);
    if (quoted)
        return { type: 'single_quote_string', value: quoted[1].replace(/''/g, "'") };
    if (/^-?\d+(\.\d+)?$/.test(e))
        return { type: 'number', value: Number(e) };
    if (/^null$/i.test(e))
        return { type: 'null', value: null };
    return { type: 'expr', value: e };
}
function prepassAlter(statement) {
    const m = ALTER_TABLE.exec(statement.trim().replace(/;\s*$/, ''));
    if (!m)
        return undefined;
    const parts = m[1].split(/\s*\.\s*(?=(?:`|[A-Za-z0-9_$]))/);
    const table = parts.length === 2 ? { db: unquote(parts[0]), table: unquote(parts[1]) } : { db: null, table: unquote(parts[0]) };
    const actions = [];
    const kept = [];
    for (const clause of splitClauses(m[2])) {
        const c = ALTER_COLUMN.exec(clause);
        if (!c) {
            kept.push(clause);
            continue;
        }
        const column = { column: unquote(c[1]) };
        if (c[4])
            actions.push({ action: 'alter', resource: 'column', column, visibility: c[4].toLowerCase() });
        else if (c[3] !== undefined)
            actions.push({ action: 'alter', resource: 'column', column, default_val: { type: 'default', value: defaultValue(c[3]) } });
        else
            actions.push({ action: 'alter', resource: 'column', column, default_val: null });
    }
    if (actions.length === 0)
        return undefined;
    return { rest: kept.length ? `ALTER TABLE ${m[1]} ${kept.join(', ')}` : undefined, table, actions };
}

;// CONCATENATED MODULE: ./src/schema/mysql/parse.ts

async function loadMysqlParser() {
    const mod = (await __webpack_require__.e(/* import() */ 442).then(__webpack_require__.t.bind(__webpack_require__, 56442, 23)));
    const Parser = mod.Parser ?? mod.default?.Parser;
    const parser = new Parser();
    return {
        parseFile(sql, file, firstIndex) {
            return splitMysql(sql).map((chunk, i) => {
                const s = { file, line: chunk.line, index: firstIndex + i, text: chunk.text };
                try {
                    // Clauses the grammar does not know are read by the pre-pass, the rest by the parser.
                    const pre = prepassAlter(chunk.text);
                    if (pre) {
                        const ast = pre.rest ? parser.astify(pre.rest, { database: 'MySQL' }) : { type: 'alter', table: [pre.table], expr: [] };
                        s.ast = Array.isArray(ast) ? ast[0] : ast;
                        s.ast.expr = [...(s.ast.expr ?? []), ...pre.actions];
                    }
                    else {
                        const ast = parser.astify(chunk.text, { database: 'MySQL' });
                        s.ast = Array.isArray(ast) ? ast[0] : ast;
                    }
                }
                catch (err) {
                    s.parseError = (err instanceof Error ? err.message : String(err)).slice(0, 200);
                }
                return s;
            });
        },
    };
}
/** Statement boundaries: `;` outside quotes, backticks and comments. */
function splitMysql(sql) {
    const out = [];
    let start = -1;
    let startLine = 1;
    let line = 1;
    let i = 0;
    const push = (end) => {
        if (start >= 0) {
            const text = sql.slice(start, end).trim();
            if (text)
                out.push({ text, line: startLine });
        }
        start = -1;
    };
    while (i < sql.length) {
        const ch = sql[i];
        if (ch === '\n') {
            line++;
            i++;
            continue;
        }
        if ((ch === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' ')) || ch === '#') {
            while (i < sql.length && sql[i] !== '\n')
                i++;
            continue;
        }
        if (ch === '/' && sql[i + 1] === '*') {
            const end = sql.indexOf('*/', i + 2);
            const stop = end < 0 ? sql.length : end + 2;
            for (let j = i; j < stop; j++)
                if (sql[j] === '\n')
                    line++;
            i = stop;
            continue;
        }
        if (/\s/.test(ch)) {
            i++;
            continue;
        }
        if (start < 0) {
            start = i;
            startLine = line;
        }
        if (ch === "'" || ch === '"' || ch === '`') {
            i++;
            while (i < sql.length && sql[i] !== ch) {
                if (sql[i] === '\\' && ch !== '`')
                    i++;
                else if (sql[i] === '\n')
                    line++;
                i++;
            }
            i++;
            continue;
        }
        if (ch === ';') {
            push(i);
            i++;
            continue;
        }
        i++;
    }
    push(sql.length);
    return out;
}

;// CONCATENATED MODULE: ./src/schema/mysql/check.ts
/** The MySQL/MariaDB pipeline: parse, build the stable model, classify each new statement. */





function buildMysqlModel(stmts, contract = []) {
    const model = (0,schema_model/* emptyModel */.$Q)();
    for (const s of stmts)
        applyMysqlStatement(model, s, 'stable');
    (0,schema_model/* markAllStable */.Uv)(model);
    for (const c of contract)
        model.contract.add(c);
    return model;
}
function classifyMysqlChange(stable, change) {
    const model = (0,schema_model/* cloneModel */.n4)(stable);
    const findings = [];
    for (const s of change) {
        const later = change.filter((o) => o.index > s.index);
        let hits = [];
        for (const rule of MYSQL_RULES)
            hits = hits.concat(rule(s, { model, later }));
        findings.push(...hitsToFindings(hits, s, model.contract));
        applyMysqlStatement(model, s, 'change');
    }
    return findings;
}
async function parseMysqlFiles(files) {
    const parser = await loadMysqlParser();
    const out = [];
    for (const f of files)
        out.push(...parser.parseFile(f.text, f.path, out.length));
    return out;
}
async function checkMysql(input) {
    const notes = [];
    const stableStmts = await parseMysqlFiles(input.stable);
    const bad = stableStmts.filter((s) => !s.ast);
    if (bad.length)
        notes.push(`${bad.length} stable statement(s) do not parse as MySQL (first: ${bad[0].file}:${bad[0].line}); the stable model leaves them out.`);
    const model = input.stableModel ?? buildMysqlModel(stableStmts, input.contract);
    for (const c of input.contract)
        model.contract.add(c);
    const change = await parseMysqlFiles(input.change);
    return { findings: classifyMysqlChange(model, change), notes };
}

// EXTERNAL MODULE: ./src/schema/pg/ast.ts
var ast = __webpack_require__(54333);
;// CONCATENATED MODULE: ./src/schema/rules/pg-context.ts

/** The sub-commands of an ALTER TABLE, each with its table key. */
function alterCmds(s) {
    if (s.type !== 'AlterTableStmt' || (s.node.objtype && s.node.objtype !== 'OBJECT_TABLE'))
        return [];
    const table = (0,ast/* rangeVarKey */.C5)(s.node.relation);
    return (s.node.cmds ?? []).map((c) => ({ table, cmd: c.AlterTableCmd })).filter((c) => c.cmd);
}
/** For `ADD CONSTRAINT … CHECK (col IS NOT NULL)`: the column, else undefined. */
function notNullCheckColumn(constraint) {
    if (constraint?.contype !== 'CONSTR_CHECK')
        return undefined;
    const t = constraint.raw_expr?.NullTest;
    if (!t || t.nulltesttype !== 'IS_NOT_NULL')
        return undefined;
    const fields = t.arg?.ColumnRef?.fields ?? [];
    const last = fields[fields.length - 1];
    return last?.String?.sval;
}

;// CONCATENATED MODULE: ./src/schema/pg/model-builder.ts

function columnFromDef(def, model, origin) {
    const cons = (0,ast/* constraintsOf */.Im)(def);
    const dflt = cons.find((c) => c.contype === 'CONSTR_DEFAULT');
    const serial = (0,ast/* isSerialType */.$f)(def.typeName);
    return {
        name: String(def.colname),
        type: (0,ast/* columnTypeOf */.gy)(def.typeName, model.enums),
        notNull: serial || cons.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY'),
        hasDefault: serial || Boolean(dflt) || cons.some((c) => c.contype === 'CONSTR_IDENTITY'),
        defaultText: dflt ? (0,ast/* exprText */.dM)(dflt.raw_expr) : serial ? 'serial' : undefined,
        identity: serial || cons.some((c) => c.contype === 'CONSTR_IDENTITY'),
        generated: cons.some((c) => c.contype === 'CONSTR_GENERATED'),
        origin,
    };
}
const KIND_OF = {
    OBJECT_VIEW: 'view',
    OBJECT_MATVIEW: 'view',
    OBJECT_FUNCTION: 'function',
    OBJECT_PROCEDURE: 'function',
    OBJECT_ROUTINE: 'function',
    OBJECT_SEQUENCE: 'sequence',
    OBJECT_TYPE: 'type',
    OBJECT_DOMAIN: 'type',
    OBJECT_SCHEMA: 'schema',
    OBJECT_TRIGGER: 'trigger',
};
function kindOf(objtype) {
    return KIND_OF[objtype];
}
/** Key of a dropped object in a DropStmt's `objects` list. */
function dropObjectKey(o, removeType) {
    if (o?.List)
        return (0,ast/* namesKey */.a7)(o.List.items);
    if (o?.ObjectWithArgs)
        return (0,ast/* namesKey */.a7)(o.ObjectWithArgs.objname);
    if (o?.TypeName)
        return (0,ast/* namesKey */.a7)(o.TypeName.names);
    if (o?.String)
        return String(o.String.sval);
    return removeType === 'OBJECT_SCHEMA' ? String(o?.sval ?? '?') : '?';
}
/** Unique and primary-key constraints are unique indexes to the rules (SC111 looks them up by name). */
function addUniqueConstraint(model, table, c, cols, origin) {
    if (c.contype !== 'CONSTR_UNIQUE' && c.contype !== 'CONSTR_PRIMARY')
        return;
    const rel = table.includes('.') ? table.slice(table.indexOf('.') + 1) : table;
    const schema = table.includes('.') ? table.slice(0, table.indexOf('.')) : undefined;
    const name = c.conname ?? (c.contype === 'CONSTR_PRIMARY' ? `${rel}_pkey` : `${rel}_${cols.join('_')}_key`);
    model.indexes.set((0,ast/* qualify */.Ss)(schema, name), { name, table, unique: true, origin });
}
function applyPgStatement(model, s, origin) {
    const n = s.node;
    switch (s.type) {
        case 'CreateStmt': {
            const key = (0,ast/* rangeVarKey */.C5)(n.relation);
            const table = { name: key, columns: new Map(), origin };
            for (const el of n.tableElts ?? []) {
                if (el.ColumnDef) {
                    const c = columnFromDef(el.ColumnDef, model, origin);
                    table.columns.set(c.name, c);
                }
                if (el.Constraint?.contype === 'CONSTR_PRIMARY') {
                    for (const k of (0,ast/* nameList */.OD)(el.Constraint.keys)) {
                        const c = table.columns.get(k);
                        if (c)
                            c.notNull = true;
                    }
                }
                if (el.Constraint)
                    addUniqueConstraint(model, key, el.Constraint, (0,ast/* nameList */.OD)(el.Constraint.keys), origin);
                for (const c of el.ColumnDef ? (0,ast/* constraintsOf */.Im)(el.ColumnDef) : []) {
                    addUniqueConstraint(model, key, c, [String(el.ColumnDef.colname)], origin);
                }
            }
            model.tables.set(key, table);
            return;
        }
        case 'AlterTableStmt': {
            const key = (0,ast/* rangeVarKey */.C5)(n.relation);
            const table = model.tables.get(key);
            if (!table)
                return;
            for (const cmdWrap of n.cmds ?? []) {
                const cmd = cmdWrap.AlterTableCmd;
                if (!cmd)
                    continue;
                const col = cmd.name ? table.columns.get(cmd.name) : undefined;
                switch (cmd.subtype) {
                    case 'AT_AddColumn': {
                        const c = columnFromDef(cmd.def.ColumnDef, model, origin);
                        table.columns.set(c.name, c);
                        break;
                    }
                    case 'AT_DropColumn':
                        if (cmd.name)
                            table.columns.delete(cmd.name);
                        break;
                    case 'AT_AlterColumnType':
                        if (col)
                            col.type = (0,ast/* columnTypeOf */.gy)(cmd.def?.ColumnDef?.typeName, model.enums);
                        break;
                    case 'AT_SetNotNull':
                        if (col)
                            col.notNull = true;
                        break;
                    case 'AT_DropNotNull':
                        if (col)
                            col.notNull = false;
                        break;
                    case 'AT_ColumnDefault':
                        if (col) {
                            col.hasDefault = Boolean(cmd.def);
                            col.defaultText = cmd.def ? (0,ast/* exprText */.dM)(cmd.def) : undefined;
                        }
                        break;
                    case 'AT_AddIdentity':
                        if (col) {
                            col.identity = true;
                            col.hasDefault = true;
                        }
                        break;
                    case 'AT_AddConstraint': {
                        const c = cmd.def?.Constraint;
                        if (c)
                            addUniqueConstraint(model, key, c, (0,ast/* nameList */.OD)(c.keys), origin);
                        break;
                    }
                    case 'AT_DropConstraint':
                        if (cmd.name)
                            model.indexes.delete((0,ast/* qualify */.Ss)(n.relation.schemaname, cmd.name));
                        break;
                    case 'AT_DropIdentity':
                        if (col) {
                            col.identity = false;
                            col.hasDefault = false;
                        }
                        break;
                    default:
                        break;
                }
            }
            return;
        }
        case 'RenameStmt': {
            if (n.renameType === 'OBJECT_COLUMN') {
                const table = model.tables.get((0,ast/* rangeVarKey */.C5)(n.relation));
                const col = table?.columns.get(n.subname);
                if (table && col) {
                    table.columns.delete(n.subname);
                    table.columns.set(n.newname, { ...col, name: n.newname });
                }
            }
            else if (n.renameType === 'OBJECT_TABLE') {
                const oldKey = (0,ast/* rangeVarKey */.C5)(n.relation);
                const table = model.tables.get(oldKey);
                if (table) {
                    model.tables.delete(oldKey);
                    const newKey = (0,ast/* qualify */.Ss)(n.relation.schemaname, n.newname);
                    model.tables.set(newKey, { ...table, name: newKey });
                }
            }
            else if (n.renameType === 'OBJECT_INDEX') {
                const idx = model.indexes.get((0,ast/* rangeVarKey */.C5)(n.relation));
                if (idx) {
                    model.indexes.delete((0,ast/* rangeVarKey */.C5)(n.relation));
                    model.indexes.set((0,ast/* qualify */.Ss)(n.relation.schemaname, n.newname), { ...idx, name: n.newname });
                }
            }
            return;
        }
        case 'AlterObjectSchemaStmt': {
            if (n.objectType === 'OBJECT_TABLE' && n.relation) {
                const oldKey = (0,ast/* rangeVarKey */.C5)(n.relation);
                const table = model.tables.get(oldKey);
                if (table) {
                    model.tables.delete(oldKey);
                    const newKey = (0,ast/* qualify */.Ss)(n.newschema, n.relation.relname);
                    model.tables.set(newKey, { ...table, name: newKey });
                }
            }
            return;
        }
        case 'DropStmt': {
            for (const o of n.objects ?? []) {
                const key = dropObjectKey(o, n.removeType);
                if (n.removeType === 'OBJECT_TABLE')
                    model.tables.delete(key);
                else if (n.removeType === 'OBJECT_INDEX')
                    model.indexes.delete(key);
                else if (n.removeType === 'OBJECT_TYPE')
                    model.enums.delete(key);
                const kind = kindOf(n.removeType);
                if (kind)
                    model.objects.delete(`${kind}:${key}`);
            }
            return;
        }
        case 'IndexStmt': {
            const key = (0,ast/* qualify */.Ss)(n.relation?.schemaname, n.idxname ?? `${n.relation?.relname}_idx`);
            model.indexes.set(key, { name: key, table: (0,ast/* rangeVarKey */.C5)(n.relation), unique: Boolean(n.unique), origin });
            return;
        }
        case 'CreateEnumStmt':
            model.enums.set((0,ast/* namesKey */.a7)(n.typeName), { values: (n.vals ?? []).map((v) => String(v.String?.sval)), origin });
            model.objects.set(`type:${(0,ast/* namesKey */.a7)(n.typeName)}`, origin);
            return;
        case 'AlterEnumStmt': {
            const e = model.enums.get((0,ast/* namesKey */.a7)(n.typeName));
            if (!e)
                return;
            if (n.oldVal)
                e.values = e.values.map((v) => (v === n.oldVal ? n.newVal : v));
            else if (n.newVal && !e.values.includes(n.newVal))
                e.values.push(n.newVal);
            return;
        }
        case 'ViewStmt':
            model.objects.set(`view:${(0,ast/* rangeVarKey */.C5)(n.view)}`, origin);
            return;
        case 'CreateTableAsStmt':
            if (n.objtype === 'OBJECT_MATVIEW')
                model.objects.set(`view:${(0,ast/* rangeVarKey */.C5)(n.into?.rel)}`, origin);
            return;
        case 'CreateFunctionStmt':
            model.objects.set(`function:${(0,ast/* namesKey */.a7)(n.funcname)}`, origin);
            return;
        case 'CreateSeqStmt':
            model.objects.set(`sequence:${(0,ast/* rangeVarKey */.C5)(n.sequence)}`, origin);
            return;
        case 'CreateSchemaStmt':
            model.objects.set(`schema:${n.schemaname}`, origin);
            return;
        case 'CompositeTypeStmt':
            model.objects.set(`type:${(0,ast/* rangeVarKey */.C5)(n.typevar)}`, origin);
            return;
        case 'CreateDomainStmt':
            model.objects.set(`type:${(0,ast/* namesKey */.a7)(n.domainname)}`, origin);
            return;
        case 'CreateTrigStmt':
            model.objects.set(`trigger:${(0,ast/* rangeVarKey */.C5)(n.relation)}.${n.trigname}`, origin);
            return;
        default:
            return;
    }
}

;// CONCATENATED MODULE: ./src/schema/rules/pg-constraints.ts
/** Constraints and unique indexes: SC110, SC111, SC303, SC304. */




const CONSTRAINT_KIND = {
    CONSTR_CHECK: 'CHECK',
    CONSTR_UNIQUE: 'UNIQUE',
    CONSTR_PRIMARY: 'PRIMARY KEY',
    CONSTR_FOREIGN: 'FOREIGN KEY',
    CONSTR_EXCLUSION: 'EXCLUDE',
};
/** SC110: rows the stable version writes may violate it, even NOT VALID (enforced on new rows). */
const newConstraint = (s, ctx) => {
    const hits = [];
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype !== 'AT_AddConstraint' || !(0,schema_model/* isStableTable */.SR)(ctx.model, table))
            continue;
        const c = cmd.def?.Constraint;
        const kind = CONSTRAINT_KIND[c?.contype];
        if (!kind || notNullCheckColumn(c))
            continue; // NOT NULL checks are SC106
        hits.push({ rule: 'SC110', object: `${table}${c.conname ? `.${c.conname}` : ''}`, message: `A ${kind} constraint is added to ${table}${c.skip_validation ? ' (NOT VALID still checks every new row)' : ''}: stable writes that violate it fail.` });
    }
    if (s.type === 'IndexStmt' && s.node.unique) {
        const table = (0,ast/* rangeVarKey */.C5)(s.node.relation);
        if ((0,schema_model/* isStableTable */.SR)(ctx.model, table)) {
            hits.push({ rule: 'SC110', object: `${table}.${s.node.idxname ?? 'unique index'}`, message: `A unique index is added to ${table}: stable writes of duplicate values fail (and the build fails if duplicates exist).` });
        }
    }
    return hits;
};
/** SC111: the stable version may rely on it (ON CONFLICT needs a matching unique index). */
const dropUnique = (s, ctx) => {
    const hits = [];
    if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_INDEX') {
        for (const o of s.node.objects ?? []) {
            const key = dropObjectKey(o, 'OBJECT_INDEX');
            const idx = ctx.model.indexes.get(key);
            if (idx?.unique && idx.origin === 'stable') {
                hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} on ${idx.table} is dropped: stable upserts (ON CONFLICT) that name it fail, and duplicates become possible.` });
            }
        }
    }
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype !== 'AT_DropConstraint')
            continue;
        const key = (0,ast/* qualify */.Ss)(table.includes('.') ? table.split('.')[0] : undefined, cmd.name);
        const idx = ctx.model.indexes.get(key);
        if (idx?.unique && idx.origin === 'stable') {
            hits.push({ rule: 'SC111', object: `${table}.${cmd.name}`, message: `Unique constraint ${cmd.name} on ${table} is dropped: stable upserts (ON CONFLICT) that rely on it fail.` });
        }
    }
    return hits;
};
/** SC303: validating scans the table under a lock that blocks writes. */
const constraintWithoutNotValid = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddConstraint' && (0,schema_model/* isStableTable */.SR)(ctx.model, table))
    .filter(({ cmd }) => ['CONSTR_CHECK', 'CONSTR_FOREIGN'].includes(cmd.def?.Constraint?.contype) && !cmd.def.Constraint.skip_validation)
    .map(({ table, cmd }) => ({ rule: 'SC303', object: table, message: `${CONSTRAINT_KIND[cmd.def.Constraint.contype]} on ${table} is validated at once, scanning the table while writes wait.` }));
/** SC304: builds the index under a lock that blocks writes. */
const uniqueAddedDirectly = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddConstraint' && (0,schema_model/* isStableTable */.SR)(ctx.model, table))
    .filter(({ cmd }) => ['CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_EXCLUSION'].includes(cmd.def?.Constraint?.contype) && !cmd.def.Constraint.indexname)
    .map(({ table, cmd }) => ({ rule: 'SC304', object: table, message: `${CONSTRAINT_KIND[cmd.def.Constraint.contype]} on ${table} builds its index while writes wait.` }));

;// CONCATENATED MODULE: ./src/schema/rules/pg-drop.ts
/** Drops and data destruction: SC101, SC102, SC112, SC119. */




/** SC101: the stable version still queries the table. */
const dropTable = (s, ctx) => {
    if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_TABLE')
        return [];
    return (s.node.objects ?? [])
        .map((o) => dropObjectKey(o, 'OBJECT_TABLE'))
        // DROP TABLE IF EXISTS of a table the known stable schema never had drops nothing stable uses.
        .filter((t) => !(s.node.missing_ok && ctx.model.tables.size > 0 && !ctx.model.tables.has(t)))
        .filter((t) => (0,schema_model/* isStableTable */.SR)(ctx.model, t))
        .map((t) => ({
        rule: 'SC101',
        object: t,
        message: `Table ${t} is dropped while the stable version still reads and writes it: its queries fail with "relation does not exist".`,
        contractable: true,
    }));
};
/** SC102: stable's SELECTs and INSERTs name the column. */
const dropColumn = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_DropColumn' && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
    .map(({ table, cmd }) => ({
    rule: 'SC102',
    object: `${table}.${cmd.name}`,
    message: `Column ${table}.${cmd.name} is dropped while the stable version still uses it: its queries naming the column fail.`,
    contractable: true,
}));
/** SC112: views, functions, sequences, types, schemas (triggers: warn). */
const dropOtherObject = (s, ctx) => {
    if (s.type !== 'DropStmt')
        return [];
    const kind = kindOf(s.node.removeType);
    if (!kind)
        return [];
    return (s.node.objects ?? [])
        .map((o) => dropObjectKey(o, s.node.removeType))
        .filter((key) => (0,schema_model/* isStableObject */.h8)(ctx.model, kind, key) && (kind !== 'type' || !ctx.model.enums.has(key) || ctx.model.enums.get(key).origin === 'stable'))
        .map((key) => ({
        rule: 'SC112',
        object: `${kind} ${key}`,
        verdict: kind === 'trigger' ? 'warn' : undefined,
        message: kind === 'trigger'
            ? `Trigger ${key} is dropped: whatever it kept in sync for the stable version stops.`
            : `The ${kind} ${key} is dropped while the stable version may still use it.`,
        contractable: true,
    }));
};
/** SC119: TRUNCATE, DELETE/UPDATE without WHERE, DROP … CASCADE. */
const dataDestruction = (s, ctx) => {
    const hits = [];
    if (s.type === 'TruncateStmt') {
        for (const r of s.node.relations ?? []) {
            const t = (0,ast/* rangeVarKey */.C5)(r.RangeVar);
            if ((0,schema_model/* isStableTable */.SR)(ctx.model, t))
                hits.push({ rule: 'SC119', object: t, message: `TRUNCATE ${t} destroys the data the stable version serves, and a rollback cannot bring it back.` });
        }
    }
    if ((s.type === 'DeleteStmt' || s.type === 'UpdateStmt') && !s.node.whereClause) {
        const t = (0,ast/* rangeVarKey */.C5)(s.node.relation);
        if ((0,schema_model/* isStableTable */.SR)(ctx.model, t)) {
            const verb = s.type === 'DeleteStmt' ? 'DELETE' : 'UPDATE';
            hits.push({ rule: 'SC119', object: t, message: `${verb} without WHERE touches every row of ${t}, which the stable version is serving.` });
        }
    }
    if (s.type === 'DropStmt' && s.node.behavior === 'DROP_CASCADE') {
        hits.push({ rule: 'SC119', object: (s.node.objects ?? []).map((o) => dropObjectKey(o, s.node.removeType)).join(', '), message: 'DROP … CASCADE also drops every dependent object (views, foreign keys, …), which the statement does not name.' });
    }
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype === 'AT_DropColumn' && cmd.behavior === 'DROP_CASCADE') {
            hits.push({ rule: 'SC119', object: `${table}.${cmd.name}`, message: 'DROP COLUMN … CASCADE also drops dependent views and constraints, which the statement does not name.' });
        }
    }
    return hits;
};

;// CONCATENATED MODULE: ./src/schema/rules/pg-enum.ts
/** Enum values: SC109 (rename), SC115 (added). */

function enumIsStable(ctx, key) {
    const e = ctx.model.enums.get(key);
    return e ? e.origin === 'stable' : true;
}
/** SC109: the stable version writes and compares the old label. */
const enumValueRenamed = (s, ctx) => {
    if (s.type !== 'AlterEnumStmt' || !s.node.oldVal)
        return [];
    const key = (0,ast/* namesKey */.a7)(s.node.typeName);
    if (!enumIsStable(ctx, key))
        return [];
    return [{ rule: 'SC109', object: `${key}.${s.node.oldVal}`, message: `Enum value '${s.node.oldVal}' of ${key} is renamed to '${s.node.newVal}': stable writes of '${s.node.oldVal}' fail.` }];
};
/** SC115: stable readers may meet a value they do not know. */
const enumValueAdded = (s, ctx) => {
    if (s.type !== 'AlterEnumStmt' || s.node.oldVal || !s.node.newVal)
        return [];
    const key = (0,ast/* namesKey */.a7)(s.node.typeName);
    if (!enumIsStable(ctx, key))
        return [];
    return [{ rule: 'SC115', object: `${key}.${s.node.newVal}`, message: `Enum ${key} gains '${s.node.newVal}': stable readers that map the enum strictly fail when the canary writes it.` }];
};

;// CONCATENATED MODULE: ./src/schema/rules/pg-locks.ts
/** Locks and availability: SC301, SC302, SC306, SC307, SC308, SC309. */





/** SC301: a plain CREATE INDEX blocks writes for the whole build. */
const createIndexNotConcurrently = (s, ctx) => {
    if (s.type !== 'IndexStmt' || s.node.concurrent)
        return [];
    const table = (0,ast/* rangeVarKey */.C5)(s.node.relation);
    if (!(0,schema_model/* isStableTable */.SR)(ctx.model, table))
        return [];
    return [{ rule: 'SC301', object: table, message: `CREATE INDEX on ${table} without CONCURRENTLY blocks writes of both versions until the index is built.` }];
};
/** SC302: a plain DROP INDEX takes ACCESS EXCLUSIVE on the table. */
const dropIndexNotConcurrently = (s, ctx) => {
    if (s.type !== 'DropStmt' || s.node.removeType !== 'OBJECT_INDEX' || s.node.concurrent)
        return [];
    return (s.node.objects ?? [])
        .map((o) => dropObjectKey(o, 'OBJECT_INDEX'))
        .filter((k) => (ctx.model.indexes.get(k)?.origin ?? 'stable') === 'stable')
        .map((k) => ({ rule: 'SC302', object: k, message: `DROP INDEX ${k} without CONCURRENTLY locks its table against reads and writes.` }));
};
/** SC306: the default or generation is computed for every existing row (rewrite). */
const heavyAddColumn = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddColumn' && (0,schema_model/* isStableTable */.SR)(ctx.model, table))
    .filter(({ cmd }) => {
    const def = cmd.def?.ColumnDef;
    const c = columnFromDef(def, ctx.model, 'change');
    const volatile = (0,ast/* constraintsOf */.Im)(def).some((k) => k.contype === 'CONSTR_DEFAULT' && (0,ast/* isVolatileExpr */.gY)(k.raw_expr));
    return volatile || c.identity || (c.generated && (0,ast/* constraintsOf */.Im)(def).some((k) => k.contype === 'CONSTR_GENERATED'));
})
    .map(({ table, cmd }) => ({ rule: 'SC306', object: `${table}.${cmd.def.ColumnDef.colname}`, message: `Adding ${cmd.def.ColumnDef.colname} computes a value for every row of ${table}: the table is rewritten under ACCESS EXCLUSIVE.` }));
/** SC307: SET NOT NULL scans the whole table under ACCESS EXCLUSIVE unless a validated CHECK proves it. */
const setNotNullWithoutCheck = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_SetNotNull' && (0,schema_model/* isStableTable */.SR)(ctx.model, table) && !ctx.validatedNotNull.has(`${table}.${cmd.name}`))
    .filter(({ table, cmd }) => !ctx.model.tables.get(table)?.columns.get(cmd.name)?.notNull)
    .map(({ table, cmd }) => ({ rule: 'SC307', object: `${table}.${cmd.name}`, message: `SET NOT NULL on ${table}.${cmd.name} scans the table under ACCESS EXCLUSIVE.` }));
const ACCESS_EXCLUSIVE = new Set(['AlterTableStmt', 'RenameStmt', 'TruncateStmt', 'AlterObjectSchemaStmt']);
/** SC308 (opt-in): without lock_timeout, a queued ACCESS EXCLUSIVE request blocks every query behind it. */
const missingLockTimeout = (s, ctx) => {
    if (!ctx.requireLockTimeout || ctx.lockTimeoutSet)
        return [];
    const heavy = ACCESS_EXCLUSIVE.has(s.type) || (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_TABLE');
    if (!heavy)
        return [];
    return [{ rule: 'SC308', object: s.type, message: 'This statement takes ACCESS EXCLUSIVE with no lock_timeout set: while it waits, every query of both versions on the table queues behind it.' }];
};
/** SC309: PostgreSQL refuses CONCURRENTLY inside a transaction block: the migration fails. */
const concurrentlyInTransaction = (s, ctx) => {
    if (!ctx.inTransaction)
        return [];
    const concurrent = (s.type === 'IndexStmt' && s.node.concurrent) ||
        (s.type === 'DropStmt' && s.node.concurrent) ||
        (s.type === 'ReindexStmt' && (s.node.params ?? []).some((p) => p.DefElem?.defname === 'concurrently'));
    if (!concurrent)
        return [];
    return [{ rule: 'SC309', object: s.type, message: 'CONCURRENTLY cannot run inside a transaction block: the migration fails.' }];
};

;// CONCATENATED MODULE: ./src/schema/rules/pg-nullability.ts
/** Nullability and defaults: SC105, SC106, SC107, SC114, SC117. */




/** SC105: the stable version's INSERTs do not know the column and fail on NOT NULL. */
const addNotNullColumnWithoutDefault = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_AddColumn' && (0,schema_model/* isStableTable */.SR)(ctx.model, table))
    .filter(({ cmd }) => {
    const c = columnFromDef(cmd.def?.ColumnDef, ctx.model, 'change');
    return c.notNull && !c.hasDefault && !c.generated;
})
    .map(({ table, cmd }) => ({
    rule: 'SC105',
    object: `${table}.${cmd.def.ColumnDef.colname}`,
    message: `Column ${table}.${cmd.def.ColumnDef.colname} is added NOT NULL without a default: the stable version's INSERTs omit it and fail (and the migration fails on a non-empty table).`,
}));
/** SC106: SET NOT NULL, or a CHECK (col IS NOT NULL) even NOT VALID, on a column stable may leave NULL. */
const setNotNull = (s, ctx) => {
    const hits = [];
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype === 'AT_SetNotNull' && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name)) {
            const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
            if (col?.notNull)
                continue;
            hits.push({ rule: 'SC106', object: `${table}.${cmd.name}`, message: `${table}.${cmd.name} becomes NOT NULL: stable INSERTs/UPDATEs that leave it NULL fail.` });
        }
        if (cmd.subtype === 'AT_AddConstraint' && (0,schema_model/* isStableTable */.SR)(ctx.model, table)) {
            const col = notNullCheckColumn(cmd.def?.Constraint);
            if (col && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, col)) {
                const notValid = Boolean(cmd.def.Constraint.skip_validation);
                hits.push({
                    rule: 'SC106',
                    object: `${table}.${col}`,
                    message: `CHECK (${col} IS NOT NULL)${notValid ? ' NOT VALID is still enforced on every new or updated row at once' : ' is enforced at once'}: stable writes that leave ${col} NULL fail.`,
                });
            }
        }
    }
    return hits;
};
/** SC107: stable INSERTs that omit the column relied on the default. */
const dropDefaultOfNotNull = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_ColumnDefault' && !cmd.def && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
    .filter(({ table, cmd }) => {
    const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
    return col ? col.notNull && col.hasDefault : true;
})
    .map(({ table, cmd }) => {
    const known = ctx.model.tables.get(table)?.columns.get(cmd.name);
    return {
        rule: 'SC107',
        object: `${table}.${cmd.name}`,
        verdict: known ? undefined : 'warn',
        message: known
            ? `The default of NOT NULL column ${table}.${cmd.name} is dropped: stable INSERTs that omit it now fail.`
            : `The default of ${table}.${cmd.name} is dropped; the stable schema does not say whether it is NOT NULL (if it is, stable INSERTs that omit it fail).`,
    };
});
/** SC114: readers in the stable version may meet NULL. */
const dropNotNull = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_DropNotNull' && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
    .map(({ table, cmd }) => ({ rule: 'SC114', object: `${table}.${cmd.name}`, message: `${table}.${cmd.name} may now be NULL: stable readers that assume a value may fail.` }));
/** SC117: information only. */
const defaultChanged = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => cmd.subtype === 'AT_ColumnDefault' && cmd.def && (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
    .filter(({ table, cmd }) => ctx.model.tables.get(table)?.columns.get(cmd.name)?.defaultText !== (0,ast/* exprText */.dM)(cmd.def))
    .map(({ table, cmd }) => ({ rule: 'SC117', object: `${table}.${cmd.name}`, message: `The default of ${table}.${cmd.name} changes; stable INSERTs that omit it get the new value.` }));

;// CONCATENATED MODULE: ./src/schema/rules/pg-opaque.ts
/** What static analysis cannot see, and privileges: SC120, SC121. */



/** SC120: DO blocks, dynamic SQL and unparsable text hide their effects; the replay decides. */
const opaqueStatement = (s) => {
    if (s.type === 'Unparsable') {
        return [{ rule: 'SC120', object: s.file, message: `The file does not parse as PostgreSQL (${s.parseError ?? 'syntax error'}): nothing in it can be checked statically.` }];
    }
    if (s.type === 'DoStmt' || s.type === 'CallStmt' || s.type === 'ExecuteStmt') {
        const what = s.type === 'DoStmt' ? 'A DO block' : s.type === 'CallStmt' ? 'A procedure call' : 'EXECUTE of a prepared statement';
        return [{ rule: 'SC120', object: s.type, message: `${what} runs code whose schema changes static analysis cannot see.` }];
    }
    return [];
};
/** SC121: REVOKE, row-level security and policies can lock the stable version's role out. */
const privilegeChange = (s, ctx) => {
    const hits = [];
    if (s.type === 'GrantStmt' && !s.node.is_grant) {
        const objs = (s.node.objects ?? []).map((o) => (o.RangeVar ? (0,ast/* rangeVarKey */.C5)(o.RangeVar) : '?'));
        hits.push({ rule: 'SC121', object: objs.join(', ') || String(s.node.objtype), message: 'Privileges are revoked: if the stable version\'s role used them, its queries fail with "permission denied".' });
    }
    if (s.type === 'GrantRoleStmt' && !s.node.is_grant) {
        hits.push({ rule: 'SC121', object: 'role membership', message: 'A role membership is revoked: the stable version may lose privileges it inherits.' });
    }
    for (const { table, cmd } of alterCmds(s)) {
        if (['AT_EnableRowSecurity', 'AT_ForceRowSecurity'].includes(cmd.subtype) && (0,schema_model/* isStableTable */.SR)(ctx.model, table)) {
            hits.push({ rule: 'SC121', object: table, message: `Row-level security is enabled on ${table}: without a policy that admits the stable version's role, its queries see no rows.` });
        }
    }
    if ((s.type === 'CreatePolicyStmt' || s.type === 'AlterPolicyStmt') && (0,schema_model/* isStableTable */.SR)(ctx.model, (0,ast/* rangeVarKey */.C5)(s.node.table))) {
        hits.push({ rule: 'SC121', object: (0,ast/* rangeVarKey */.C5)(s.node.table), message: 'A row-level-security policy changes what the stable version\'s role can see or write.' });
    }
    if (s.type === 'DropStmt' && s.node.removeType === 'OBJECT_POLICY') {
        hits.push({ rule: 'SC121', object: 'policy', message: 'A row-level-security policy is dropped: the stable version\'s role may lose access.' });
    }
    return hits;
};

;// CONCATENATED MODULE: ./src/schema/rules/pg-rename.ts
/** Renames and schema moves: SC103, SC104, SC113. */


/** SC103: the stable version queries the old name. */
const pg_rename_renameTable = (s, ctx) => {
    if (s.type !== 'RenameStmt')
        return [];
    const { renameType, relation, newname } = s.node;
    if (renameType !== 'OBJECT_TABLE' && renameType !== 'OBJECT_VIEW' && renameType !== 'OBJECT_MATVIEW')
        return [];
    const old = (0,ast/* rangeVarKey */.C5)(relation);
    const stable = renameType === 'OBJECT_TABLE' ? (0,schema_model/* isStableTable */.SR)(ctx.model, old) : (0,schema_model/* isStableObject */.h8)(ctx.model, 'view', old);
    if (!stable)
        return [];
    return [{ rule: 'SC103', object: old, message: `${old} is renamed to ${newname}: the stable version's queries still use ${old} and fail.`, contractable: true }];
};
/** SC104: stable's queries name the old column. */
const renameColumn = (s, ctx) => {
    if (s.type !== 'RenameStmt' || s.node.renameType !== 'OBJECT_COLUMN')
        return [];
    const table = (0,ast/* rangeVarKey */.C5)(s.node.relation);
    if (!(0,schema_model/* isStableColumn */.gT)(ctx.model, table, s.node.subname))
        return [];
    return [{
            rule: 'SC104',
            object: `${table}.${s.node.subname}`,
            message: `Column ${table}.${s.node.subname} is renamed to ${s.node.newname}: the stable version's queries still use the old name and fail.`,
            contractable: true,
        }];
};
/** SC113: ALTER TABLE … SET SCHEMA, ALTER SCHEMA … RENAME. */
const schemaMove = (s, ctx) => {
    if (s.type === 'AlterObjectSchemaStmt' && s.node.relation && ['OBJECT_TABLE', 'OBJECT_VIEW'].includes(s.node.objectType)) {
        const t = (0,ast/* rangeVarKey */.C5)(s.node.relation);
        if (s.node.objectType === 'OBJECT_TABLE' && !(0,schema_model/* isStableTable */.SR)(ctx.model, t))
            return [];
        return [{ rule: 'SC113', object: t, message: `${t} moves to schema ${s.node.newschema}: the stable version's queries (and search_path) still find it under the old schema and fail.`, contractable: true }];
    }
    if (s.type === 'RenameStmt' && s.node.renameType === 'OBJECT_SCHEMA') {
        const old = String(s.node.subname);
        if (!(0,schema_model/* isStableObject */.h8)(ctx.model, 'schema', old))
            return [];
        return [{ rule: 'SC113', object: `schema ${old}`, message: `Schema ${old} is renamed to ${s.node.newname}: every stable query qualified with ${old} fails.`, contractable: true }];
    }
    return [];
};

;// CONCATENATED MODULE: ./src/schema/rules/pg-types.ts
/** Type changes and identity: SC108, SC109 (via type change), SC116, SC118, SC305. */



/** SC108 / SC116 / SC109: does the new type hold what the stable version writes, and read back the same? */
const typeChange = (s, ctx) => {
    const hits = [];
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype !== 'AT_AlterColumnType' || !(0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
            continue;
        const object = `${table}.${cmd.name}`;
        const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
        const newType = (0,ast/* columnTypeOf */.gy)(cmd.def?.ColumnDef?.typeName, ctx.model.enums);
        if (!col) {
            hits.push({ rule: 'SC108', object, verdict: 'warn', message: `${object} changes type to ${newType.name}; its old type is unknown (not in the stable migrations), so coverage cannot be checked.` });
            continue;
        }
        if (col.type.family === 'enum' && newType.family === 'enum') {
            const oldVals = ctx.model.enums.get(col.type.name.replace(/\[\]$/, ''))?.values ?? [];
            const newVals = ctx.model.enums.get(newType.name.replace(/\[\]$/, ''))?.values ?? [];
            const missing = oldVals.filter((v) => !newVals.includes(v));
            if (missing.length) {
                hits.push({ rule: 'SC109', object, message: `${object} moves to enum ${newType.name}, which lacks ${missing.join(', ')}: the stable version writing those values fails.` });
            }
            continue;
        }
        const change = (0,schema_model/* compareTypes */.Zw)(col.type, newType);
        if (change === 'narrow' || change === 'family-change') {
            hits.push({ rule: 'SC108', object, message: `${object} changes from ${col.type.name} to ${newType.name}, which does not hold every ${col.type.name} value: stable writes may fail (and the migration may fail on existing rows).` });
        }
        else if (change === 'widen-visible') {
            hits.push({ rule: 'SC116', object, message: `${object} widens from ${col.type.name} to ${newType.name}: stable clients read the new type (e.g. 64-bit ids into 32-bit variables, time zone shifts).` });
        }
    }
    return hits;
};
/** SC305: most type changes rewrite the table under ACCESS EXCLUSIVE. */
const typeChangeRewrite = (s, ctx) => {
    const hits = [];
    for (const { table, cmd } of alterCmds(s)) {
        if (cmd.subtype !== 'AT_AlterColumnType' || !(0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
            continue;
        const col = ctx.model.tables.get(table)?.columns.get(cmd.name);
        if (!col)
            continue;
        const newType = (0,ast/* columnTypeOf */.gy)(cmd.def?.ColumnDef?.typeName, ctx.model.enums);
        const change = (0,schema_model/* compareTypes */.Zw)(col.type, newType);
        const binaryCompatible = change === 'same' ||
            (change === 'widen-invisible' && (col.type.family === 'text' || (col.type.family === 'numeric' && (col.type.scale ?? 0) === (newType.scale ?? 0))));
        if (!binaryCompatible) {
            hits.push({ rule: 'SC305', object: `${table}.${cmd.name}`, message: `${col.type.name} → ${newType.name} rewrites ${table} under an ACCESS EXCLUSIVE lock: both versions' queries on it wait.` });
        }
    }
    return hits;
};
/** SC118: GENERATED ALWAYS rejects the ids the stable version supplies. */
const identityAdded = (s, ctx) => alterCmds(s)
    .filter(({ table, cmd }) => (0,schema_model/* isStableColumn */.gT)(ctx.model, table, cmd.name))
    .filter(({ cmd }) => (cmd.subtype === 'AT_AddIdentity' && cmd.def?.Constraint?.generated_when === 'a') || cmd.subtype === 'AT_SetExpression')
    .map(({ table, cmd }) => ({
    rule: 'SC118',
    object: `${table}.${cmd.name}`,
    message: cmd.subtype === 'AT_SetExpression'
        ? `${table}.${cmd.name} becomes a generated column: stable writes to it fail.`
        : `${table}.${cmd.name} becomes GENERATED ALWAYS AS IDENTITY: stable INSERTs that supply a value fail ("cannot insert a non-DEFAULT value").`,
}));

;// CONCATENATED MODULE: ./src/schema/rules/pg-index.ts
/** Every PostgreSQL statement rule, in report order. Adding a rule: write it, list it here. */








const PG_RULES = [
    dropTable,
    dropColumn,
    pg_rename_renameTable,
    renameColumn,
    addNotNullColumnWithoutDefault,
    setNotNull,
    dropDefaultOfNotNull,
    typeChange,
    enumValueRenamed,
    newConstraint,
    dropUnique,
    dropOtherObject,
    schemaMove,
    dropNotNull,
    enumValueAdded,
    defaultChanged,
    identityAdded,
    dataDestruction,
    opaqueStatement,
    privilegeChange,
    createIndexNotConcurrently,
    dropIndexNotConcurrently,
    constraintWithoutNotValid,
    uniqueAddedDirectly,
    typeChangeRewrite,
    heavyAddColumn,
    setNotNullWithoutCheck,
    missingLockTimeout,
    concurrentlyInTransaction,
];

;// CONCATENATED MODULE: ./src/schema/pg/classify.ts
/**
 * Classifies a change set of PostgreSQL statements against the stable schema model. Pure: parsed
 * statements in, findings out. The model follows the change statement by statement, so an object
 * the change itself created is never reported.
 */






/** Builds the stable schema from the stable migrations, in order. */
function buildPgModel(stmts, contract = []) {
    const model = (0,schema_model/* emptyModel */.$Q)();
    for (const s of stmts)
        applyPgStatement(model, s, 'stable');
    (0,schema_model/* markAllStable */.Uv)(model);
    for (const c of contract)
        model.contract.add(c);
    return model;
}
function classifyPgChange(stable, change, opts = {}) {
    const model = (0,schema_model/* cloneModel */.n4)(stable);
    const findings = [];
    const validatedNotNull = new Set();
    const pendingChecks = new Map();
    let file = '';
    let inTransaction = false;
    let lockTimeoutSet = false;
    for (const s of change) {
        if (s.file !== file) {
            file = s.file;
            inTransaction = false;
            lockTimeoutSet = false;
        }
        const ctx = { model, inTransaction, lockTimeoutSet, requireLockTimeout: Boolean(opts.requireLockTimeout), validatedNotNull };
        let hits = [];
        for (const rule of PG_RULES)
            hits = hits.concat(rule(s, ctx));
        hits = downgradeForSafePatterns(hits, s, change);
        for (const f of hitsToFindings(hits, s, model.contract))
            findings.push({ ...f, index: s.index });
        // Session facts for later statements of the same file.
        if (s.type === 'TransactionStmt') {
            const kind = String(s.node.kind);
            if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START')
                inTransaction = true;
            if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK')
                inTransaction = false;
        }
        if (s.type === 'VariableSetStmt' && s.node.name === 'lock_timeout')
            lockTimeoutSet = true;
        for (const { table, cmd } of alterCmds(s)) {
            const col = cmd.subtype === 'AT_AddConstraint' ? notNullCheckColumn(cmd.def?.Constraint) : undefined;
            if (col && cmd.def.Constraint.skip_validation)
                pendingChecks.set(String(cmd.def.Constraint.conname), `${table}.${col}`);
            else if (col)
                validatedNotNull.add(`${table}.${col}`);
            if (cmd.subtype === 'AT_ValidateConstraint' && pendingChecks.has(cmd.name))
                validatedNotNull.add(pendingChecks.get(cmd.name));
        }
        applyPgStatement(model, s, 'change');
    }
    return { findings, model };
}
/**
 * The stable version keeps working through a rename when the change leaves the old name behind:
 * a view under the old table name (SC103), or a generated column under the old column name (SC104,
 * reads work, writes do not).
 */
function downgradeForSafePatterns(hits, s, change) {
    return hits.map((h) => {
        if (h.rule === 'SC103' && s.type === 'RenameStmt') {
            const oldName = (0,ast/* rangeVarKey */.C5)(s.node.relation);
            const viewBack = change.some((o) => o.index > s.index && o.type === 'ViewStmt' && (0,ast/* rangeVarKey */.C5)(o.node.view) === oldName);
            if (viewBack)
                return { ...h, verdict: 'warn', message: `${h.message.split(':')[0]}; a view under the old name keeps stable reads working (writes through the view work only if it is simple and updatable).` };
        }
        if (h.rule === 'SC104' && s.type === 'RenameStmt') {
            const table = (0,ast/* rangeVarKey */.C5)(s.node.relation);
            const genBack = change.some((o) => o.index > s.index &&
                alterCmds(o).some(({ table: t, cmd }) => t === table &&
                    cmd.subtype === 'AT_AddColumn' &&
                    cmd.def?.ColumnDef?.colname === s.node.subname &&
                    (cmd.def.ColumnDef.constraints ?? []).some((c) => c.Constraint?.contype === 'CONSTR_GENERATED')));
            if (genBack)
                return { ...h, verdict: 'warn', message: `${h.message.split(':')[0]}; a generated column under the old name keeps stable reads working, but stable writes to it fail.` };
        }
        return h;
    });
}

// EXTERNAL MODULE: ./src/schema/pg/engines.ts
var engines = __webpack_require__(48650);
;// CONCATENATED MODULE: ./src/schema/pg/parse.ts

async function loadPgParser() {
    const lib = await (0,engines/* loadLibPgQuery */.j4)();
    return {
        parseFile(sql, file, firstIndex) {
            if (sql.trim() === '')
                return [];
            let result;
            try {
                result = lib.parseSync(sql);
            }
            catch (err) {
                const details = err.sqlDetails;
                const pos = details?.cursorPosition ?? 0;
                return [
                    {
                        file,
                        line: lineAt(sql, pos),
                        index: firstIndex,
                        text: sql.trim(),
                        type: 'Unparsable',
                        node: {},
                        parseError: err instanceof Error ? err.message : String(err),
                    },
                ];
            }
            return splitStatements(sql, result.stmts ?? [], file, firstIndex);
        },
    };
}
/** libpg-query reports statement offsets in UTF-8 bytes; this maps them back to text and lines. */
function splitStatements(sql, raw, file, firstIndex) {
    const bytes = Buffer.from(sql, 'utf8');
    const out = [];
    for (const r of raw) {
        const start = r.stmt_location ?? 0;
        const end = r.stmt_len ? start + r.stmt_len : bytes.length;
        const chunk = bytes.subarray(start, end).toString('utf8');
        const lead = leadingTrivia(chunk);
        const text = chunk.slice(lead).trim();
        const line = lineAt(sql, bytes.subarray(0, start).toString('utf8').length + lead);
        const type = Object.keys(r.stmt ?? {})[0] ?? 'Unknown';
        out.push({ file, line, index: firstIndex + out.length, text, type, node: r.stmt?.[type] ?? {} });
    }
    return out;
}
/** Length of the whitespace and comments before a statement's first token. */
function leadingTrivia(s) {
    let i = 0;
    for (;;) {
        while (i < s.length && /\s/.test(s[i]))
            i++;
        if (s.startsWith('--', i)) {
            const nl = s.indexOf('\n', i);
            i = nl < 0 ? s.length : nl + 1;
        }
        else if (s.startsWith('/*', i)) {
            const close = s.indexOf('*/', i + 2);
            i = close < 0 ? s.length : close + 2;
        }
        else {
            return i;
        }
    }
}
function lineAt(text, charOffset) {
    let line = 1;
    for (let i = 0; i < Math.min(charOffset, text.length); i++)
        if (text.charCodeAt(i) === 10)
            line++;
    return line;
}

// EXTERNAL MODULE: ./src/schema/pg/replay.ts + 3 modules
var pg_replay = __webpack_require__(44563);
;// CONCATENATED MODULE: ./src/schema/pg/check.ts
/**
 * The PostgreSQL pipeline: parse the stable and new migrations, build the stable model, classify
 * each new statement, replay in PGlite, and merge what the replay saw into the findings.
 */







const OPAQUE = new Set(['DoStmt', 'CallStmt', 'ExecuteStmt', 'Unparsable']);
async function checkPostgres(input) {
    const parser = await loadPgParser();
    const notes = [];
    const stableStmts = [];
    for (const f of input.stable) {
        const stmts = parser.parseFile(f.text, f.path, 0);
        if (stmts.some((s) => s.type === 'Unparsable'))
            notes.push(`Stable migration ${f.path} does not parse; the stable model leaves it out.`);
        stableStmts.push(...stmts.filter((s) => s.type !== 'Unparsable'));
    }
    const change = [];
    for (const f of input.change)
        change.push(...parser.parseFile(f.text, f.path, change.length));
    const model = input.stableModel ?? buildPgModel(stableStmts, input.contract);
    for (const c of input.contract)
        model.contract.add(c);
    const { findings } = classifyPgChange(model, change, { requireLockTimeout: input.requireLockTimeout });
    const notRun = (reason) => ({ status: 'not-run', statements: 0, failures: 0, reason });
    if (!input.replayDb)
        return { findings: strip(findings), notes, replay: 'skipped', execution: notRun('the replay is off') };
    const wantExecution = input.execution !== false && !input.stableModel;
    const execution = wantExecution
        ? { seed: (input.execution || {}).seed ?? [], queries: stableQueries(parser, (input.execution || {}).stableQueries ?? []) }
        : undefined;
    let outcome;
    try {
        const db = await input.replayDb;
        outcome = await (0,pg_replay/* replayPgChange */.DS)(db, input.stableModel ? [] : input.stable, change, { timeoutMs: input.timeoutMs, signal: input.signal, execution });
    }
    catch (err) {
        const reason = err.reason;
        if (reason === 'cancelled' || reason === 'invalid-input')
            throw err;
        notes.push(`Replay unavailable (${(0,errors/* errorMessage */.gJ)(err)}); static analysis only.`);
        return { findings: strip(findings), notes, replay: 'unavailable', execution: notRun('the replay is unavailable') };
    }
    notes.push(...outcome.notes);
    if (outcome.status === 'unavailable')
        return { findings: strip(findings), notes, replay: 'unavailable', execution: notRun('the replay is unavailable') };
    let merged = mergeReplay(findings, change, outcome, model.contract);
    let summary = notRun(input.stableModel ? 'a schema dump has no migrations to replay' : input.execution === false ? 'execution is off' : 'the replay stopped at a statement PostgreSQL rejected');
    if (outcome.execution) {
        const { proven, inconclusive } = splitInconclusive(outcome.execution.failures);
        for (const f of inconclusive) {
            const s = change.find((x) => x.index === f.cause);
            notes.push(`Execution: ${f.probe.id} fails after ${s ? `${s.file}:${s.line}` : 'the change'} with SQLSTATE ${f.code} (${f.message}), but its values are synthesised: they are not in the referenced table, while the stable version's real writes may be. Not counted as proof; give schema.seed rows and schema.stable-queries to check it.`);
        }
        merged = mergeExecution(merged, change, { ...outcome.execution, failures: proven }, inconclusive);
        summary = { status: 'ran', statements: outcome.execution.statements, failures: proven.length };
    }
    return { findings: strip(merged), notes, replay: 'ran', execution: summary };
}
/**
 * A foreign key the change adds rejects a synthesised row because the invented key is not in the
 * referenced table; real stable writes reference rows that exist. That proves nothing, so a
 * synthesised statement failing with foreign_key_violation (23503) is a note, not proof. The
 * user's own statements, run against their seed rows, are proof.
 */
function splitInconclusive(failures) {
    const inconclusive = failures.filter((f) => f.probe.kind !== 'query' && f.code === '23503');
    return { proven: failures.filter((f) => !inconclusive.includes(f)), inconclusive };
}
const PARAMS_DIRECTIVE = /^\s*--\s*canary-gate:params\s+(.*)$/;
/**
 * The statements of `schema.stable-queries` files. Sample values for `$n` parameters come from a
 * `-- canary-gate:params [ … ]` line (a JSON array) above the statement; without one they are
 * synthesised from the parameter types PostgreSQL infers.
 */
function stableQueries(parser, files) {
    const out = [];
    for (const f of files) {
        const stmts = parser.parseFile(f.text, f.path, 0);
        const bad = stmts.find((s) => s.type === 'Unparsable');
        if (bad)
            throw new errors/* InputError */.dz('schema.stable-queries', `${f.path}:${bad.line} does not parse as PostgreSQL (${bad.parseError}); give one SQL statement per query, parameters as $1, $2, …`);
        const directives = new Map();
        f.text.split('\n').forEach((line, i) => {
            const m = PARAMS_DIRECTIVE.exec(line);
            if (!m)
                return;
            let params;
            try {
                params = JSON.parse(m[1]);
            }
            catch {
                params = undefined;
            }
            if (!Array.isArray(params))
                throw new errors/* InputError */.dz('schema.stable-queries', `${f.path}:${i + 1}: canary-gate:params expects a JSON array of sample values, e.g. [42, "a@example.com"]`);
            directives.set(i + 1, params);
        });
        let previous = 0;
        for (const s of stmts) {
            const line = [...directives.keys()].filter((l) => l > previous && l < s.line).pop();
            out.push({ file: f.path, line: s.line, text: s.text, params: line === undefined ? undefined : directives.get(line) });
            previous = s.line;
        }
    }
    return out;
}
const PROBE_TEXT = {
    insert: 'INSERT of every column it writes',
    'insert-required': 'INSERT of only the columns it must write',
    select: 'SELECT of every column it reads',
    update: 'UPDATE by primary key',
    delete: 'DELETE by primary key',
    query: 'query',
};
/** Rules whose claim is that the stable version's statements fail: execution can confirm or contradict them. */
const EXECUTABLE_CLAIMS = new Set(['SC101', 'SC102', 'SC103', 'SC104', 'SC105', 'SC106', 'SC107', 'SC108', 'SC109', 'SC110', 'SC112', 'SC113', 'SC118']);
/** Does a finding's object (`users`, `users.email`, `view user_status`) concern this table or view? */
function relates(object, table) {
    if (object === undefined)
        return false;
    const o = object.replace(/^view /, '');
    return o === table || o.startsWith(`${table}.`);
}
function proofOf(f, change) {
    const s = change.find((x) => x.index === f.cause);
    const p = { statement: clipStatement(f.probe.sql), sqlstate: f.code, error: f.message };
    if (f.probe.params)
        p.params = f.probe.params;
    if (f.probe.source)
        p.source = f.probe.source;
    if (s)
        p.cause = { file: s.file, line: s.line, statement: clipStatement(s.text) };
    return p;
}
/**
 * Merges what execution proved into the findings. A failure confirms the rule finding on the same
 * statement and table (it becomes a block and carries the proof); one no rule saw becomes SC123.
 * A rule finding on a table whose stable statements all still work is kept, with the reason.
 */
function mergeExecution(findings, change, exec, inconclusive = []) {
    const out = findings.map((f) => ({ ...f }));
    const added = new Map();
    for (const failure of exec.failures) {
        const proof = proofOf(failure, change);
        const table = failure.probe.kind === 'query' ? undefined : failure.probe.table;
        const confirmed = out.find((f) => f.index !== undefined && f.index === failure.cause && EXECUTABLE_CLAIMS.has(f.rule) && (table === undefined || relates(f.object, table)));
        if (confirmed) {
            if (!confirmed.proof) {
                confirmed.message += confirmed.verdict === 'block' ? ' Proven by execution (see proof).' : ' Execution proves the stable version breaks: block.';
                confirmed.verdict = 'block';
            }
            (confirmed.proof ??= []).push(proof);
            continue;
        }
        const key = `${failure.cause ?? '?'}|${failure.probe.table}`;
        const existing = added.get(key);
        if (existing) {
            existing.proof.push(proof);
            continue;
        }
        const s = change.find((x) => x.index === failure.cause);
        const what = failure.probe.kind === 'query' ? `query at ${failure.probe.source?.file}:${failure.probe.source?.line}` : `${PROBE_TEXT[failure.probe.kind]} on ${failure.probe.table}`;
        const f = {
            rule: 'SC123',
            verdict: 'block',
            object: failure.probe.kind === 'query' ? failure.probe.id : failure.probe.table,
            message: `The stable version's ${what} worked before the change and fails after it: SQLSTATE ${failure.code}, ${failure.message}.${s ? '' : ' The statement that causes it could not be isolated (it fails only once the whole change has run).'}`,
            alternative: (0,catalog/* ruleInfo */.PI)('SC123').alternative,
            proof: [proof],
            index: failure.cause,
        };
        if (s) {
            f.file = s.file;
            f.line = s.line;
            f.statement = clipStatement(s.text);
        }
        added.set(key, f);
        out.push(f);
    }
    const failedTables = new Set([...exec.failures, ...inconclusive].map((f) => f.probe.table));
    for (const f of out) {
        if (f.proof || f.verdict === 'pass' || !EXECUTABLE_CLAIMS.has(f.rule))
            continue;
        const table = [...exec.written].find((t) => relates(f.object, t));
        if (!table || failedTables.has(table))
            continue;
        f.message += ` Execution did not confirm it: the stable version's synthesised INSERT, SELECT, UPDATE and DELETE on ${table} still work after the change. The verdict stands: sample statements cannot cover every query and value the stable version uses.`;
    }
    return out;
}
function covers(a, b) {
    if (!a)
        return false;
    return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
/**
 * For opaque statements the replay decides (SC120 gives way to what it saw); for plain DDL it adds
 * only what static analysis did not name, e.g. the objects a CASCADE took along.
 */
function mergeReplay(findings, change, outcome, contract) {
    const out = [];
    const byIndex = new Map();
    for (const f of findings) {
        const list = byIndex.get(f.index ?? -1) ?? [];
        list.push(f);
        byIndex.set(f.index ?? -1, list);
    }
    for (const s of change) {
        const statics = byIndex.get(s.index) ?? [];
        const replayHits = outcome.hits.get(s.index) ?? [];
        const applied = outcome.applied.has(s.index);
        if (OPAQUE.has(s.type) && applied) {
            const kept = statics.filter((f) => f.rule !== 'SC120');
            out.push(...kept);
            if (replayHits.length) {
                out.push(...hitsToFindings(replayHits, s, contract).map((f) => ({ ...f, index: s.index })));
            }
            else {
                const f = statics.find((x) => x.rule === 'SC120');
                if (f)
                    out.push({ ...f, verdict: 'pass', message: `${f.message} The replay ran it and saw no change to objects the stable version uses.` });
            }
        }
        else {
            out.push(...statics);
            const extra = replayHits.filter((h) => !statics.some((f) => covers(f.object, h.object)));
            out.push(...hitsToFindings(extra, s, contract).map((f) => ({ ...f, index: s.index })));
        }
        if (outcome.failed?.index === s.index) {
            out.push(...hitsToFindings([{ rule: 'SC120', object: s.type, message: `PostgreSQL rejected this statement during the replay on a fresh copy of the stable schema: ${outcome.failed.error}. The migration is likely to fail in production too.` }], s, contract).map((f) => ({ ...f, index: s.index })));
        }
    }
    return out;
}
function strip(findings) {
    return findings.map(({ index: _index, ...f }) => f);
}

;// CONCATENATED MODULE: ./src/schema/rules/model-diff.ts
/**
 * Compares two schema models (from two dumps) when there are no statements to classify. Pure.
 * Without object identity a rename shows as a drop and an add: the drop is what breaks stable.
 */

function diffModels(stable, canary) {
    const hits = [];
    for (const [key, t] of stable.tables) {
        const c = canary.tables.get(key);
        if (!c) {
            hits.push({ rule: 'SC101', object: key, message: `Table ${key} exists in the stable schema but not in the canary's: stable queries on it fail.`, contractable: true });
            continue;
        }
        for (const [name, col] of t.columns) {
            const object = `${key}.${name}`;
            const nc = c.columns.get(name);
            if (!nc) {
                hits.push({ rule: 'SC102', object, message: `Column ${object} exists in the stable schema but not in the canary's (dropped or renamed): stable queries naming it fail.`, contractable: true });
                continue;
            }
            if (col.type.family === 'enum' && nc.type.family === 'enum') {
                const oldVals = col.type.enumValues ?? stable.enums.get(col.type.name)?.values ?? [];
                const newVals = nc.type.enumValues ?? canary.enums.get(nc.type.name)?.values ?? [];
                const missing = oldVals.filter((v) => !newVals.includes(v));
                if (missing.length)
                    hits.push({ rule: 'SC109', object, message: `${object} no longer accepts ${missing.join(', ')}: stable writes of those values fail.` });
                else if (newVals.length > oldVals.length)
                    hits.push({ rule: 'SC115', object, message: `${object} accepts new values ${newVals.filter((v) => !oldVals.includes(v)).join(', ')}: stable readers may not know them.` });
            }
            else {
                const change = (0,schema_model/* compareTypes */.Zw)(col.type, nc.type);
                if (change === 'narrow' || change === 'family-change')
                    hits.push({ rule: 'SC108', object, message: `${object} changes from ${col.type.name} to ${nc.type.name}, which does not hold every old value.` });
                else if (change === 'widen-visible')
                    hits.push({ rule: 'SC116', object, message: `${object} widens from ${col.type.name} to ${nc.type.name}: stable clients read the new type.` });
            }
            if (!col.notNull && nc.notNull)
                hits.push({ rule: 'SC106', object, message: `${object} becomes NOT NULL: stable writes that leave it NULL fail.` });
            if (col.notNull && !nc.notNull)
                hits.push({ rule: 'SC114', object, message: `${object} may now be NULL: stable readers may not expect it.` });
            if (col.hasDefault && !nc.hasDefault && nc.notNull && !nc.identity)
                hits.push({ rule: 'SC107', object, message: `The default of NOT NULL column ${object} is gone: stable INSERTs that omit it fail.` });
            else if (col.hasDefault && nc.hasDefault && col.defaultText !== nc.defaultText)
                hits.push({ rule: 'SC117', object, message: `The default of ${object} changes.` });
            if (!col.identity && nc.identity && !nc.hasDefault)
                hits.push({ rule: 'SC118', object, message: `${object} becomes an identity column.` });
            if (!col.generated && nc.generated)
                hits.push({ rule: 'SC118', object, message: `${object} becomes a generated column: stable writes to it fail.` });
        }
        for (const [name, nc] of c.columns) {
            if (t.columns.has(name))
                continue;
            if (nc.notNull && !nc.hasDefault && !nc.generated)
                hits.push({ rule: 'SC105', object: `${key}.${name}`, message: `${key}.${name} is new, NOT NULL and has no default: stable INSERTs omit it and fail.` });
        }
    }
    for (const [key, e] of stable.enums) {
        const ne = canary.enums.get(key);
        if (!ne)
            continue;
        const missing = e.values.filter((v) => !ne.values.includes(v));
        for (const v of missing)
            hits.push({ rule: 'SC109', object: `${key}.${v}`, message: `Enum ${key} no longer has '${v}': stable writes of it fail.` });
        for (const v of ne.values.filter((x) => !e.values.includes(x)))
            hits.push({ rule: 'SC115', object: `${key}.${v}`, message: `Enum ${key} gains '${v}': stable readers may not know it.` });
    }
    for (const [key] of stable.objects) {
        if (canary.objects.has(key))
            continue;
        const [kind, name] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
        hits.push({ rule: 'SC112', object: `${kind} ${name}`, verdict: kind === 'trigger' ? 'warn' : undefined, message: `The ${kind} ${name} exists in the stable schema but not in the canary's.`, contractable: true });
    }
    for (const [key, idx] of stable.indexes) {
        if (idx.unique && !canary.indexes.has(key) && canary.tables.has(idx.table))
            hits.push({ rule: 'SC111', object: key, message: `Unique index ${key} on ${idx.table} is gone: stable upserts that rely on it fail.` });
    }
    for (const [key, idx] of canary.indexes) {
        if (idx.unique && !stable.indexes.has(key) && stable.tables.has(idx.table))
            hits.push({ rule: 'SC110', object: key, message: `A unique index ${key} appears on ${idx.table}: stable writes of duplicates fail.` });
    }
    return hits;
}

// EXTERNAL MODULE: ./src/schema/worker.ts
var worker = __webpack_require__(69241);
;// CONCATENATED MODULE: ./src/schema/types.ts
function worstVerdict(verdicts) {
    let worst = 'pass';
    for (const v of verdicts) {
        if (v === 'block')
            return 'block';
        if (v === 'warn')
            worst = 'warn';
    }
    return worst;
}

;// CONCATENATED MODULE: ./src/schema/check.ts
/**
 * The schema and config compatibility check: gathers the inputs (git refs, dumps, or an ORM
 * command), runs the dialect pipeline and the config rules, and builds the report.
 */
















const DEFAULT_TIMEOUT_MS = 120_000;
function validate(opts) {
    if (opts.dialect !== 'postgres' && opts.dialect !== 'mysql')
        throw new errors/* InputError */.dz('dialect', `expected postgres or mysql, found "${String(opts.dialect)}"`);
    const cmd = Boolean(opts.sqlCommand?.length);
    if (opts.canaryDump && !opts.stableDump)
        throw new errors/* InputError */.dz('stableDump', 'a canary dump needs the stable dump to compare with');
    if (opts.stableDump && !opts.canaryDump && !cmd)
        throw new errors/* InputError */.dz(opts.stableDump ? 'canaryDump' : 'stableDump', 'schema dumps come in pairs: give both the stable and the canary dump (or a stable dump with sqlCommand)');
    const git = Boolean(opts.dir && opts.base);
    const dumps = Boolean(opts.stableDump && opts.canaryDump);
    const command = cmd;
    if (opts.dir && !opts.base && !command)
        throw new errors/* InputError */.dz('base', 'is required with dir: the stable ref (e.g. the PR base or the commit of the stable image)');
    if (!git && !dumps && !command)
        throw new errors/* InputError */.dz('dir', 'expected a migrations directory with base/head refs, two schema dumps, or a command that prints the new SQL');
    if (dumps && command)
        throw new errors/* InputError */.dz('sqlCommand', 'give either schema dumps or a command, not both');
    if (opts.config && !(opts.base))
        throw new errors/* InputError */.dz('config', 'the config comparison needs the base ref (and head, default HEAD)');
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0))
        throw new errors/* InputError */.dz('timeoutMs', `expected a positive number of milliseconds, found ${opts.timeoutMs}`);
}
async function readLocal(cwd, path, field) {
    const full = (0,external_node_path_.isAbsolute)(path) ? path : (0,external_node_path_.resolve)(cwd, path);
    try {
        return await (0,promises_.readFile)(full, 'utf8');
    }
    catch (err) {
        throw new errors/* InputError */.dz(field, `cannot read ${path} (${err.code ?? 'error'}); give a path relative to the repository root`);
    }
}
async function runSchemaCheck(opts) {
    validate(opts);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    // From the bundle, a replay runs in a child whose WASM skips the optimising tier (worker.ts).
    const entry = (0,engines/* bundleEntry */.xJ)();
    const replays = opts.dialect === 'postgres' && opts.replay !== false && !(opts.stableDump && opts.canaryDump);
    if (entry && replays && !opts.inWorker && !opts.replayDatabase)
        return (0,worker/* runInWorker */.$)(entry, opts, timeoutMs);
    const head = opts.head ?? 'HEAD';
    const gitOpts = { cwd: opts.cwd, timeoutMs, signal: opts.signal };
    const notes = [];
    const findings = [];
    const filesChecked = [];
    const dumps = Boolean(opts.stableDump && opts.canaryDump);
    const wantReplay = opts.dialect === 'postgres' && opts.replay !== false && !dumps;
    if (opts.dialect === 'mysql' && opts.replay)
        notes.push('The replay runs for PostgreSQL only; MySQL changes are checked statically.');
    if (dumps && opts.replay)
        notes.push('Dumps carry no object identity, so there is nothing to replay: compared statically.');
    // A missing file is a usage error before anything slow starts.
    const readAll = (paths, field) => Promise.all((paths ?? []).map(async (p) => ({ path: p, text: await readLocal(opts.cwd, p, field) })));
    const [seed, stableQueries] = wantReplay ? await Promise.all([readAll(opts.seed, 'seed'), readAll(opts.stableQueries, 'stableQueries')]) : [[], []];
    // PGlite takes seconds to start: start it now, while git and the parser work.
    let replayDb;
    let startedHere = false;
    if (wantReplay) {
        if (opts.replayDatabase) {
            const db = opts.replayDatabase;
            replayDb = (0,pg_replay/* resetReplayDatabase */.wK)(db).then(() => db);
        }
        else {
            replayDb = (0,pg_replay/* startReplayDatabase */.Jk)();
            startedHere = true;
        }
        replayDb.catch(() => undefined);
    }
    let replay = wantReplay ? 'ran' : 'skipped';
    let execution = {
        status: 'not-run',
        statements: 0,
        failures: 0,
        reason: opts.dialect === 'mysql' ? 'MySQL is checked by rules only (no embedded MySQL server)' : dumps ? 'schema dumps have no migrations to replay' : 'the replay is off',
    };
    if (opts.dialect === 'mysql' && (opts.stableQueries?.length || opts.seed?.length))
        notes.push('Stable queries and seed rows are executed for PostgreSQL only; MySQL changes are checked by rules.');
    try {
        let stable = [];
        let change = [];
        let contract = [];
        if (opts.dir && opts.base) {
            const set = await discoverMigrations(opts.dir, opts.base, head, gitOpts);
            stable = set.stable;
            change = set.change;
            contract = set.contract;
            findings.push(...set.history);
        }
        if (opts.sqlCommand?.length) {
            const { stdout } = await runCommand(opts.sqlCommand, { cwd: opts.cwd, timeoutMs, signal: opts.signal });
            change = [{ path: `command: ${opts.sqlCommand.join(' ').slice(0, 120)}`, text: stdout }];
            if (opts.stableDump)
                stable = [{ path: opts.stableDump, text: await readLocal(opts.cwd, opts.stableDump, 'stableDump') }];
            else if (!opts.dir)
                notes.push('No stable migrations given: every table the command alters counts as one the stable version uses.');
        }
        if (dumps) {
            const [s, c] = await Promise.all([readLocal(opts.cwd, opts.stableDump, 'stableDump'), readLocal(opts.cwd, opts.canaryDump, 'canaryDump')]);
            findings.push(...(await compareDumps(opts.dialect, { path: opts.stableDump, text: s }, { path: opts.canaryDump, text: c })));
            notes.push('Compared two schema dumps: a rename shows as a drop plus an add.');
            filesChecked.push(opts.stableDump, opts.canaryDump);
        }
        else {
            filesChecked.push(...change.map((f) => f.path));
            if (change.length === 0)
                notes.push('No new migrations in the change.');
            if (opts.dialect === 'postgres') {
                const r = await checkPostgres({ stable, change, contract, replayDb, requireLockTimeout: opts.requireLockTimeout, execution: opts.execution === false ? false : { seed, stableQueries }, timeoutMs, signal: opts.signal });
                findings.push(...r.findings);
                notes.push(...r.notes);
                replay = r.replay;
                execution = r.execution;
            }
            else {
                const r = await checkMysql({ stable, change, contract });
                findings.push(...r.findings);
                notes.push(...r.notes);
            }
        }
        if (opts.config) {
            const r = await checkConfig(opts.config, opts.base, head, gitOpts);
            findings.push(...r.findings);
            notes.push(...r.notes);
            filesChecked.push(...r.files);
        }
    }
    catch (err) {
        if (err instanceof errors/* CanaryGateError */.kT)
            throw err;
        throw new errors/* CanaryGateError */.kT('internal', `The schema check failed: ${err.message}`, { cause: err });
    }
    finally {
        if (startedHere && replayDb)
            await replayDb.then((db) => db.close()).catch(() => undefined);
    }
    const final = applyStrict(findings, Boolean(opts.strict));
    return { verdict: worstVerdict(final.map((f) => f.verdict)), findings: final, notes, filesChecked, replay, execution };
}
async function compareDumps(dialect, stable, canary) {
    let hits;
    if (dialect === 'postgres') {
        const parser = await loadPgParser();
        hits = diffModels(buildPgModel(parser.parseFile(stable.text, stable.path, 0)), buildPgModel(parser.parseFile(canary.text, canary.path, 0)));
    }
    else {
        hits = diffModels(buildMysqlModel(await parseMysqlFiles([stable])), buildMysqlModel(await parseMysqlFiles([canary])));
    }
    return hitsToFindings(hits, undefined, new Set()).map((f) => ({ ...f, file: canary.path }));
}


/***/ }),

/***/ 52442:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $Q: () => (/* binding */ emptyModel),
/* harmony export */   SR: () => (/* binding */ isStableTable),
/* harmony export */   Uv: () => (/* binding */ markAllStable),
/* harmony export */   Zw: () => (/* binding */ compareTypes),
/* harmony export */   gT: () => (/* binding */ isStableColumn),
/* harmony export */   h8: () => (/* binding */ isStableObject),
/* harmony export */   n4: () => (/* binding */ cloneModel)
/* harmony export */ });
function emptyModel() {
    return { tables: new Map(), indexes: new Map(), objects: new Map(), enums: new Map(), contract: new Set() };
}
function cloneModel(m) {
    const tables = new Map();
    for (const [k, t] of m.tables) {
        const columns = new Map();
        for (const [ck, c] of t.columns)
            columns.set(ck, { ...c, type: { ...c.type } });
        tables.set(k, { ...t, columns });
    }
    const enums = new Map();
    for (const [k, e] of m.enums)
        enums.set(k, { values: [...e.values], origin: e.origin });
    return {
        tables,
        indexes: new Map([...m.indexes].map(([k, v]) => [k, { ...v }])),
        objects: new Map(m.objects),
        enums,
        contract: new Set(m.contract),
    };
}
/** Every object of the model now counts as the stable version's (after the stable migrations ran). */
function markAllStable(m) {
    for (const t of m.tables.values()) {
        t.origin = 'stable';
        for (const c of t.columns.values())
            c.origin = 'stable';
    }
    for (const i of m.indexes.values())
        i.origin = 'stable';
    for (const k of m.objects.keys())
        m.objects.set(k, 'stable');
    for (const e of m.enums.values())
        e.origin = 'stable';
}
/**
 * A table is the stable version's unless the change created it. Tables the model does not know
 * (no stable migrations given, or created outside the migrations) count as stable: the safe side.
 */
function isStableTable(m, table) {
    const t = m.tables.get(table);
    return t ? t.origin === 'stable' : true;
}
function isStableColumn(m, table, column) {
    const t = m.tables.get(table);
    if (!t)
        return true;
    if (t.origin === 'change')
        return false;
    const c = t.columns.get(column);
    return c ? c.origin === 'stable' : true;
}
function isStableObject(m, kind, key) {
    const o = m.objects.get(`${kind}:${key}`);
    return o ? o === 'stable' : true;
}
/**
 * Does the new type hold every value of the old one, and would a client notice the difference?
 * `widen-invisible` (varchar(20) → varchar(50), varchar → text) is safe; `widen-visible`
 * (int → bigint, timestamp ↔ timestamptz) may surprise a client; `narrow` and `family-change` can
 * reject values the stable version writes.
 */
function compareTypes(oldT, newT) {
    if (oldT.array !== newT.array)
        return 'family-change';
    if (oldT.family !== newT.family) {
        const pair = `${oldT.family}>${newT.family}`;
        if (pair === 'timestamp>timestamptz' || pair === 'timestamptz>timestamp')
            return 'widen-visible';
        if (pair === 'int>numeric' && (newT.precision === undefined || newT.precision - (newT.scale ?? 0) >= 20)) {
            return 'widen-visible';
        }
        if (pair === 'enum>text' && newT.length === undefined)
            return 'widen-visible';
        return 'family-change';
    }
    switch (oldT.family) {
        case 'int':
        case 'float': {
            const ob = oldT.bytes ?? 4;
            const nb = newT.bytes ?? 4;
            if (oldT.unsigned && !newT.unsigned && nb <= ob)
                return 'narrow';
            if (!oldT.unsigned && newT.unsigned)
                return 'narrow';
            if (nb < ob)
                return 'narrow';
            if (nb > ob || oldT.unsigned !== newT.unsigned)
                return 'widen-visible';
            return 'same';
        }
        case 'text': {
            if (oldT.length === newT.length)
                return oldT.name === newT.name ? 'same' : 'widen-invisible';
            if (newT.length === undefined)
                return 'widen-invisible';
            if (oldT.length === undefined || newT.length < oldT.length)
                return 'narrow';
            return 'widen-invisible';
        }
        case 'numeric': {
            if (newT.precision === undefined)
                return oldT.precision === undefined ? 'same' : 'widen-invisible';
            if (oldT.precision === undefined)
                return 'narrow';
            const oi = oldT.precision - (oldT.scale ?? 0);
            const ni = newT.precision - (newT.scale ?? 0);
            if (ni < oi || (newT.scale ?? 0) < (oldT.scale ?? 0))
                return 'narrow';
            if (ni === oi && (newT.scale ?? 0) === (oldT.scale ?? 0))
                return 'same';
            return 'widen-invisible';
        }
        case 'enum': {
            if (oldT.enumValues && newT.enumValues) {
                const removed = oldT.enumValues.some((v) => !newT.enumValues.includes(v));
                if (removed)
                    return 'narrow';
                return newT.enumValues.length > oldT.enumValues.length ? 'widen-visible' : 'same';
            }
            return oldT.name === newT.name ? 'same' : 'family-change';
        }
        default:
            return oldT.name === newT.name ? 'same' : 'family-change';
    }
}


/***/ }),

/***/ 54333:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $f: () => (/* binding */ isSerialType),
/* harmony export */   C5: () => (/* binding */ rangeVarKey),
/* harmony export */   Im: () => (/* binding */ constraintsOf),
/* harmony export */   OD: () => (/* binding */ nameList),
/* harmony export */   Ss: () => (/* binding */ qualify),
/* harmony export */   a7: () => (/* binding */ namesKey),
/* harmony export */   dM: () => (/* binding */ exprText),
/* harmony export */   gY: () => (/* binding */ isVolatileExpr),
/* harmony export */   gy: () => (/* binding */ columnTypeOf)
/* harmony export */ });
/** `users`, or `billing.users` outside the default schema. */
function qualify(schema, name) {
    return schema && schema !== 'public' ? `${schema}.${name}` : name;
}
function rangeVarKey(rv) {
    return qualify(rv?.schemaname, String(rv?.relname ?? '?'));
}
/** A list of String nodes (`names`, `typeName`, a List's items) joined as a key. */
function nameList(items) {
    return (items ?? []).map((n) => String(n?.String?.sval ?? n?.sval ?? '?'));
}
function namesKey(items) {
    const names = nameList(items);
    if (names.length === 1)
        return names[0];
    return qualify(names[names.length - 2], names[names.length - 1]);
}
function intConst(n) {
    const v = n?.A_Const?.ival;
    if (v === undefined)
        return undefined;
    return typeof v.ival === 'number' ? v.ival : 0;
}
const INT_BYTES = {
    int2: 2, smallint: 2, smallserial: 2, serial2: 2,
    int4: 4, int: 4, integer: 4, serial: 4, serial4: 4,
    int8: 8, bigint: 8, bigserial: 8, serial8: 8,
};
const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
function isSerialType(tn) {
    return SERIALS.has(nameList(tn?.names).at(-1) ?? '');
}
/** Maps a TypeName node to the model's type; `enums` tells user enum types apart. */
function columnTypeOf(tn, enums) {
    const names = nameList(tn?.names);
    const base = names[names.length - 1] ?? '?';
    const mods = (tn?.typmods ?? []).map(intConst);
    const array = Array.isArray(tn?.arrayBounds) && tn.arrayBounds.length > 0;
    const name = (mods.length ? `${base}(${mods.join(',')})` : base) + (array ? '[]' : '');
    const t = { family: 'other', name, array };
    if (base in INT_BYTES)
        return { ...t, family: 'int', bytes: INT_BYTES[base] };
    switch (base) {
        case 'numeric':
        case 'decimal':
            return { ...t, family: 'numeric', precision: mods[0], scale: mods[0] === undefined ? undefined : (mods[1] ?? 0) };
        case 'float4':
        case 'real':
            return { ...t, family: 'float', bytes: 4 };
        case 'float8':
            return { ...t, family: 'float', bytes: 8 };
        case 'varchar':
        case 'bpchar':
        case 'char':
            return { ...t, family: 'text', length: mods[0] };
        case 'text':
            return { ...t, family: 'text' };
        case 'bool':
        case 'boolean':
            return { ...t, family: 'bool' };
        case 'timestamp':
            return { ...t, family: 'timestamp' };
        case 'timestamptz':
            return { ...t, family: 'timestamptz' };
        case 'date':
            return { ...t, family: 'date' };
        case 'time':
        case 'timetz':
            return { ...t, family: 'time' };
        case 'json':
        case 'jsonb':
            return { ...t, family: 'json' };
        case 'uuid':
            return { ...t, family: 'uuid' };
        case 'bytea':
            return { ...t, family: 'bytes' };
        default: {
            const key = namesKey(tn?.names);
            if (enums?.has(key))
                return { ...t, family: 'enum', name: key + (array ? '[]' : '') };
            return t;
        }
    }
}
function constraintsOf(colDef) {
    return (colDef?.constraints ?? []).map((c) => c.Constraint).filter(Boolean);
}
/** Deterministic text of an expression node, for comparing defaults. */
function exprText(n) {
    return JSON.stringify(n, (k, v) => (k === 'location' ? undefined : v));
}
const VOLATILE_FUNCS = new Set(['random', 'gen_random_uuid', 'uuid_generate_v4', 'clock_timestamp', 'nextval', 'timeofday']);
/** True when the expression calls a volatile function (forces a table rewrite as a default). */
function isVolatileExpr(n) {
    let found = false;
    const walk = (x) => {
        if (found || x === null || typeof x !== 'object')
            return;
        if (x.FuncCall) {
            const fname = nameList(x.FuncCall.funcname).at(-1) ?? '';
            if (VOLATILE_FUNCS.has(fname))
                found = true;
        }
        for (const v of Object.values(x))
            walk(v);
    };
    walk(n);
    return found;
}


/***/ }),

/***/ 48650:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EA: () => (/* binding */ shippedTemplate),
/* harmony export */   j4: () => (/* binding */ loadLibPgQuery),
/* harmony export */   xJ: () => (/* binding */ bundleEntry),
/* harmony export */   ye: () => (/* binding */ loadPGlite)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(76760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(73136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_2__);
var __rewriteRelativeImportExtension = (undefined && undefined.__rewriteRelativeImportExtension) || function (path, preserveJsx) {
    if (typeof path === "string" && /^\.\.?\//.test(path)) {
        return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function (m, tsx, d, ext, cm) {
            return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : (d + ext + "." + cm.toLowerCase() + "js");
        });
    }
    return path;
};
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



/** True inside the ncc bundle (webpack defines `__webpack_require__`), false when run from source. */
const BUNDLED = typeof __webpack_require__ === 'function';
/** The directory of this module: dist/main in the bundle. */
const HERE = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)((0,node_url__WEBPACK_IMPORTED_MODULE_2__.fileURLToPath)(import.meta.url));
async function withDirname(dir, load) {
    const g = globalThis;
    if (g.__dirname !== undefined)
        return load();
    g.__dirname = dir;
    try {
        return await load();
    }
    finally {
        delete g.__dirname;
    }
}
let pgQuery;
function loadLibPgQuery() {
    pgQuery ??= withDirname(HERE, async () => {
        const lib = await __webpack_require__.e(/* import() */ 627).then(__webpack_require__.t.bind(__webpack_require__, 2627, 23));
        await lib.loadModule();
        return lib;
    });
    pgQuery.catch(() => (pgQuery = undefined));
    return pgQuery;
}
/** The bundle's entry (dist/main/index.js), or undefined when run from source. */
function bundleEntry() {
    return BUNDLED ? (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(HERE, 'index.js') : undefined;
}
/** Where the bundle ships PGlite's published files (copied by package.json `bundle`). */
const SHIPPED_PGLITE_DIR = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(HERE, 'pglite');
/**
 * The pre-initialised data directory the bundle ships (scripts/pglite-template.ts, gzipped tar),
 * or undefined when run from source.
 */
function shippedTemplate() {
    if (!BUNDLED)
        return undefined;
    const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(SHIPPED_PGLITE_DIR, 'template.tar.gz');
    return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(path) ? path : undefined;
}
let pglite;
function loadPGlite() {
    pglite ??= (async () => {
        if (!BUNDLED)
            return (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ '@electric-sql/pglite', true)));
        const entry = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(SHIPPED_PGLITE_DIR, 'index.js');
        if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync)(entry))
            throw new Error(`the bundle lacks PGlite (${entry}); rebuild it with npm run build`);
        return (await import(__rewriteRelativeImportExtension(/* webpackIgnore: true */ (0,node_url__WEBPACK_IMPORTED_MODULE_2__.pathToFileURL)(entry).href, true)));
    })();
    pglite.catch(() => (pglite = undefined));
    return pglite;
}


/***/ }),

/***/ 44563:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DS: () => (/* binding */ replayPgChange),
  wK: () => (/* binding */ resetReplayDatabase),
  Jk: () => (/* binding */ startReplayDatabase)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(51455);
// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(98995);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(48161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(76760);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(38522);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(70017);
// EXTERNAL MODULE: ./src/util/retry.ts
var retry = __webpack_require__(4266);
// EXTERNAL MODULE: ./src/schema/model.ts
var model = __webpack_require__(52442);
// EXTERNAL MODULE: ./src/schema/pg/ast.ts
var ast = __webpack_require__(54333);
;// CONCATENATED MODULE: ./src/schema/pg/catalog.ts
/**
 * A snapshot of the PostgreSQL catalog keyed by object identity (OIDs, attnums), and a pure diff of
 * two snapshots into rule hits. Identity is what tells a rename (same OID, new name) from a drop and
 * an add, whatever SQL (DDL, DO blocks, CASCADE) caused it.
 */


/** The user's schemas: not the system catalogs, TOAST or temporary schemas. */
const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
/**
 * One round trip: the user catalog as JSON. `restricted` (parameters: the stable relations' and
 * other objects' OIDs) reads only what the diff can report on — stable objects, the columns and
 * constraints of stable relations, all enum labels — through the catalogs' OID indexes instead of
 * scanning pg_attribute and pg_proc: the snapshots after each statement are most of the replay's
 * time.
 */
function snapshotSql(restricted) {
    const rel = restricted ? 'c.oid = ANY($1::oid[])' : `${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f')`;
    const col = restricted ? 'a.attrelid = ANY($1::oid[])' : `${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`;
    const con = restricted ? 'k.conrelid = ANY($1::oid[])' : `${USER_NS} AND k.conrelid <> 0`;
    const other = (o) => (restricted ? `${o} = ANY($2::oid[])` : USER_NS);
    return `SELECT json_build_object(
 'relations', (SELECT coalesce(json_agg(json_build_object('oid', c.oid::int8, 'schema', n.nspname, 'name', c.relname, 'kind', c.relkind::text, 'rls', c.relrowsecurity, 'acl', c.relacl::text, 'unique', i.indisunique)), '[]')
   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
   WHERE ${rel}),
 'columns', (SELECT coalesce(json_agg(json_build_object('relid', a.attrelid::int8, 'attnum', a.attnum, 'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull, 'def', pg_get_expr(d.adbin, d.adrelid), 'identity', a.attidentity::text, 'generated', a.attgenerated::text)), '[]')
   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE ${col} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
 'enums', (SELECT coalesce(json_agg(json_build_object('oid', e.oid::int8, 'typid', e.enumtypid::int8, 'type', CASE WHEN n.nspname = 'public' THEN t.typname::text ELSE n.nspname || '.' || t.typname END, 'label', e.enumlabel)), '[]')
   FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace),
 'constraints', (SELECT coalesce(json_agg(json_build_object('oid', k.oid::int8, 'relid', k.conrelid::int8, 'name', k.conname, 'type', k.contype::text, 'def', pg_get_constraintdef(k.oid))), '[]')
   FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE ${con} AND k.contype IN ('c', 'u', 'f', 'x', 'p')),
 'others', (SELECT coalesce(json_agg(o), '[]') FROM (
     SELECT p.oid::int8 AS oid, n.nspname AS schema, p.proname::text AS name, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END AS kind
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${other('p.oid')}
     UNION ALL SELECT t.oid::int8, n.nspname, t.typname::text, 'type' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE ${other('t.oid')} AND t.typtype IN ('e', 'd')
     UNION ALL SELECT n.oid::int8, n.nspname, n.nspname::text, 'schema' FROM pg_namespace n WHERE ${other('n.oid')} AND n.nspname <> 'public'${restricted ? ` AND ${USER_NS}` : ''}
     UNION ALL SELECT g.oid::int8, n.nspname, c.relname || '.' || g.tgname, 'trigger' FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${other('g.oid')} AND NOT g.tgisinternal
   ) o)
) AS snapshot`;
}
/** The whole user catalog: the first snapshot, which defines what the stable version has. */
const SNAPSHOT_SQL = snapshotSql(false);
/** Only the stable objects: `$1` the stable relations' OIDs, `$2` the other stable objects' OIDs. */
const STABLE_SNAPSHOT_SQL = snapshotSql(true);
const PG_TYPES = {
    smallint: { family: 'int', bytes: 2 },
    integer: { family: 'int', bytes: 4 },
    bigint: { family: 'int', bytes: 8 },
    real: { family: 'float', bytes: 4 },
    'double precision': { family: 'float', bytes: 8 },
    text: { family: 'text' },
    boolean: { family: 'bool' },
    date: { family: 'date' },
    json: { family: 'json' },
    jsonb: { family: 'json' },
    uuid: { family: 'uuid' },
    bytea: { family: 'bytes' },
};
/** Maps `format_type()` output (e.g. `character varying(50)`, `timestamp(3) with time zone`) to the model. */
function typeFromCatalog(formatted, enumTypes) {
    const array = formatted.endsWith('[]');
    const t = array ? formatted.slice(0, -2) : formatted;
    const open = t.indexOf('(');
    const close = t.indexOf(')');
    const base = (open >= 0 ? t.slice(0, open) + t.slice(close + 1) : t).trim();
    const mods = open >= 0 ? t.slice(open + 1, close).split(',').map((x) => Number(x.trim())) : [];
    const out = { family: 'other', name: formatted, array };
    if (base in PG_TYPES)
        return { ...out, ...PG_TYPES[base] };
    if (base === 'character varying' || base === 'character')
        return { ...out, family: 'text', length: mods[0] };
    if (base === 'numeric')
        return { ...out, family: 'numeric', precision: mods[0], scale: mods[0] === undefined ? undefined : (mods[1] ?? 0) };
    if (base.startsWith('timestamp'))
        return { ...out, family: base.endsWith('with time zone') && !base.endsWith('without time zone') ? 'timestamptz' : 'timestamp' };
    if (base.startsWith('time'))
        return { ...out, family: 'time' };
    if (enumTypes.has(base))
        return { ...out, family: 'enum' };
    return out;
}
function stableIdentity(s) {
    return {
        relations: new Set(s.relations.map((r) => r.oid)),
        columns: new Set(s.columns.map((c) => `${c.relid}:${c.attnum}`)),
        enums: new Set(s.enums.map((e) => e.oid)),
        others: new Set(s.others.map((o) => o.oid)),
    };
}
function aclItems(acl) {
    if (!acl)
        return [];
    return acl.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
}
const KIND_NAME = { v: 'view', m: 'view', S: 'sequence', f: 'foreign table' };
/** Diffs two snapshots into hits about stable objects only. Pure. */
function diffSnapshots(before, after, stable) {
    const hits = [];
    const relBefore = new Map(before.relations.map((r) => [r.oid, r]));
    const relAfter = new Map(after.relations.map((r) => [r.oid, r]));
    const relKey = (r) => (0,ast/* qualify */.Ss)(r.schema, r.name);
    const enumTypesAfter = new Set(after.enums.map((e) => e.type));
    const enumTypesBefore = new Set(before.enums.map((e) => e.type));
    const labels = (snap, type) => snap.enums.filter((e) => e.type === type).map((e) => e.label);
    for (const r of before.relations) {
        if (!stable.relations.has(r.oid))
            continue;
        const a = relAfter.get(r.oid);
        const key = relKey(r);
        if (!a) {
            if (r.kind === 'r' || r.kind === 'p')
                hits.push({ rule: 'SC101', object: key, message: `Replay: table ${key} no longer exists.`, contractable: true });
            else if (r.kind === 'i') {
                if (r.unique)
                    hits.push({ rule: 'SC111', object: key, message: `Replay: unique index ${key} no longer exists.` });
            }
            else
                hits.push({ rule: 'SC112', object: `${KIND_NAME[r.kind] ?? 'relation'} ${key}`, message: `Replay: ${KIND_NAME[r.kind] ?? 'relation'} ${key} no longer exists.`, contractable: true });
            continue;
        }
        if (a.schema !== r.schema && r.kind !== 'i') {
            hits.push({ rule: 'SC113', object: key, message: `Replay: ${key} moved to schema ${a.schema}.`, contractable: true });
        }
        else if (a.name !== r.name && (r.kind === 'r' || r.kind === 'p' || r.kind === 'v' || r.kind === 'm')) {
            hits.push({ rule: 'SC103', object: key, message: `Replay: ${key} is now named ${relKey(a)} (same object, new name).`, contractable: true });
        }
        if (!r.rls && a.rls)
            hits.push({ rule: 'SC121', object: key, message: `Replay: row-level security is now enabled on ${key}.` });
        const lost = aclItems(r.acl).filter((i) => !aclItems(a.acl).includes(i));
        if (r.acl !== null && lost.length)
            hits.push({ rule: 'SC121', object: key, message: `Replay: privileges on ${key} changed; lost: ${lost.join(', ')}.` });
    }
    const colAfter = new Map(after.columns.map((c) => [`${c.relid}:${c.attnum}`, c]));
    for (const c of before.columns) {
        const id = `${c.relid}:${c.attnum}`;
        if (!stable.columns.has(id))
            continue;
        const rel = relBefore.get(c.relid);
        const relNow = relAfter.get(c.relid);
        if (!rel || !relNow || !['r', 'p'].includes(rel.kind))
            continue;
        const object = `${relKey(rel)}.${c.name}`;
        const a = colAfter.get(id);
        if (!a) {
            hits.push({ rule: 'SC102', object, message: `Replay: column ${object} no longer exists.`, contractable: true });
            continue;
        }
        if (a.name !== c.name)
            hits.push({ rule: 'SC104', object, message: `Replay: column ${object} is now named ${a.name} (same attnum, new name).`, contractable: true });
        if (a.type !== c.type) {
            const oldT = typeFromCatalog(c.type, enumTypesBefore);
            const newT = typeFromCatalog(a.type, enumTypesAfter);
            if (oldT.family === 'enum' && newT.family === 'enum') {
                const missing = labels(before, c.type).filter((l) => !labels(after, a.type).includes(l));
                if (missing.length)
                    hits.push({ rule: 'SC109', object, message: `Replay: ${object} moves to enum ${a.type}, which lacks ${missing.join(', ')}.` });
            }
            else {
                const change = (0,model/* compareTypes */.Zw)(oldT, newT);
                if (change === 'narrow' || change === 'family-change')
                    hits.push({ rule: 'SC108', object, message: `Replay: ${object} changed from ${c.type} to ${a.type}, which does not hold every old value.` });
                else if (change === 'widen-visible')
                    hits.push({ rule: 'SC116', object, message: `Replay: ${object} widened from ${c.type} to ${a.type}.` });
            }
        }
        if (!c.notnull && a.notnull)
            hits.push({ rule: 'SC106', object, message: `Replay: ${object} is now NOT NULL.` });
        if (c.notnull && !a.notnull)
            hits.push({ rule: 'SC114', object, message: `Replay: ${object} may now be NULL.` });
        if (c.def !== null && a.def === null && a.notnull && !a.identity)
            hits.push({ rule: 'SC107', object, message: `Replay: the default of NOT NULL column ${object} was dropped.` });
        else if (c.def !== null && a.def !== null && c.def !== a.def)
            hits.push({ rule: 'SC117', object, message: `Replay: the default of ${object} changed from ${c.def} to ${a.def}.` });
        if (c.identity !== 'a' && a.identity === 'a')
            hits.push({ rule: 'SC118', object, message: `Replay: ${object} became GENERATED ALWAYS AS IDENTITY.` });
        if (!c.generated && a.generated)
            hits.push({ rule: 'SC118', object, message: `Replay: ${object} became a generated column.` });
    }
    const colBefore = new Set(before.columns.map((c) => `${c.relid}:${c.attnum}`));
    for (const a of after.columns) {
        const rel = relAfter.get(a.relid);
        if (!rel || !stable.relations.has(a.relid) || colBefore.has(`${a.relid}:${a.attnum}`) || !['r', 'p'].includes(rel.kind))
            continue;
        if (a.notnull && a.def === null && !a.identity && !a.generated) {
            hits.push({ rule: 'SC105', object: `${relKey(rel)}.${a.name}`, message: `Replay: ${relKey(rel)}.${a.name} was added NOT NULL without a default.` });
        }
    }
    const enumAfter = new Map(after.enums.map((e) => [e.oid, e]));
    for (const e of before.enums) {
        if (!stable.enums.has(e.oid))
            continue;
        const a = enumAfter.get(e.oid);
        if (!a)
            hits.push({ rule: 'SC109', object: `${e.type}.${e.label}`, message: `Replay: enum value '${e.label}' of ${e.type} no longer exists.` });
        else if (a.label !== e.label)
            hits.push({ rule: 'SC109', object: `${e.type}.${e.label}`, message: `Replay: enum value '${e.label}' of ${e.type} is now '${a.label}'.` });
    }
    const enumOidsBefore = new Set(before.enums.map((e) => e.oid));
    const stableTypeIds = new Set(before.enums.filter((e) => stable.enums.has(e.oid)).map((e) => e.typid));
    for (const a of after.enums) {
        if (!enumOidsBefore.has(a.oid) && stableTypeIds.has(a.typid))
            hits.push({ rule: 'SC115', object: `${a.type}.${a.label}`, message: `Replay: enum ${a.type} gained '${a.label}'.` });
    }
    const conBefore = new Set(before.constraints.map((k) => k.oid));
    for (const k of after.constraints) {
        if (conBefore.has(k.oid) || !stable.relations.has(k.relid) || k.type === 'p')
            continue;
        const rel = relAfter.get(k.relid);
        if (!rel)
            continue;
        hits.push({ rule: 'SC110', object: relKey(rel), message: `Replay: constraint ${k.name} (${k.def}) was added to ${relKey(rel)}.` });
    }
    const otherAfter = new Map(after.others.map((o) => [o.oid, o]));
    for (const o of before.others) {
        if (!stable.others.has(o.oid) || otherAfter.has(o.oid))
            continue;
        if (o.kind === 'type' && before.enums.some((e) => e.type === (0,ast/* qualify */.Ss)(o.schema, o.name) && !stable.enums.has(e.oid)))
            continue;
        const object = o.kind === 'schema' ? `schema ${o.name}` : `${o.kind} ${(0,ast/* qualify */.Ss)(o.schema, o.name)}`;
        hits.push({ rule: 'SC112', object, verdict: o.kind === 'trigger' ? 'warn' : undefined, message: `Replay: ${object} no longer exists.`, contractable: true });
    }
    return hits;
}

// EXTERNAL MODULE: ./src/schema/pg/engines.ts
var engines = __webpack_require__(48650);
;// CONCATENATED MODULE: ./src/schema/pg/synthesize.ts
/**
 * What the stable version does to its tables, synthesised from the stable schema: per table an
 * INSERT of every column it can write, an INSERT of only the columns it must write, a SELECT of
 * every column, and an UPDATE and a DELETE by primary key (each on a row it inserted first, so
 * constraints and triggers fire). Values are untyped literals, as an ORM sends them, so PostgreSQL
 * coerces them on assignment (a varchar too short for the value fails as it would for the app).
 * Pure: the shape of the stable schema in, statements out.
 */

/** One round trip: every table and view of the stable schema with what synthesis needs. */
const SHAPE_SQL = `SELECT coalesce(json_agg(json_build_object(
  'key', CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END,
  'schema', n.nspname, 'name', c.relname, 'kind', c.relkind::text,
  'columns', (SELECT coalesce(json_agg(json_build_object(
      'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'base', bt.typname, 'category', bt.typcategory::text,
      'length', CASE WHEN bt.typname IN ('varchar', 'bpchar') AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 4 THEN coalesce(nullif(t.typtypmod, -1), a.atttypmod) - 4
                     WHEN bt.typname IN ('bit', 'varbit') AND coalesce(nullif(t.typtypmod, -1), a.atttypmod) > 0 THEN coalesce(nullif(t.typtypmod, -1), a.atttypmod) END,
      'notNull', a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), 'hasDefault', a.atthasdef OR t.typdefault IS NOT NULL,
      'identity', a.attidentity::text, 'generated', a.attgenerated::text,
      'labels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid)
    ) ORDER BY a.attnum), '[]')
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'primaryKey', (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]') FROM pg_constraint p
    CROSS JOIN LATERAL unnest(p.conkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = p.conrelid AND a.attnum = k.attnum
    WHERE p.conrelid = c.oid AND p.contype = 'p'),
  'foreignKeys', (SELECT coalesce(json_agg(json_build_object(
      'columns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum),
      'refTable', (SELECT CASE WHEN rn.nspname = 'public' THEN rc.relname::text ELSE rn.nspname || '.' || rc.relname END FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE rc.oid = f.confrelid),
      'refColumns', (SELECT json_agg(a.attname ORDER BY k.ord) FROM unnest(f.confkey) WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum)
    )), '[]') FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f')
) ORDER BY n.nspname, c.relname), '[]') AS shape
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition`;
/** Quotes an identifier the way PostgreSQL's quote_ident does. */
function quoteIdent(name) {
    return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}
const RESERVED = new Set(['all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create', 'current_catalog', 'current_date', 'current_role', 'current_time', 'current_timestamp', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'lateral', 'leading', 'limit', 'localtime', 'localtimestamp', 'not', 'null', 'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'system_user', 'table', 'then', 'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with']);
function tableSql(t) {
    return t.schema === 'public' ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
}
function lit(s) {
    return `'${s.replace(/'/g, "''")}'`;
}
/** How many value sets synthesis tries before it gives up on a table (the first the stable schema accepts wins). */
const VARIANTS = 4;
const TEXTS = ['canary-gate sample value 0123456789abcdef', 'sample', 'a@example.com', 'X'];
const NUMBERS = ['4242', '7', '1', '0'];
/**
 * A literal for one column in value set `variant`, or undefined when synthesis does not know the
 * type. Each set is uniform across columns (the first tries distinctive values, later ones small ones).
 */
function sampleLiteral(c, variant) {
    const v = variant % VARIANTS;
    if (c.labels?.length)
        return lit(c.labels[v % 2 === 0 ? 0 : c.labels.length - 1]);
    switch (c.category) {
        case 'N':
            if (c.base === 'money')
                return lit(NUMBERS[v]);
            return NUMBERS[v];
        case 'S': {
            const text = TEXTS[v];
            return lit(c.length ? text.slice(0, c.length) : text);
        }
        case 'B':
            return v % 2 === 0 ? 'true' : 'false';
        case 'D':
            if (c.base === 'date')
                return lit(`2024-01-0${v + 2}`);
            if (c.base === 'timestamptz')
                return lit(`2024-01-0${v + 2} 03:04:05+00`);
            if (c.base === 'timestamp')
                return lit(`2024-01-0${v + 2} 03:04:05`);
            return c.base === 'timetz' ? lit(`03:04:0${v}+00`) : lit(`03:04:0${v}`);
        case 'T':
            return lit(`${v + 1} day`);
        case 'I':
            return lit(c.base === 'cidr' ? `10.0.${v}.0/24` : `10.0.0.${v + 1}`);
        case 'A':
            return lit('{}');
        case 'V':
            return lit(c.base === 'bit' ? '0'.repeat(c.length ?? 1) : '1');
        case 'U':
            if (c.base === 'uuid')
                return lit(`00000000-0000-4000-8000-00000000424${v}`);
            if (c.base === 'json' || c.base === 'jsonb')
                return lit(v % 2 === 0 ? '{}' : '[]');
            if (c.base === 'bytea')
                return lit('\\x00');
            if (c.base === 'xml')
                return lit('<a/>');
            if (c.base === 'macaddr')
                return lit(`08:00:2b:01:02:0${v}`);
            return undefined;
        case 'G':
            return c.base === 'point' ? lit(`(${v},${v})`) : undefined;
        default:
            return undefined;
    }
}
/** Columns an INSERT may set: not generated, not GENERATED ALWAYS AS IDENTITY. */
function writable(c) {
    return c.generated === '' && c.identity !== 'a';
}
/** Columns the stable version must set: NOT NULL with no default of any kind. */
function required(c) {
    return writable(c) && c.notNull && !c.hasDefault && c.identity === '';
}
const MAX_FK_DEPTH = 4;
function planRow(shape, t, columns, variant, depth) {
    const values = new Map();
    const parents = [];
    for (const c of columns) {
        const v = sampleLiteral(c, variant);
        if (v === undefined) {
            if (c.notNull)
                return undefined;
            continue;
        }
        values.set(c.name, v);
    }
    for (const fk of t.foreignKeys) {
        if (!fk.columns.every((c) => values.has(c))) {
            for (const c of fk.columns)
                values.delete(c); // a partial key is left NULL (MATCH SIMPLE: not checked)
            if (fk.columns.some((c) => t.columns.find((x) => x.name === c)?.notNull))
                return undefined;
            continue;
        }
        const parent = shape.get(fk.refTable);
        if (!parent)
            return undefined;
        if (parent.key === t.key) {
            fk.columns.forEach((c, i) => {
                const own = values.get(fk.refColumns[i]);
                if (own !== undefined)
                    values.set(c, own);
            });
            continue;
        }
        if (depth >= MAX_FK_DEPTH) {
            if (fk.columns.some((c) => t.columns.find((x) => x.name === c)?.notNull))
                return undefined;
            for (const c of fk.columns)
                values.delete(c);
            continue;
        }
        const parentRow = planRow(shape, parent, parent.columns.filter(writable), variant, depth + 1);
        if (!parentRow || !fk.refColumns.every((c) => parentRow.values.has(c)))
            return undefined;
        fk.columns.forEach((c, i) => values.set(c, parentRow.values.get(fk.refColumns[i])));
        parents.push(...parentRow.parents, insertSql(parent, parentRow.values));
    }
    return { values, parents: [...new Set(parents)] };
}
function insertSql(t, values) {
    if (values.size === 0)
        return `INSERT INTO ${tableSql(t)} DEFAULT VALUES`;
    return `INSERT INTO ${tableSql(t)} (${[...values.keys()].map(quoteIdent).join(', ')}) VALUES (${[...values.values()].join(', ')})`;
}
function synthesizeTable(shape, t, variant) {
    const byKey = new Map(shape.tables.map((x) => [x.key, x]));
    const all = t.columns.filter(writable);
    const row = planRow(byKey, t, all, variant, 0);
    if (!row)
        return undefined;
    const insert = { id: `insert ${t.key}`, kind: 'insert', table: t.key, setup: row.parents, sql: insertSql(t, row.values) };
    const others = [];
    const req = t.columns.filter(required);
    if (req.length < row.values.size) {
        const reqRow = planRow(byKey, t, req, variant, 0);
        if (reqRow) {
            const sql = insertSql(t, reqRow.values);
            others.push({ id: `insert-required ${t.key}`, kind: 'insert-required', table: t.key, setup: reqRow.parents, sql });
        }
    }
    const key = t.primaryKey.length && t.primaryKey.every((c) => row.values.has(c)) ? t.primaryKey : undefined;
    if (key) {
        const where = key.map((c) => `${quoteIdent(c)} = ${row.values.get(c)}`).join(' AND ');
        const set = [...row.values].filter(([c]) => !key.includes(c));
        const assignments = (set.length ? set : [[key[0], row.values.get(key[0])]]).map(([c, v]) => `${quoteIdent(c)} = ${v}`).join(', ');
        const setup = [...row.parents, insert.sql];
        others.push({ id: `update ${t.key}`, kind: 'update', table: t.key, setup, sql: `UPDATE ${tableSql(t)} SET ${assignments} WHERE ${where}` });
        others.push({ id: `delete ${t.key}`, kind: 'delete', table: t.key, setup, sql: `DELETE FROM ${tableSql(t)} WHERE ${where}` });
    }
    return { table: t.key, insert, others };
}
function selectProbe(t) {
    const cols = t.columns.map((c) => quoteIdent(c.name)).join(', ') || '*';
    return { id: `select ${t.key}`, kind: 'select', table: t.key, setup: [], sql: `SELECT ${cols} FROM ${tableSql(t)} LIMIT 1` };
}

;// CONCATENATED MODULE: ./src/schema/pg/execute.ts
/**
 * Proof by execution: the stable version's statements run against the database before and after
 * the canary's migrations, each in a transaction rolled back after it. A statement that works
 * before and fails after is proof that the stable version breaks: its SQLSTATE and message, and —
 * found by replaying the change statement by statement — the migration statement that broke it.
 */


function sqlState(err) {
    const code = err.code;
    return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : 'XX000';
}
const SAVEPOINT = 'canary_gate_probe';
/**
 * Runs one probe in a transaction (a savepoint inside an open one) and rolls it back. Round trips
 * are most of execution's cost: the opening, the setup and (without parameters) the statement go
 * in one; a failure is the setup's only when the setup alone fails.
 */
async function runProbe(db, p, inTransaction = false) {
    const open = inTransaction ? `SAVEPOINT ${SAVEPOINT}` : 'BEGIN';
    const close = inTransaction ? `ROLLBACK TO SAVEPOINT ${SAVEPOINT}; RELEASE SAVEPOINT ${SAVEPOINT}` : 'ROLLBACK';
    const setup = [open, ...p.setup].join(';\n');
    try {
        if (p.params) {
            await db.exec(setup);
            await db.query(p.sql, p.params);
        }
        else {
            await db.exec(`${setup};\n${p.sql}`);
        }
        return { ok: true };
    }
    catch (err) {
        const failure = { code: sqlState(err), message: (0,errors/* errorMessage */.gJ)(err) };
        if (p.setup.length === 0)
            return { ok: false, setup: false, ...failure };
        // Did the rows it needs fail to insert, or the statement itself?
        await db.exec(close).catch(() => undefined);
        try {
            await db.exec(setup);
        }
        catch (setupErr) {
            return { ok: false, setup: true, code: sqlState(setupErr), message: (0,errors/* errorMessage */.gJ)(setupErr) };
        }
        return { ok: false, setup: false, ...failure };
    }
    finally {
        await db.exec(close).catch(() => undefined);
    }
}
/**
 * Against the stable schema (before the change): reads its shape, picks for every table the first
 * value set the stable schema accepts, and keeps the statements that work now — only those can
 * prove anything about the change.
 */
async function planProbes(db, queries = []) {
    const r = await db.query(SHAPE_SQL);
    const raw = r.rows[0]?.shape ?? [];
    const shape = { tables: typeof raw === 'string' ? JSON.parse(raw) : raw };
    const probes = [];
    const notes = [];
    const written = new Set();
    const unsynthesised = [];
    for (const t of shape.tables) {
        const select = selectProbe(t);
        if ((await runProbe(db, select)).ok)
            probes.push(select);
        if (t.kind === 'v')
            continue;
        let found = false;
        for (let v = 0; v < VARIANTS && !found; v++) {
            const set = synthesizeTable(shape, t, v);
            if (!set || !(await runProbe(db, set.insert)).ok)
                continue;
            found = true;
            probes.push(set.insert);
            written.add(t.key);
            for (const p of set.others)
                if ((await runProbe(db, p)).ok)
                    probes.push(p);
        }
        if (!found)
            unsynthesised.push(t.key);
    }
    if (unsynthesised.length) {
        notes.push(`Execution: no synthesised row satisfies the stable constraints of ${unsynthesised.join(', ')}; only their SELECT was run. Give schema.seed rows or schema.stable-queries to cover their writes.`);
    }
    for (const q of queries) {
        const probe = await queryProbe(db, q, notes);
        if (!probe)
            continue;
        const res = await runProbe(db, probe);
        if (res.ok)
            probes.push(probe);
        else
            notes.push(`Execution: the stable query at ${q.file}:${q.line} already fails on the stable schema (SQLSTATE ${res.code}: ${res.message}); it is left out.`);
    }
    return { probes, notes, written };
}
async function queryProbe(db, q, notes) {
    const base = { id: `query ${q.file}:${q.line}`, kind: 'query', table: q.file, setup: [], sql: q.text, source: { file: q.file, line: q.line } };
    if (q.params)
        return { ...base, params: q.params };
    if (!/\$\d/.test(q.text))
        return base;
    if (!db.describeQuery) {
        notes.push(`Execution: ${q.file}:${q.line} has parameters without sample values; give them with "-- canary-gate:params [ … ]" above it.`);
        return undefined;
    }
    try {
        const d = await db.describeQuery(q.text);
        const oids = d.queryParams.map((p) => p.dataTypeID);
        const types = await db.query(`SELECT t.oid::int AS oid, bt.typname AS base, bt.typcategory::text AS category FROM pg_type t JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END WHERE t.oid = ANY($1::oid[])`, [oids]);
        const params = oids.map((oid) => {
            const t = types.rows.find((x) => Number(x.oid) === oid);
            const literal = t ? sampleLiteral({ base: t.base, category: t.category, length: null, labels: null }, 1) : undefined;
            if (literal === undefined)
                return 'sample';
            return literal.startsWith("'") ? literal.slice(1, -1).replace(/''/g, "'") : literal;
        });
        return { ...base, params };
    }
    catch (err) {
        notes.push(`Execution: the stable query at ${q.file}:${q.line} does not describe on the stable schema (${(0,errors/* errorMessage */.gJ)(err)}); it is left out.`);
        return undefined;
    }
}
/**
 * Runs the baseline probes against the migrated database; returns those that now fail. A probe
 * whose setup fails (the rows it needs no longer insert) proves nothing new: the INSERT probes of
 * those tables report it.
 */
async function failingProbes(db, probes, inTransaction = false) {
    const out = [];
    for (const p of probes) {
        const r = await runProbe(db, p, inTransaction);
        if (!r.ok && !r.setup)
            out.push({ probe: p, code: r.code, message: r.message });
    }
    return out;
}
/**
 * Which change statement broke each failing probe: `step(k)` applies change statement k (in
 * order, on a database holding the stable schema); after each the failing probes run again. The
 * cause is the statement after which a probe starts failing for the last time.
 */
async function bisectFailures(db, failures, statements, step) {
    const failing = new Set();
    for (let k = 0; k < statements; k++) {
        const { inTransaction } = await step(k);
        for (const f of failures) {
            const r = await runProbe(db, f.probe, inTransaction);
            if (!r.ok && !r.setup && !failing.has(f)) {
                failing.add(f);
                f.cause = k;
            }
            else if (r.ok || r.setup)
                failing.delete(f);
        }
    }
}

;// CONCATENATED MODULE: ./src/schema/pg/replay.ts
/**
 * Replays the migrations in PGlite (real PostgreSQL compiled to WASM): the stable migrations first,
 * then each new statement on its own with a catalog snapshot after it. The diff by OID/attnum sees
 * what the SQL really did, including DO blocks, dynamic SQL and CASCADE.
 */










async function readTemplate(path) {
    const data = await (0,promises_.readFile)(path).catch(() => undefined);
    if (!data)
        return undefined;
    return new Blob([path.endsWith('.gz') ? (0,external_node_zlib_.gunzipSync)(data) : data]);
}
/** Starts an in-memory PGlite; loads the WASM only when called. */
async function startReplayDatabase(opts = {}) {
    const { PGlite } = await (0,engines/* loadPGlite */.ye)();
    const shipped = opts.templateCache === undefined ? (0,engines/* shippedTemplate */.EA)() : undefined;
    if (shipped) {
        const template = await readTemplate(shipped);
        // A shipped template that does not load is a broken build: fall through to initdb, still correct.
        if (template)
            return PGlite.create({ loadDataDir: template }).catch(() => PGlite.create());
    }
    const cache = opts.templateCache === undefined ? await defaultTemplatePath() : opts.templateCache;
    if (cache) {
        const template = await readTemplate(cache);
        if (template) {
            try {
                return await PGlite.create({ loadDataDir: template });
            }
            catch {
                await (0,promises_.rm)(cache, { force: true }).catch(() => undefined); // a broken template is rebuilt below
            }
        }
    }
    const db = await PGlite.create();
    if (cache) {
        try {
            const dump = await db.dumpDataDir('none');
            const tmp = `${cache}.${process.pid}.tmp`;
            await (0,promises_.writeFile)(tmp, Buffer.from(await dump.arrayBuffer()));
            await (0,promises_.rename)(tmp, cache); // atomic: concurrent checks never read half a file
        }
        catch {
            // The cache is an optimisation only.
        }
    }
    return db;
}
async function defaultTemplatePath() {
    const require = (0,external_node_module_.createRequire)(import.meta.url);
    let version = 'unknown';
    try {
        // The package's exports hide package.json; find it beside the resolved entry point.
        const entry = require.resolve('@electric-sql/pglite');
        const root = entry.slice(0, entry.lastIndexOf(`${external_node_path_.sep}dist${external_node_path_.sep}`));
        version = String(JSON.parse(await (0,promises_.readFile)((0,external_node_path_.join)(root, 'package.json'), 'utf8')).version);
    }
    catch {
        // Unknown version: still cache, under a name that changes nothing when the version is found later.
    }
    return (0,external_node_path_.join)((0,external_node_os_.tmpdir)(), `canary-gate-pglite-${version}-template.tar`);
}
/** Drops everything a previous replay created, so one instance serves several checks. */
async function resetReplayDatabase(db) {
    await db.exec(`ROLLBACK; DO $$ DECLARE s text; BEGIN
    FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND nspname NOT LIKE 'pg\\_%' LOOP
      EXECUTE format('DROP SCHEMA %I CASCADE', s);
    END LOOP;
  END $$; DROP SCHEMA public CASCADE; CREATE SCHEMA public; RESET ALL;`).catch(async () => {
        await db.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public; RESET ALL;`);
    });
}
/**
 * Statements that cannot change an object the stable version already has: no snapshot after them
 * (the next diff still compares stable objects correctly, since new objects are never reported).
 */
const CATALOG_NEUTRAL = new Set([
    'TransactionStmt', 'VariableSetStmt', 'VariableShowStmt', 'SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt',
    'ExplainStmt', 'CommentStmt', 'CopyStmt', 'CheckPointStmt', 'VacuumStmt',
    'CreateStmt', 'CreateFunctionStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateSeqStmt', 'CreateSchemaStmt',
    'IndexStmt', 'CreateTrigStmt', 'CreateDomainStmt',
]);
function isCatalogNeutral(s) {
    if (s.type === 'ViewStmt')
        return !s.node.replace;
    if (s.type === 'CreateStmt')
        return !s.node.partbound && !s.node.inhRelations?.length;
    return CATALOG_NEUTRAL.has(s.type);
}
/** The full catalog, or (given the stable identity) only what the diff reports on. */
async function snapshot(db, stable) {
    const r = stable
        ? await db.query(STABLE_SNAPSHOT_SQL, [[...stable.relations], [...stable.others]])
        : await db.query(SNAPSHOT_SQL);
    const raw = r.rows[0]?.snapshot;
    return typeof raw === 'string' ? JSON.parse(raw) : raw;
}
function trackTransaction(s, inTransaction) {
    if (s.type !== 'TransactionStmt')
        return inTransaction;
    const kind = String(s.node.kind);
    if (kind === 'TRANS_STMT_BEGIN' || kind === 'TRANS_STMT_START')
        return true;
    if (kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK')
        return false;
    return inTransaction;
}
async function replayPgChange(db, stable, change, opts) {
    const deadline = Date.now() + opts.timeoutMs;
    const left = () => Math.max(1, deadline - Date.now());
    const timeout = () => new errors/* CanaryGateError */.kT('timeout', `The PGlite replay did not finish within ${opts.timeoutMs} ms; raise timeoutMs or pass replay: false.`);
    const run = (p) => (0,retry/* withTimeout */.wj)(p, left(), timeout);
    const cancelled = () => {
        if (opts.signal?.aborted)
            throw new errors/* CanaryGateError */.kT('cancelled', 'The schema check was cancelled during the replay.');
    };
    const outcome = { status: 'ran', notes: [], hits: new Map(), applied: new Set() };
    for (const f of stable) {
        cancelled();
        try {
            await run(db.exec(f.text));
        }
        catch (err) {
            if (err instanceof errors/* CanaryGateError */.kT)
                throw err;
            outcome.status = 'unavailable';
            outcome.notes.push(`Replay unavailable: the stable migration ${f.path} does not apply in PGlite (${(0,errors/* errorMessage */.gJ)(err)}), e.g. an extension PGlite lacks. Static analysis only.`);
            return outcome;
        }
    }
    // A dump may leave session settings behind (pg_dump empties search_path).
    await run(db.exec('RESET ALL'));
    const seed = opts.execution?.seed ?? [];
    for (const f of seed) {
        try {
            await run(db.exec(f.text));
        }
        catch (err) {
            if (err instanceof errors/* CanaryGateError */.kT)
                throw err;
            throw new errors/* InputError */.dz('schema.seed', `${f.path} does not load on the stable schema: ${(0,errors/* errorMessage */.gJ)(err)}. Seed rows must fit the schema the stable migrations build.`);
        }
    }
    const plan = opts.execution ? await run(planProbes(db, opts.execution.queries)) : undefined;
    if (plan)
        outcome.notes.push(...plan.notes);
    let before = await run(snapshot(db));
    const stableIds = stableIdentity(before);
    let inTransaction = false;
    for (const s of change) {
        cancelled();
        try {
            await run(db.exec(s.text));
        }
        catch (err) {
            if (err instanceof errors/* CanaryGateError */.kT)
                throw err;
            outcome.failed = { index: s.index, error: (0,errors/* errorMessage */.gJ)(err) };
            outcome.notes.push(`Replay stopped at ${s.file}:${s.line}: PostgreSQL rejected the statement (${(0,errors/* errorMessage */.gJ)(err)}). Later statements were checked statically only${plan ? ', and the stable statements were not executed' : ''}.`);
            if (inTransaction)
                await db.exec('ROLLBACK').catch(() => undefined);
            return outcome;
        }
        outcome.applied.add(s.index);
        inTransaction = trackTransaction(s, inTransaction);
        if (isCatalogNeutral(s))
            continue;
        const after = await run(snapshot(db, stableIds));
        const hits = diffSnapshots(before, after, stableIds);
        if (hits.length)
            outcome.hits.set(s.index, hits);
        before = after;
    }
    if (inTransaction)
        await db.exec('COMMIT').catch(() => undefined);
    if (!plan)
        return outcome;
    cancelled();
    const failures = await run(failingProbes(db, plan.probes));
    outcome.execution = { statements: plan.probes.length, failures, written: plan.written };
    if (failures.length === 0)
        return outcome;
    // Which statement broke each one: replay again, statement by statement.
    await run(resetReplayDatabase(db));
    for (const f of stable)
        await run(db.exec(f.text));
    await run(db.exec('RESET ALL'));
    for (const f of seed)
        await run(db.exec(f.text));
    let tx = false;
    await run(bisectFailures(db, failures, change.length, async (k) => {
        cancelled();
        const s = change[k];
        await db.exec(s.text);
        tx = trackTransaction(s, tx);
        return { inTransaction: tx };
    }));
    if (tx)
        await db.exec('COMMIT').catch(() => undefined);
    for (const f of failures)
        if (f.cause !== undefined)
            f.cause = change[f.cause].index;
    return outcome;
}


/***/ }),

/***/ 56776:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   PI: () => (/* binding */ ruleInfo)
/* harmony export */ });
/* unused harmony exports RULE_IDS, isRuleId, allRules */
const EXPAND_CONTRACT = 'Expand/contract: ship the additive change with the canary, move readers and writers over, and drop the old object in a later release once no running version uses it (mark it with `-- canary-gate:contract <object>` in that release).';
const RULES = [
    { id: 'SC101', verdict: 'block', title: 'drop table', why: 'The stable version\'s queries name the table: "relation does not exist".', alternative: `Stop using the table in the canary first; drop it in a later release. ${EXPAND_CONTRACT}` },
    { id: 'SC102', verdict: 'block', title: 'drop column', why: 'The stable version\'s queries name the column: "column does not exist"; its INSERTs that set it fail.', alternative: `Stop reading and writing the column in the canary (and give it a default or make it nullable); drop it in a later release. ${EXPAND_CONTRACT}` },
    { id: 'SC103', verdict: 'block', title: 'rename table', why: 'A rename is a drop for every query that uses the old name.', alternative: 'Create the new table (or rename and create a view under the old name so stable keeps working), switch the code over, drop the old name in a later release.' },
    { id: 'SC104', verdict: 'block', title: 'rename column', why: 'A rename is a drop for every query that uses the old name.', alternative: 'Add the new column, keep both in sync with a trigger (or dual writes) and backfill, switch readers, then drop the old column in a later release.' },
    { id: 'SC105', verdict: 'block', title: 'add NOT NULL column without default', why: 'Stable INSERTs omit the new column and violate NOT NULL.', alternative: 'Add the column nullable (or with a DEFAULT), backfill, and set NOT NULL once every running version writes it.' },
    { id: 'SC106', verdict: 'block', title: 'set NOT NULL on an existing column', why: 'Stable writes that leave the column NULL fail; `CHECK (col IS NOT NULL) NOT VALID` is enforced on every new row at once, so it is SC106 too.', alternative: 'Wait until every running version writes the column; then add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, and SET NOT NULL in a later release.' },
    { id: 'SC107', verdict: 'block', title: 'drop default of a NOT NULL column', why: 'Stable INSERTs that omit the column relied on the default and now violate NOT NULL.', alternative: 'Keep the default until no running version relies on it (stable inserts omit the column); drop it in a later release.' },
    { id: 'SC108', verdict: 'block', title: 'type change that does not cover the old type', why: 'The new type cannot hold what stable writes (narrower ints, shorter varchar/numeric, another type family).', alternative: 'Add a new column of the new type, dual-write and backfill, switch readers, drop the old column later.' },
    { id: 'SC109', verdict: 'block', title: 'enum value removed or renamed', why: 'Stable writes an enum label that no longer exists.', alternative: 'Add the new value first, migrate rows and code to it, and remove the old value only when no running version writes it.' },
    { id: 'SC110', verdict: 'warn', title: 'new constraint or unique index on an existing table', why: 'Stable writes that violate the new constraint fail — whether they do depends on what stable writes (execution proves it when its statements do).', alternative: 'Make sure the stable version never writes rows that violate it (check its write paths), add it NOT VALID, and validate after the rollout.' },
    { id: 'SC111', verdict: 'warn', title: 'drop a unique index or key', why: 'Stable upserts (ON CONFLICT / ON DUPLICATE KEY) and lookups may rely on the uniqueness.', alternative: 'Check that the stable version does not use it (ON CONFLICT, upserts, lookups); drop it in a later release.' },
    { id: 'SC112', verdict: 'block', title: 'drop view, function, procedure, sequence, type or schema', why: 'The stable version calls or reads the object: "does not exist".', alternative: `Keep the object until no running version uses it; drop it in a later release. ${EXPAND_CONTRACT}` },
    { id: 'SC113', verdict: 'block', title: 'move a table to another schema / rename a schema', why: 'The stable version\'s queries name the table in its old schema.', alternative: 'Create the new location, keep a view or synonym under the old name, switch code, remove the old name later.' },
    { id: 'SC114', verdict: 'warn', title: 'drop NOT NULL', why: 'Stable readers may meet NULL where they never did.', alternative: 'Make sure the stable version tolerates NULL when reading this column, or write it from the canary until stable is gone.' },
    { id: 'SC115', verdict: 'warn', title: 'enum value added', why: 'Stable readers may meet a value they do not know (deserialisation often fails).', alternative: 'Make sure the stable version tolerates the new value when reading (unknown enum values often fail deserialisation); write it only after the rollout.' },
    { id: 'SC116', verdict: 'warn', title: 'widening visible to clients', why: 'The column holds the same values, but clients see a new type (int → bigint overflows 32-bit clients; timestamptz changes time zones).', alternative: 'Check the stable version\'s driver mapping for the new type (e.g. int → bigint overflows 32-bit clients, timestamptz changes time zones).' },
    { id: 'SC117', verdict: 'pass', title: 'default value changed', why: 'Nothing breaks: stable INSERTs that omit the column get the new default.', alternative: 'None needed; stable inserts that omit the column get the new default.' },
    { id: 'SC118', verdict: 'block', title: 'identity/generated added to an existing column', why: '`GENERATED ALWAYS` (or a generated column) rejects the values stable supplies; `BY DEFAULT` passes.', alternative: 'Use a sequence DEFAULT (GENERATED BY DEFAULT) so the stable version can keep supplying values; switch to ALWAYS later.' },
    { id: 'SC119', verdict: 'block', title: 'data destruction in a migration', why: 'Data a rollback cannot restore.', alternative: 'Destroy data only in a later release, with a WHERE clause and a backup; never CASCADE to objects you did not list.' },
    { id: 'SC120', verdict: 'warn', title: 'opaque statement', why: 'Static analysis cannot tell what a DO block, dynamic SQL or an unparsable statement does; the replay decides when it runs.', alternative: 'Write the change as plain DDL so it can be checked; otherwise review it by hand (the replay result is shown when it ran).' },
    { id: 'SC121', verdict: 'warn', title: 'privilege or row-level-security change', why: 'The stable version\'s role may lose privileges or rows it needs.', alternative: 'Make sure the stable version\'s role keeps the privileges and policies it needs; revoke in a later release.' },
    { id: 'SC122', verdict: 'block', title: 'migration history rewritten', why: 'Databases that ran the old history diverge or refuse to migrate.', alternative: 'Never edit, delete, rename or back-date a migration already in the stable ref: add a new migration that sorts after the newest one.' },
    { id: 'SC123', verdict: 'block', title: 'stable statement fails after the migration (proven by execution)', why: 'Proven, not inferred: a statement of the stable version (synthesised from the stable schema, or from schema.stable-queries) worked before the change and fails after it — with its SQLSTATE and the migration statement that broke it. It catches net effects no single statement shows (ADD COLUMN … NOT NULL DEFAULT then DROP DEFAULT), triggers and constraints that reject stable writes.', alternative: `Change the schema so both versions' statements keep working: add columns nullable or with a default (and keep the default while stable runs), add constraints and triggers that accept what stable writes (or NOT VALID, validated after the rollout), and remove what stable needs only in a later release. ${EXPAND_CONTRACT}` },
    { id: 'SC301', verdict: 'warn', title: 'CREATE INDEX without CONCURRENTLY', why: 'A plain CREATE INDEX blocks writes to the table for the whole build.', alternative: 'CREATE INDEX CONCURRENTLY outside a transaction.' },
    { id: 'SC302', verdict: 'warn', title: 'DROP INDEX without CONCURRENTLY', why: 'A plain DROP INDEX takes an ACCESS EXCLUSIVE lock: reads and writes wait.', alternative: 'DROP INDEX CONCURRENTLY outside a transaction.' },
    { id: 'SC303', verdict: 'warn', title: 'CHECK / FOREIGN KEY without NOT VALID', why: 'Validating the constraint scans the table under a lock that blocks writes.', alternative: 'Add the constraint NOT VALID, then VALIDATE CONSTRAINT in a separate statement (weaker lock).' },
    { id: 'SC304', verdict: 'warn', title: 'UNIQUE / PRIMARY KEY / EXCLUDE added directly', why: 'Building the index behind the constraint blocks writes for the whole build.', alternative: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX.' },
    { id: 'SC305', verdict: 'warn', title: 'type change that rewrites the table', why: 'The table is rewritten under an ACCESS EXCLUSIVE lock.', alternative: 'Add a new column of the new type, backfill in batches, switch over; or pick a binary-compatible change.' },
    { id: 'SC306', verdict: 'warn', title: 'volatile default, stored generated column or serial/identity on an existing table', why: 'Every row is rewritten under an ACCESS EXCLUSIVE lock.', alternative: 'Add the column without the volatile default, backfill in batches, then set the default.' },
    { id: 'SC307', verdict: 'warn', title: 'SET NOT NULL without a validated CHECK', why: 'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.', alternative: 'ADD CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (skips the full scan).' },
    { id: 'SC308', verdict: 'warn', title: 'no lock_timeout before an ACCESS EXCLUSIVE statement', why: 'Waiting for the lock queues every later query on the table behind it.', alternative: "SET lock_timeout = '5s' before the statement and retry the migration on timeout." },
    { id: 'SC309', verdict: 'block', title: 'CONCURRENTLY inside a transaction block', why: 'PostgreSQL refuses CONCURRENTLY inside BEGIN … COMMIT: the migration fails.', alternative: 'Run the CONCURRENTLY statement in its own migration without a transaction.' },
    { id: 'SC310', verdict: 'warn', title: 'MySQL copy algorithm or blocking lock', why: 'A COPY rebuild or a SHARED/EXCLUSIVE lock blocks the writes of both versions meanwhile.', alternative: 'Use ALGORITHM=INSTANT or INPLACE with LOCK=NONE, or an online schema change tool (gh-ost, pt-online-schema-change).' },
    { id: 'CFG101', verdict: 'block', title: 'configuration key removed', why: 'A version that reads the key finds nothing.', alternative: 'Keep the key until no running version reads it; remove it in a later release.' },
    { id: 'CFG102', verdict: 'block', title: 'configuration key renamed', why: 'A version that reads the old key finds nothing.', alternative: 'Set both the old and the new key during the rollout; remove the old one in a later release.' },
    { id: 'CFG103', verdict: 'block', title: 'configuration value changed type', why: 'A version that reads the key cannot parse the new value.', alternative: 'Introduce a new key with the new type; keep the old key and type until stable is gone.' },
    { id: 'CFG104', verdict: 'warn', title: 'log format changed', why: 'Log pipelines and alerts that parse the old format stop matching.', alternative: 'Make sure log pipelines and alerts parse both formats during the rollout.' },
    { id: 'CFG105', verdict: 'warn', title: 'service-discovery URL or port changed', why: 'A version that connects to the old endpoint fails.', alternative: 'Keep the old endpoint reachable (both listeners, or both services) until the rollout completes.' },
    { id: 'CFG106', verdict: 'block', title: 'metric or label the gate queries rely on removed or renamed', why: 'The gate\'s own metric queries would see no canary data: the analysis could never pass honestly.', alternative: 'Keep emitting the old metric/label names (or update the gate queries to match both) so the canary analysis sees data; rename in a later release.' },
    { id: 'CFG107', verdict: 'pass', title: 'configuration value changed', why: 'Nothing breaks when both versions accept both values.', alternative: 'None needed when both versions accept both values.' },
];
const RULE_IDS = RULES.map((r) => r.id);
function ruleInfo(id) {
    const r = RULES.find((x) => x.id === id);
    if (!r)
        throw new Error(`unknown schema rule id ${id}: expected one of ${RULE_IDS.join(', ')}`);
    return r;
}
/** Narrows a string (e.g. from JSON) to a rule id. */
function isRuleId(id) {
    return RULE_IDS.includes(id);
}
function allRules() {
    return RULES;
}


/***/ })

};
