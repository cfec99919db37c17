// The action's post step (post-if: always()): the main bundle, entry "post".
process.env.CANARY_GATE_ENTRY = 'post';
await import('../main/index.js');
