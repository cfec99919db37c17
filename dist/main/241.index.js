export const id = 241;
export const ids = [241];
export const modules = {

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
