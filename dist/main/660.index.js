export const id = 660;
export const ids = [660,241];
export const modules = {

/***/ 33304:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  renderSchemaJson: () => (/* reexport */ renderSchemaJson),
  renderSchemaMarkdown: () => (/* reexport */ renderSchemaMarkdown),
  runSchemaCheck: () => (/* reexport */ check.runSchemaCheck),
  schemaCheckCli: () => (/* reexport */ schemaCheckCli),
  schemaPreCheck: () => (/* reexport */ schemaPreCheck),
  summarizeSchemaReport: () => (/* reexport */ summarizeSchemaReport)
});

// UNUSED EXPORTS: RULE_IDS, SCHEMA_CHECK_USAGE, allRules, escapeMarkdown, ruleInfo, schemaConfigSchema, schemaOptionsFromConfig, startReplayDatabase

// EXTERNAL MODULE: ./src/schema/check.ts + 29 modules
var check = __webpack_require__(58278);
// EXTERNAL MODULE: ./src/schema/rules/catalog.ts
var catalog = __webpack_require__(56776);
;// CONCATENATED MODULE: ./src/schema/rules/doc.ts
/**
 * The rules part of docs/schema-rules.md, rendered from the catalog (one fact in one place):
 * a table linking to one section per rule, each with why the stable version breaks and the safe
 * expand/contract alternative. scripts/write-schema-rules.ts writes it; a test keeps it in sync.
 */

/** Where the rules are documented; a report links each finding's rule to its section. */
const RULES_DOC_URL = 'https://github.com/acme/canary-gate/blob/v1/docs/schema-rules.md';
const RULES_DOC_START = '<!-- rules: generated from src/schema/rules/catalog.ts by scripts/write-schema-rules.ts -->';
const RULES_DOC_END = '<!-- rules: end -->';
/** The section anchor GitHub derives from a `### SC101` heading. */
function ruleAnchor(id) {
    return id.toLowerCase();
}
function ruleDocUrl(id) {
    return `${RULES_DOC_URL}#${ruleAnchor(id)}`;
}
const GROUPS = [
    ['Compatibility (stable running side by side)', (id) => /^SC1/.test(id)],
    ['Locks and availability (both versions share the database)', (id) => /^SC3/.test(id)],
    ['Configuration', (id) => id.startsWith('CFG')],
];
function renderRulesDoc() {
    const rules = allRules();
    const out = [RULES_DOC_START, ''];
    for (const [title, member] of GROUPS) {
        out.push(`### ${title}`, '', '| id | change | default |', '|---|---|---|');
        for (const r of rules.filter((x) => member(x.id)))
            out.push(`| [${r.id}](#${ruleAnchor(r.id)}) | ${r.title} | ${r.verdict} |`);
        out.push('');
    }
    for (const r of rules) {
        out.push(`### ${r.id}`, '', `**${r.title}** — default **${r.verdict}**.`, '', `Why: ${r.why}`, '', `Safe alternative (expand/contract): ${r.alternative}`, '');
    }
    out.push(RULES_DOC_END);
    return out.join('\n');
}
/** Replaces the generated block of the document (between the markers) with `renderRulesDoc()`. */
function withRulesDoc(doc) {
    const start = doc.indexOf(RULES_DOC_START);
    const end = doc.indexOf(RULES_DOC_END);
    if (start < 0 || end < start)
        throw new Error('docs/schema-rules.md lacks the generated rules markers');
    return doc.slice(0, start) + renderRulesDoc() + doc.slice(end + RULES_DOC_END.length);
}

;// CONCATENATED MODULE: ./src/schema/render.ts
/**
 * Renders a schema report as JSON (machines) and Markdown (PR comment, job summary). Everything
 * taken from the input (SQL, names, file paths, messages quoting them) is escaped so it cannot
 * inject Markdown, HTML or @-mentions.
 */


const ORDER = { block: 0, warn: 1, pass: 2 };
const ICON = { block: '⛔ block', warn: '⚠️ warn', pass: '✅ pass' };
function sortFindings(findings) {
    return findings.map((f, i) => ({ f, i })).sort((a, b) => ORDER[a.f.verdict] - ORDER[b.f.verdict] || a.i - b.i).map((x) => x.f);
}
/** Escapes text for Markdown and HTML; newlines become spaces (safe in table cells). */
function escapeMarkdown(text) {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/@/g, '&#64;')
        .replace(/[\\`*_{}[\]()#+\-.!|~:]/g, (c) => `\\${c}`)
        .replace(/\r?\n|\r/g, ' ');
}
function code(text) {
    return `<code>${escapeMarkdown(text)}</code>`;
}
function where(f) {
    if (!f.file)
        return '';
    return code(f.line ? `${f.file}:${f.line}` : f.file);
}
function renderSchemaJson(r) {
    const findings = sortFindings(r.findings).map((f) => ({
        rule: f.rule,
        verdict: f.verdict,
        file: f.file ?? null,
        line: f.line ?? null,
        object: f.object ?? null,
        statement: f.statement ?? null,
        message: f.message,
        alternative: f.alternative ?? null,
        proof: f.proof ?? null,
    }));
    return `${JSON.stringify({ verdict: r.verdict, replay: r.replay, execution: r.execution, filesChecked: r.filesChecked, notes: r.notes, findings }, null, 2)}\n`;
}
function renderSchemaMarkdown(r) {
    const lines = [];
    const counts = { block: 0, warn: 0, pass: 0 };
    for (const f of r.findings)
        counts[f.verdict]++;
    lines.push(`### Schema and config compatibility: ${ICON[r.verdict]}`);
    lines.push('');
    const replay = r.replay === 'ran' ? 'ran in PGlite' : r.replay === 'unavailable' ? 'unavailable (static analysis only)' : 'skipped';
    const exec = r.execution.status === 'ran'
        ? `execution: ${r.execution.statements} stable statement(s) run, ${r.execution.failures} fail after the change`
        : `execution not run (${r.execution.reason ?? 'not applicable'})`;
    lines.push(`${counts.block} blocking, ${counts.warn} warning(s), ${counts.pass} informational · ${r.filesChecked.length} file(s) checked · replay ${replay} · ${escapeMarkdown(exec)}`);
    lines.push('');
    const sorted = sortFindings(r.findings);
    if (sorted.length === 0) {
        lines.push('No change that would break the stable version was found.');
    }
    else {
        lines.push('| Verdict | Rule | Where | Object | Why the stable version breaks |');
        lines.push('|---|---|---|---|---|');
        for (const f of sorted) {
            lines.push(`| ${ICON[f.verdict]} | ${ruleLink(f.rule)} | ${where(f)} | ${f.object ? code(f.object) : ''} | ${escapeMarkdown(f.message)} |`);
        }
        const detailed = sorted.filter((f) => f.verdict !== 'pass' && (f.statement || f.alternative || f.proof));
        if (detailed.length) {
            lines.push('');
            lines.push('<details><summary>Statements and safe alternatives</summary>');
            lines.push('');
            for (const f of detailed) {
                lines.push(`- **${escapeMarkdown(f.rule)}** ${where(f)}${f.statement ? ` ${code(f.statement)}` : ''}`);
                for (const p of f.proof ?? [])
                    lines.push(`  ${proofLine(p)}`);
                if (f.alternative)
                    lines.push(`  Instead: ${escapeMarkdown(f.alternative)}`);
            }
            lines.push('');
            lines.push('</details>');
        }
    }
    if (r.notes.length) {
        lines.push('');
        lines.push('Notes:');
        for (const n of r.notes)
            lines.push(`- ${escapeMarkdown(n)}`);
    }
    lines.push('');
    return lines.join('\n');
}
/** One line of proof: the stable statement, its SQLSTATE and message, and the migration statement that broke it. */
function proofLine(p) {
    const params = p.params ? ` with ${code(JSON.stringify(p.params))}` : '';
    const from = p.source ? ` (${code(`${p.source.file}:${p.source.line}`)})` : '';
    const cause = p.cause ? `; broken by ${code(`${p.cause.file}:${p.cause.line}`)} ${code(p.cause.statement)}` : '; the statement that breaks it could not be isolated';
    return `Proof: ${code(p.statement)}${params}${from} fails with SQLSTATE ${code(p.sqlstate)}: ${escapeMarkdown(p.error)}${cause}`;
}
/** The rule id linked to its section of docs/schema-rules.md (the alternative is there), and its title. */
function ruleLink(id) {
    return `[**${id}**](${ruleDocUrl(id)}) ${escapeMarkdown((0,catalog/* ruleInfo */.PI)(id).title)}`;
}

;// CONCATENATED MODULE: ./src/schema/precheck.ts


function summarizeSchemaReport(r) {
    const by = (v) => r.findings.filter((f) => f.verdict === v);
    const block = by('block');
    const warn = by('warn');
    const head = sortFindings([...block, ...warn])
        .slice(0, 3)
        .map((f) => `${f.rule} ${f.object ?? ''}`.trim());
    const detail = head.length ? `: ${head.join(', ')}${block.length + warn.length > 3 ? ', …' : ''}` : '';
    const exec = r.execution.status === 'ran' ? `; execution ${r.execution.failures}/${r.execution.statements} stable statement(s) fail` : '';
    return `schema ${r.verdict} — ${block.length} blocking, ${warn.length} warning(s)${detail}; replay ${r.replay}${exec}`;
}
function schemaPreCheck(opts) {
    return {
        name: 'schema',
        async run(signal) {
            const report = await (0,check.runSchemaCheck)({ ...opts, signal: signal ?? opts.signal });
            return { verdict: report.verdict, summary: summarizeSchemaReport(report), markdown: renderSchemaMarkdown(report), findings: report.findings };
        },
    };
}

// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(70017);
;// CONCATENATED MODULE: ./src/schema/cli.ts
/**
 * `canary-gate schema-check`: the pull-request check without cluster access.
 * Exit codes: 0 pass/warn, 1 block, 2 usage error.
 */




const SCHEMA_CHECK_USAGE = `Usage: canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>]
         [--dialect postgres|mysql] [--format json|markdown] [--strict] [--no-replay]
         [--stable-dump <file> --canary-dump <file>] [--require-lock-timeout]
         [--stable-queries <file>]... [--seed <file>]... [--no-execution]
         [--config-file <file>]... [--config-key <key>]... [--deployment <manifest>] [--metric <name>]...
         [--timeout <seconds>] [-- <command printing the new SQL> ...]
Exit codes: 0 pass or warn, 1 block, 2 usage error.`;
async function schemaCheckCli(argv, io) {
    const args = argv[0] === 'schema-check' ? argv.slice(1) : argv;
    const dashdash = args.indexOf('--');
    const own = dashdash >= 0 ? args.slice(0, dashdash) : args;
    const command = dashdash >= 0 ? args.slice(dashdash + 1) : undefined;
    let opts;
    let format;
    try {
        const { values } = (0,external_node_util_.parseArgs)({
            args: own,
            strict: true,
            allowPositionals: false,
            options: {
                dir: { type: 'string' },
                base: { type: 'string' },
                head: { type: 'string' },
                dialect: { type: 'string' },
                format: { type: 'string' },
                strict: { type: 'boolean' },
                'no-replay': { type: 'boolean' },
                'stable-dump': { type: 'string' },
                'canary-dump': { type: 'string' },
                'require-lock-timeout': { type: 'boolean' },
                'stable-queries': { type: 'string', multiple: true },
                seed: { type: 'string', multiple: true },
                'no-execution': { type: 'boolean' },
                'config-file': { type: 'string', multiple: true },
                'config-key': { type: 'string', multiple: true },
                deployment: { type: 'string' },
                metric: { type: 'string', multiple: true },
                timeout: { type: 'string' },
                help: { type: 'boolean', short: 'h' },
            },
        });
        if (values.help) {
            io.stdout(`${SCHEMA_CHECK_USAGE}\n`);
            return 0;
        }
        const dialect = values.dialect ?? 'postgres';
        if (dialect !== 'postgres' && dialect !== 'mysql')
            throw new errors/* InputError */.dz('--dialect', `expected postgres or mysql, found "${dialect}"`);
        const fmt = values.format ?? 'markdown';
        if (fmt !== 'json' && fmt !== 'markdown')
            throw new errors/* InputError */.dz('--format', `expected json or markdown, found "${fmt}"`);
        format = fmt;
        if (dashdash >= 0 && command.length === 0)
            throw new errors/* InputError */.dz('--', 'expected a command after "--"');
        let timeoutMs;
        if (values.timeout !== undefined) {
            const secs = Number(values.timeout);
            if (!(secs > 0))
                throw new errors/* InputError */.dz('--timeout', `expected a positive number of seconds, found "${values.timeout}"`);
            timeoutMs = secs * 1000;
        }
        const hasConfig = values['config-file'] || values['config-key'] || values.deployment || values.metric;
        opts = {
            dialect,
            cwd: io.cwd,
            dir: values.dir,
            base: values.base,
            head: values.head,
            stableDump: values['stable-dump'],
            canaryDump: values['canary-dump'],
            sqlCommand: command,
            strict: values.strict,
            replay: values['no-replay'] ? false : undefined,
            requireLockTimeout: values['require-lock-timeout'],
            execution: values['no-execution'] ? false : undefined,
            stableQueries: values['stable-queries'],
            seed: values.seed,
            timeoutMs,
            config: hasConfig ? { files: values['config-file'], keys: values['config-key'], deploymentManifest: values.deployment, metricNames: values.metric } : undefined,
        };
    }
    catch (err) {
        io.stderr(`canary-gate schema-check: ${(0,errors/* errorMessage */.gJ)(err)}\n\n${SCHEMA_CHECK_USAGE}\n`);
        return 2;
    }
    try {
        const report = await (0,check.runSchemaCheck)(opts);
        io.stdout(format === 'json' ? renderSchemaJson(report) : renderSchemaMarkdown(report));
        return report.verdict === 'block' ? 1 : 0;
    }
    catch (err) {
        const usage = err instanceof errors/* CanaryGateError */.kT && err.reason === 'invalid-input';
        io.stderr(`canary-gate schema-check: ${(0,errors/* errorMessage */.gJ)(err)}\n${usage ? `\n${SCHEMA_CHECK_USAGE}\n` : ''}`);
        // A check that could not run must not pass silently: usage errors exit 2, anything else 1.
        return usage ? 2 : 1;
    }
}

// EXTERNAL MODULE: ./src/schema/config-schema.ts
var config_schema = __webpack_require__(47593);
// EXTERNAL MODULE: ./src/schema/pg/replay.ts + 3 modules
var replay = __webpack_require__(44563);
;// CONCATENATED MODULE: ./src/schema/index.ts
/** Schema and config compatibility gate: public API. */









/***/ }),

/***/ 69241:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ runInWorker),
/* harmony export */   runSchemaWorker: () => (/* binding */ runSchemaWorker)
/* harmony export */ });
/* unused harmony export WORKER_ENTRY */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(31421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _util_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(70017);
/**
 * The Postgres check from the bundle runs in a child process started with `--liftoff-only`.
 *
 * Why: a check is short, and V8's optimising WASM tier (TurboFan) spends longer recompiling
 * PostgreSQL's hot functions than the check then runs. Baseline code only halves a cold check's
 * CPU time (bench/schema.ts, 50 files over 20: 3.3 → 1.75 CPU s, the same report). V8 reads the
 * flag only at start-up (setFlagsFromString after start has no effect on WASM), and neither the
 * action's `runs.main` nor the CLI's shebang can pass it, hence the child: the same bundle, entry
 * `schema-worker` (src/bundle-entry.ts), options in on stdin, the report out on stdout as JSON.
 */


const WORKER_ENTRY = 'schema-worker';
const V8_FLAGS = ['--liftoff-only'];
/** Runs `runSchemaCheck(opts)` in a child started from `entry`; errors keep their reason and message. */
function runInWorker(entry, opts, timeoutMs) {
    const { signal, replayDatabase: _db, ...plain } = opts;
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(process.execPath, [...V8_FLAGS, entry], {
            env: { ...process.env, CANARY_GATE_ENTRY: WORKER_ENTRY },
            stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        let settled = false;
        const finish = (f) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            f();
        };
        const onAbort = () => {
            child.kill('SIGTERM');
            finish(() => reject(new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT('cancelled', 'The schema check was cancelled.')));
        };
        // The check enforces its own timeout; this only stops a child that stopped answering.
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            finish(() => reject(new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT('timeout', `The schema check did not answer within ${Math.round(timeoutMs / 1000)} s; raise timeout-seconds or set replay: false.`)));
        }, timeoutMs + 30_000);
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted)
            onAbort();
        child.stdout.on('data', (d) => (out += d.toString()));
        child.stderr.on('data', (d) => (err += d.toString()));
        child.on('error', (e) => finish(() => reject(new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT('internal', `The schema check could not start its worker: ${(0,_util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(e)}`, { cause: e }))));
        child.on('close', (code) => finish(() => {
            let reply;
            try {
                reply = JSON.parse(out);
            }
            catch {
                reply = undefined;
            }
            if (reply && 'report' in reply)
                resolve(reply.report);
            else if (reply && 'error' in reply)
                reject(new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT(reply.error.reason, reply.error.message));
            else
                reject(new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT('internal', `The schema check's worker exited with code ${code} without a report: ${err.trim().split('\n').slice(-3).join(' ') || 'no output'}`));
        }));
        child.stdin.end(JSON.stringify(plain));
    });
}
/** The child's side: options from stdin, the report (or the error) to stdout. */
async function runSchemaWorker() {
    let input = '';
    for await (const chunk of process.stdin)
        input += String(chunk);
    const { runSchemaCheck } = await __webpack_require__.e(/* import() */ 278).then(__webpack_require__.bind(__webpack_require__, 58278));
    let reply;
    try {
        reply = { report: await runSchemaCheck({ ...JSON.parse(input), inWorker: true }) };
    }
    catch (e) {
        reply = { error: { reason: e instanceof _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT ? e.reason : 'internal', message: (0,_util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(e) } };
    }
    await new Promise((done) => process.stdout.write(JSON.stringify(reply), () => done()));
}


/***/ })

};
