#!/usr/bin/env node
// The canary-gate command: the main bundle, entry "cli".
process.env.CANARY_GATE_ENTRY = 'cli';
await import('../main/index.js');
