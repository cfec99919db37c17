export const id = 107;
export const ids = [107,680,105];
export const modules = {

/***/ 23105:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   schemaCheckCli: () => (/* binding */ schemaCheckCli)
/* harmony export */ });
/* unused harmony export SCHEMA_CHECK_USAGE */
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(57975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_util__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _util_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(70017);
/* harmony import */ var _check_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(12045);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8515);
/**
 * `canary-gate schema-check`: the pull-request check without cluster access.
 * Exit codes: 0 pass/warn, 1 block, 2 usage error.
 */




const SCHEMA_CHECK_USAGE = `Usage: canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>]
         [--dialect postgres|mysql] [--format json|markdown] [--strict] [--no-replay]
         [--stable-dump <file> --canary-dump <file>] [--require-lock-timeout]
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
        const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_0__.parseArgs)({
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
            throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--dialect', `expected postgres or mysql, found "${dialect}"`);
        const fmt = values.format ?? 'markdown';
        if (fmt !== 'json' && fmt !== 'markdown')
            throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--format', `expected json or markdown, found "${fmt}"`);
        format = fmt;
        if (dashdash >= 0 && command.length === 0)
            throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--', 'expected a command after "--"');
        let timeoutMs;
        if (values.timeout !== undefined) {
            const secs = Number(values.timeout);
            if (!(secs > 0))
                throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .InputError */ .dz('--timeout', `expected a positive number of seconds, found "${values.timeout}"`);
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
            timeoutMs,
            config: hasConfig ? { files: values['config-file'], keys: values['config-key'], deploymentManifest: values.deployment, metricNames: values.metric } : undefined,
        };
    }
    catch (err) {
        io.stderr(`canary-gate schema-check: ${(0,_util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(err)}\n\n${SCHEMA_CHECK_USAGE}\n`);
        return 2;
    }
    try {
        const report = await (0,_check_js__WEBPACK_IMPORTED_MODULE_2__/* .runSchemaCheck */ .n)(opts);
        io.stdout(format === 'json' ? (0,_render_js__WEBPACK_IMPORTED_MODULE_3__/* .renderSchemaJson */ .iq)(report) : (0,_render_js__WEBPACK_IMPORTED_MODULE_3__/* .renderSchemaMarkdown */ .xh)(report));
        return report.verdict === 'block' ? 1 : 0;
    }
    catch (err) {
        const usage = err instanceof _util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .CanaryGateError */ .kT && err.reason === 'invalid-input';
        io.stderr(`canary-gate schema-check: ${(0,_util_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .errorMessage */ .gJ)(err)}\n${usage ? `\n${SCHEMA_CHECK_USAGE}\n` : ''}`);
        // A check that could not run must not pass silently: usage errors exit 2, anything else 1.
        return usage ? 2 : 1;
    }
}


/***/ }),

/***/ 11107:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   renderSchemaJson: () => (/* reexport safe */ _render_js__WEBPACK_IMPORTED_MODULE_1__.iq),
/* harmony export */   renderSchemaMarkdown: () => (/* reexport safe */ _render_js__WEBPACK_IMPORTED_MODULE_1__.xh),
/* harmony export */   runSchemaCheck: () => (/* reexport safe */ _check_js__WEBPACK_IMPORTED_MODULE_0__.n),
/* harmony export */   summarizeSchemaReport: () => (/* reexport safe */ _precheck_js__WEBPACK_IMPORTED_MODULE_2__.l)
/* harmony export */ });
/* harmony import */ var _check_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12045);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8515);
/* harmony import */ var _precheck_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(44680);
/* harmony import */ var _cli_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(23105);
/* harmony import */ var _config_schema_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(47593);
/* harmony import */ var _rules_catalog_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(56776);
/* harmony import */ var _pg_replay_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(42298);
/** Schema and config compatibility gate: public API. */









/***/ }),

/***/ 44680:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ summarizeSchemaReport),
/* harmony export */   schemaPreCheck: () => (/* binding */ schemaPreCheck)
/* harmony export */ });
/* harmony import */ var _check_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(12045);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8515);


function summarizeSchemaReport(r) {
    const by = (v) => r.findings.filter((f) => f.verdict === v);
    const block = by('block');
    const warn = by('warn');
    const head = (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .sortFindings */ .Tc)([...block, ...warn])
        .slice(0, 3)
        .map((f) => `${f.rule} ${f.object ?? ''}`.trim());
    const detail = head.length ? `: ${head.join(', ')}${block.length + warn.length > 3 ? ', …' : ''}` : '';
    return `schema ${r.verdict} — ${block.length} blocking, ${warn.length} warning(s)${detail}; replay ${r.replay}`;
}
function schemaPreCheck(opts) {
    return {
        name: 'schema',
        async run(signal) {
            const report = await (0,_check_js__WEBPACK_IMPORTED_MODULE_0__/* .runSchemaCheck */ .n)({ ...opts, signal: signal ?? opts.signal });
            return { verdict: report.verdict, summary: summarizeSchemaReport(report), markdown: (0,_render_js__WEBPACK_IMPORTED_MODULE_1__/* .renderSchemaMarkdown */ .xh)(report), findings: report.findings };
        },
    };
}


/***/ })

};
