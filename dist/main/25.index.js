export const id = 25;
export const ids = [25];
export const modules = {

/***/ 17025:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  renderSchemaJson: () => (/* reexport */ render/* renderSchemaJson */.iq),
  renderSchemaMarkdown: () => (/* reexport */ render/* renderSchemaMarkdown */.xh),
  runSchemaCheck: () => (/* reexport */ check/* runSchemaCheck */.n),
  summarizeSchemaReport: () => (/* reexport */ precheck/* summarizeSchemaReport */.l)
});

// UNUSED EXPORTS: RULE_IDS, SCHEMA_CHECK_USAGE, allRules, escapeMarkdown, ruleInfo, schemaCheckCli, schemaConfigSchema, schemaOptionsFromConfig, schemaPreCheck, startReplayDatabase

// EXTERNAL MODULE: ./src/schema/check.ts + 28 modules
var check = __webpack_require__(12045);
// EXTERNAL MODULE: ./src/schema/render.ts
var render = __webpack_require__(8515);
// EXTERNAL MODULE: ./src/schema/precheck.ts
var precheck = __webpack_require__(44680);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(57975);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(70017);
;// CONCATENATED MODULE: ./src/schema/cli.ts
/**
 * `canary-gate schema-check`: the pull-request check without cluster access.
 * Exit codes: 0 pass/warn, 1 block, 2 usage error.
 */




const SCHEMA_CHECK_USAGE = (/* unused pure expression or super */ null && (`Usage: canary-gate schema-check --dir <migrations> --base <ref> [--head <ref>]
         [--dialect postgres|mysql] [--format json|markdown] [--strict] [--no-replay]
         [--stable-dump <file> --canary-dump <file>] [--require-lock-timeout]
         [--config-file <file>]... [--config-key <key>]... [--deployment <manifest>] [--metric <name>]...
         [--timeout <seconds>] [-- <command printing the new SQL> ...]
Exit codes: 0 pass or warn, 1 block, 2 usage error.`));
async function schemaCheckCli(argv, io) {
    const args = argv[0] === 'schema-check' ? argv.slice(1) : argv;
    const dashdash = args.indexOf('--');
    const own = dashdash >= 0 ? args.slice(0, dashdash) : args;
    const command = dashdash >= 0 ? args.slice(dashdash + 1) : undefined;
    let opts;
    let format;
    try {
        const { values } = parseArgs({
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
            throw new InputError('--dialect', `expected postgres or mysql, found "${dialect}"`);
        const fmt = values.format ?? 'markdown';
        if (fmt !== 'json' && fmt !== 'markdown')
            throw new InputError('--format', `expected json or markdown, found "${fmt}"`);
        format = fmt;
        if (dashdash >= 0 && command.length === 0)
            throw new InputError('--', 'expected a command after "--"');
        let timeoutMs;
        if (values.timeout !== undefined) {
            const secs = Number(values.timeout);
            if (!(secs > 0))
                throw new InputError('--timeout', `expected a positive number of seconds, found "${values.timeout}"`);
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
        io.stderr(`canary-gate schema-check: ${errorMessage(err)}\n\n${SCHEMA_CHECK_USAGE}\n`);
        return 2;
    }
    try {
        const report = await runSchemaCheck(opts);
        io.stdout(format === 'json' ? renderSchemaJson(report) : renderSchemaMarkdown(report));
        return report.verdict === 'block' ? 1 : 0;
    }
    catch (err) {
        const usage = err instanceof CanaryGateError && err.reason === 'invalid-input';
        io.stderr(`canary-gate schema-check: ${errorMessage(err)}\n${usage ? `\n${SCHEMA_CHECK_USAGE}\n` : ''}`);
        // A check that could not run must not pass silently: usage errors exit 2, anything else 1.
        return usage ? 2 : 1;
    }
}

// EXTERNAL MODULE: ./src/schema/config-schema.ts
var config_schema = __webpack_require__(47593);
// EXTERNAL MODULE: ./src/schema/rules/catalog.ts
var catalog = __webpack_require__(56776);
// EXTERNAL MODULE: ./src/schema/pg/replay.ts + 1 modules
var replay = __webpack_require__(42298);
;// CONCATENATED MODULE: ./src/schema/index.ts
/** Schema and config compatibility gate: public API. */









/***/ })

};
