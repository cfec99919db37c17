export const id = 680;
export const ids = [680];
export const modules = {

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
