/**
 * Issue 17 — bad input as a new user writes it, one row per case: the step's `with:` (on top of a
 * working base), the repository's .github/canary.yml, and the cluster as it is. Every row is
 * refused with a message that names where the value came from (`input 'x'`, or
 * `.github/canary.yml:LINE key 'k'`, or the cluster object) and says what to do, and the run
 * writes nothing to the cluster. Read by bad-input.test.ts (in-process main step, every row) and
 * e2e-action/secrets-and-bad-input.test.ts (the bundled action, a sample).
 */
import type { SeedRouter } from '../../src/sim/seed.ts';

export interface BadInputCase {
  /** What the user did. */
  name: string;
  /** Inputs on top of the base `with:` (null removes a base input). */
  with?: Record<string, string | null>;
  /** .github/canary.yml (the config-file default). */
  file?: string;
  /** The routing objects seeded with the app (default istio); 'no-app' seeds nothing. */
  seed?: SeedRouter | 'no-app';
  /** Where the message says the value came from. */
  where: RegExp;
  /** The fix the message gives. */
  fix: RegExp;
  /** The reason output (default invalid-input). */
  reason?: string;
  /** The result output (default failed; a blocking pre-check ends the run as aborted). */
  result?: string;
  /** Known gap: the message names the source but no fix yet (counted as such in the summary). */
  fixMissing?: true;
  /** A value that must appear nowhere (log, outputs), e.g. a token in the wrong place. */
  secret?: string;
  /** A change to the seeded objects before the run. */
  prepare?: 'foreign-subset';
  /** The credentials' Role: the documented one for the router without these "verb resource" grants. */
  rbacWithout?: string[];
}

const TOKEN = 'ghp_Pasted1nTheWrongPlace0123456789abcdef';
const PROVIDER = 'providers:\n  prom: { type: prometheus, address: http://prometheus.monitoring:9090 }\n';

export const BAD_INPUT_CASES: BadInputCase[] = [
  // ── inputs (with:) ──────────────────────────────────────────────────────────────────────────
  { name: 'mode misspelled', with: { mode: 'rolout' }, where: /input 'mode'/, fix: /must be one of rollout, promote, abort, status, check \(did you mean rollout\?\)/ },
  { name: 'namespace with upper case', with: { namespace: 'Prod' }, where: /input 'namespace'/, fix: /DNS-1123 label .* e\.g\. web-prod/ },
  { name: 'namespace of 64 characters', with: { namespace: 'a'.repeat(64) }, where: /input 'namespace'/, fix: /must be at most 63 characters/ },
  { name: 'deployment with underscore', with: { deployment: 'web_app' }, where: /input 'deployment'/, fix: /DNS-1123 name: .* e\.g\. web/ },
  { name: 'deployment missing', with: { deployment: null }, where: /'deployment' \(set neither as an input nor in/, fix: /is required: the name of the stable Deployment/ },
  { name: 'image missing in mode rollout', with: { image: null }, where: /'image' \(set neither/, fix: /is required in mode rollout: the new image, e\.g\. ghcr\.io/ },
  { name: 'image with upper case in the repository', with: { image: 'ghcr.io/Acme/Web:2.0' }, where: /input 'image'/, fix: /repository names are lower case: use ghcr\.io\/acme\/web:2\.0/ },
  { name: 'image with an empty tag', with: { image: 'ghcr.io/acme/web:' }, where: /input 'image'/, fix: /ends in ':' with no tag: add the tag \(e\.g\. ghcr\.io\/acme\/web:1\.2\.3\)/ },
  { name: 'image with a space', with: { image: 'ghcr.io/acme/web:2.0 --privileged' }, where: /input 'image'/, fix: /without spaces, e\.g\./ },
  { name: 'image with a short digest', with: { image: 'ghcr.io/acme/web@sha256:abc123' }, where: /input 'image'/, fix: /digest that is not algorithm:hex, e\.g\. …@sha256:<64 hex digits>/ },
  { name: 'image with a sha256 digest of 63 digits', with: { image: `ghcr.io/acme/web@sha256:${'a'.repeat(63)}` }, where: /input 'image'/, fix: /sha256 digests have 64/ },
  { name: 'image with a tag of 129 characters', with: { image: `web:${'v'.repeat(129)}` }, where: /input 'image'/, fix: /up to 128 letters, digits/ },
  { name: 'image with a double slash', with: { image: 'ghcr.io//web:1' }, where: /input 'image'/, fix: /empty path component/ },
  { name: 'container with a shell command', with: { container: '$(id)' }, where: /input 'container'/, fix: /DNS-1123 label \(a container name\)/ },
  { name: 'router not supported', with: { router: 'linkerd2' }, where: /input 'router'/, fix: /must be one of istio, replicas, nginx, gateway-api, traefik, smi/ },
  { name: 'router misspelled', with: { router: 'isito' }, where: /input 'router'/, fix: /did you mean istio\?/ },
  { name: 'steps decreasing', with: { steps: '50,20' }, where: /input 'steps'/, fix: /weights must increase step by step, but 20 follows 50; e\.g\. 1,5,20,50,100/ },
  { name: 'steps with 0', with: { steps: '0,50' }, where: /input 'steps'/, fix: /whole percentage from 1 to 100, got the text "0"/ },
  { name: 'steps above 100', with: { steps: '10,200' }, where: /input 'steps'/, fix: /whole percentage from 1 to 100, got the text "200"/ },
  { name: 'steps as words', with: { steps: 'ten,fifty' }, where: /input 'steps'/, fix: /example: "1,5,20,50,100"/ },
  { name: 'steps fractional', with: { steps: '12.5,50' }, where: /input 'steps'/, fix: /whole percentage/ },
  { name: 'steps above max-weight', with: { steps: '10,60', 'max-weight': '50' }, where: /input 'steps'/, fix: /lower the step or raise max-weight/ },
  { name: 'steps and step-weight together', with: { 'step-weight': '10' }, where: /input 'step-weight'/, fix: /give either an explicit list or a step size/ },
  { name: 'step-weight of 0', with: { steps: null, 'step-weight': '0' }, where: /input 'step-weight'/, fix: /whole number from 1 to 100 \(e\.g\. 25\)/ },
  { name: 'max-weight of 101', with: { 'max-weight': '101' }, where: /input 'max-weight'/, fix: /whole number from 1 to 100 \(e\.g\. 50\)/ },
  { name: 'max-weight as a percentage sign', with: { 'max-weight': '50%' }, where: /input 'max-weight'/, fix: /whole number from 1 to 100/ },
  { name: 'settle-time without a unit or number', with: { 'settle-time': 'soon' }, where: /input 'settle-time'/, fix: /must be a duration like "30s" \(units ms, s, m, h\)/ },
  { name: 'settle-time negative', with: { 'settle-time': '-5s' }, where: /input 'settle-time'/, fix: /duration like "30s"/ },
  { name: 'a token pasted into settle-time', with: { 'settle-time': TOKEN }, where: /input 'settle-time'/, fix: /duration like "30s"/, secret: TOKEN },
  { name: 'analysis-interval of 0', with: { 'analysis-interval': '0s' }, where: /input 'analysis-interval'/, fix: /must be longer than 0 .* use e\.g\. "30s"/ },
  { name: 'step-timeout of 0', with: { 'step-timeout': '0' }, where: /input 'step-timeout'/, fix: /must be longer than 0/ },
  { name: 'ready-timeout of 0', with: { 'ready-timeout': '0m' }, where: /input 'ready-timeout'/, fix: /must be longer than 0/ },
  { name: 'timeout of 0', with: { timeout: '0' }, where: /input 'timeout'/, fix: /must be longer than 0 .* use e\.g\. "60m"/ },
  { name: 'timeout in minutes written as words', with: { timeout: '30 minutes' }, where: /input 'timeout'/, fix: /duration like "60m"/ },
  { name: 'lease-duration of 0', with: { 'lease-duration': '0s' }, where: /input 'lease-duration'/, fix: /must be longer than 0/ },
  { name: 'canary-replicas as a word', with: { 'canary-replicas': 'two' }, where: /input 'canary-replicas'/, fix: /must be auto \(proportional to the weight\) or a whole number of pods from 1 to 1000 \(e\.g\. 2\), got the text "two"/ },
  { name: 'canary-replicas of 0', with: { 'canary-replicas': '0' }, where: /input 'canary-replicas'/, fix: /must be auto .* or a whole number of pods from 1 to 1000/ },
  { name: 'rollback misspelled', with: { rollback: 'gradually' }, where: /input 'rollback'/, fix: /must be one of immediate, gradual \(did you mean gradual\?\)/ },
  { name: 'canary-cleanup unknown', with: { 'canary-cleanup': 'remove' }, where: /input 'canary-cleanup'/, fix: /must be one of scale-to-zero, delete/ },
  { name: 'on-inconclusive misspelled', with: { 'on-inconclusive': 'advanced' }, where: /input 'on-inconclusive'/, fix: /must be one of rollback, advance \(did you mean advance\?\), got the text "advanced"/ },
  { name: 'run-id of 201 characters', with: { 'run-id': 'r'.repeat(201) }, where: /input 'run-id'/, fix: /must be at most 200 characters/ },
  { name: 'config-file that does not exist', with: { 'config-file': 'deploy/canary.yaml' }, where: /config-file/, fix: /does not exist .*; check the path, or remove the input/ },
  { name: 'prometheus-url without a scheme', with: { 'prometheus-url': 'prometheus:9090' }, file: 'metrics:\n  - name: up\n    query: up\n    max: 1\n', where: /input 'prometheus-url'/, fix: /must be an http:\/\/ or https:\/\/ URL, e\.g\. http:\/\/prometheus\.monitoring:9090, got "prometheus:9090" — add the scheme/ },
  { name: 'prometheus-url with a password in it', with: { 'prometheus-url': 'ftp://admin:hunter2hunter2@prometheus:9090' }, where: /input 'prometheus-url'/, fix: /must be an http:\/\/ or https:\/\/ URL/, secret: 'hunter2hunter2' },
  { name: 'prometheus-url while the file has other providers', with: { 'prometheus-url': 'http://prometheus:9090' }, file: 'providers:\n  dd: { type: datadog }\n', where: /input 'prometheus-url'/, fix: /would be ignored: .* name the provider prometheus/ },
  { name: 'slack-webhook over plain http', with: { 'slack-webhook': 'http://hooks.slack.com/services/T0/B0/XyzSecretPart123' }, where: /input 'slack-webhook'/, fix: /must be an https:\/\/ URL/, secret: 'XyzSecretPart123' },

  // ── kubeconfig ──────────────────────────────────────────────────────────────────────────────
  { name: 'kubeconfig given as a file path', with: { kubeconfig: '/home/runner/.kube/config' }, where: /kubeconfig/, fix: /the kubeconfig input takes the file's content, not its path/ },
  { name: 'kubeconfig given as ~/.kube/config', with: { kubeconfig: '~/.kube/config' }, where: /kubeconfig/, fix: /takes the file's content, not its path/ },
  { name: 'kubeconfig that is an empty mapping', with: { kubeconfig: '{}' }, where: /kubeconfig/, fix: /has no clusters: pass the whole kubeconfig file/ },
  { name: 'kubeconfig that is not YAML', with: { kubeconfig: 'apiVersion: v1\nclusters: [\n' }, where: /kubeconfig/, fix: /is not a valid kubeconfig .* pass the content of the kubeconfig file/ },
  { name: 'context that is not in the kubeconfig', with: { context: 'production' }, where: /context/, fix: /no context named "production"; its contexts are "canary-gate-sim" — set the context input \(or context: in the config file\) to one of them/ },
  { name: 'context from the file that is not in the kubeconfig', file: 'context: prod\n', where: /context/, fix: /its contexts are "canary-gate-sim"/ },

  // ── .github/canary.yml ──────────────────────────────────────────────────────────────────────
  { name: 'file: an unknown top-level key', file: 'steps: [10, 50]\nstepz: [1]\n', with: { steps: null }, where: /canary\.yml:2 key 'stepz'/, fix: /unknown key — did you mean 'steps'\? Rename it/ },
  { name: 'file: routing.headr instead of header', file: 'routing:\n  router: istio\n  headr: { name: x-canary, value: "1" }\n', where: /canary\.yml:3 key 'routing\.headr'/, fix: /did you mean 'header'\?/ },
  { name: 'file: routing written as a word', file: 'routing: istio\n', where: /canary\.yml:1 key 'routing'/, fix: /must be a mapping with router: and its options, e\.g\. routing: \{ router: istio \}/ },
  { name: 'file: routing.router unknown', with: { router: null }, file: 'routing:\n  router: linkerd\n', where: /canary\.yml:2 key 'routing\.router'/, fix: /expected one of istio, replicas/ },
  { name: 'file: a header name with upper case', file: 'routing:\n  header: { name: X-Canary, value: "1" }\n', where: /canary\.yml:2 key 'routing\.header\.name'/, fix: /lowercase letters, digits and "-" \(e\.g\. x-canary\)/ },
  { name: 'file: a header for the replicas router', with: { router: 'replicas' }, file: 'routing:\n  header: { name: x-canary, value: "1" }\n', where: /canary\.yml:2 key 'routing\.header'/, fix: /cannot route by request; remove it or use a mesh\/ingress router/ },
  { name: 'file: steps as a mapping', with: { steps: null }, file: 'steps: {first: 10}\n', where: /canary\.yml:1 key 'steps'/, fix: /write steps: \[1, 5, 20, 50, 100\] in the file/ },
  { name: 'file: a step that is a word', with: { steps: null }, file: 'steps: [10, fifty]\n', where: /canary\.yml:1 key 'steps'/, fix: /whole percentage from 1 to 100, got the text "fifty"/ },
  { name: 'file: canary-replicas as a word', file: 'canary-replicas: two\n', where: /canary\.yml:1 key 'canary-replicas'/, fix: /must be auto .* got the text "two"/ },
  { name: 'file: settle-time as a mapping', with: { 'settle-time': null }, file: 'settle-time: { seconds: 30 }\n', where: /canary\.yml:1 key 'settle-time'/, fix: /duration like "30s"/ },
  { name: 'file: timeout 0', file: 'timeout: 0\n', where: /canary\.yml:1 key 'timeout'/, fix: /must be longer than 0/ },
  { name: 'file: kubeconfig in the repository', file: 'kubeconfig: |\n  apiVersion: v1\n  users: [{ name: ci, user: { token: kubeTokenInRepo0123456789 } }]\n', where: /canary\.yml:1 key 'kubeconfig'/, fix: /is a secret and exists only as an action input: .* kubeconfig: \$\{\{ secrets\.KUBECONFIG \}\}/, secret: 'kubeTokenInRepo0123456789' },
  { name: 'file: prometheus-url (an input only)', file: 'prometheus-url: http://prometheus:9090\n', where: /canary\.yml:1 key 'prometheus-url'/, fix: /exists only as an action input .* providers: \{ prometheus: \{ type: prometheus, address:/ },
  { name: 'file: github-token', file: `github-token: ${TOKEN}\n`, where: /canary\.yml:1 key 'github-token'/, fix: /is a secret and exists only as an action input/, secret: TOKEN },
  { name: 'file: slack-webhook', file: 'slack-webhook: https://hooks.slack.com/services/T0/B0/FileSecretPart123\n', where: /canary\.yml:1 key 'slack-webhook'/, fix: /notify\.slack\.webhook-env/, secret: 'FileSecretPart123' },
  { name: 'file: config-file inside the config file', file: 'config-file: other.yml\n', where: /canary\.yml:1 key 'config-file'/, fix: /exists only as an action input: remove it here/ },
  { name: 'file: notify.report-path conflicting with report-path', with: { 'report-path': 'a.json' }, file: 'notify:\n  report-path: b.json\n', where: /canary\.yml:2 key 'notify\.report-path'/, fix: /keep one of the two/ },
  { name: 'file: notify key misspelled', file: 'notify:\n  pr-coment: false\n', where: /canary\.yml:2 key 'notify\.pr-coment'/, fix: /did you mean 'pr-comment'\?/ },
  { name: 'file: notify.summary as a word', file: 'notify:\n  summary: sometimes\n', where: /canary\.yml:2 key 'notify\.summary'/, fix: /summary must be true or false/ },
  { name: 'file: the Slack webhook URL where its variable name goes', file: 'notify:\n  slack:\n    webhook-env: https://hooks.slack.com/services/T0/B0/EnvSecretPart123\n', where: /canary\.yml:3 key 'notify\.slack\.webhook-env'/, fix: /must be the NAME of an environment variable/, secret: 'EnvSecretPart123' },
  { name: 'file: a provider address without a scheme', file: 'providers:\n  prom: { type: prometheus, address: "prometheus:9090" }\n', where: /canary\.yml:2 key 'providers\.prom\.address'/, fix: /add the scheme \(http:\/\/ or https:\/\/\)/ },
  { name: 'file: a provider address with a token in the query', file: 'providers:\n  prom: { type: prometheus, address: "prometheus:9090/?token=QueryS3cretValue99" }\n', where: /canary\.yml:2 key 'providers\.prom\.address'/, fix: /must be an http:\/\/ or https:\/\/ URL/, secret: 'QueryS3cretValue99' },
  { name: 'file: a provider of an unknown type', file: 'providers:\n  influx: { type: influxdb, address: "http://influx:8086" }\n', where: /canary\.yml:2 key 'providers\.influx/, fix: /type: prometheus or type: datadog/ },
  { name: 'file: a provider key misspelled', file: 'providers:\n  prom: { type: prometheus, adress: "http://p:9090" }\n', where: /canary\.yml:2 key 'providers\.prom\.adress'/, fix: /did you mean 'address'\?/ },
  { name: 'file: a metric with an unknown builtin', file: `${PROVIDER}metrics:\n  - name: ok\n    builtin: success-rate\n    min: 99\n`, where: /canary\.yml:5 key 'metrics\[0\]\.builtin'/, fix: /expected one of request-success-rate/ },
  { name: 'file: a metric judge misspelled', file: `${PROVIDER}metrics:\n  - name: ok\n    query: up\n    judge: treshold\n    max: 1\n`, where: /canary\.yml:6 key 'metrics\[0\]\.judge'/, fix: /must be one of threshold, relative, sequential/ },
  { name: 'file: a metric key misspelled', file: `${PROVIDER}metrics:\n  - name: ok\n    query: up\n    maxx: 1\n`, where: /canary\.yml:6 key 'metrics\[0\]\.maxx'/, fix: /did you mean 'max'\?/ },
  { name: 'file: a threshold metric without min or max', file: `${PROVIDER}metrics:\n  - name: ok\n    query: up\n`, where: /canary\.yml:\d+ key 'metrics\[0\]\.max'/, fix: /needs min:, max: or both/ },
  { name: 'file: a metric template with an unknown variable', file: `${PROVIDER}metrics:\n  - name: errors\n    query: 'errors{app="{{aplication}}"}'\n    max: 1\n`, where: /canary\.yml:5 key 'metrics\[0\]\.query'/, fix: /add it under variables: of the metric or fix the name/ },
  { name: 'file: metrics without any provider', file: 'metrics:\n  - name: ok\n    query: up\n    max: 1\n', where: /canary\.yml:1 key 'metrics'/, fix: /set the prometheus-url input or add a providers: section/ },
  { name: 'file: a metric naming a provider that does not exist', file: `${PROVIDER}metrics:\n  - name: ok\n    provider: prometheus\n    query: up\n    max: 1\n`, where: /canary\.yml:5 key 'metrics\[0\]\.provider'/, fix: /is not in providers: \(found: prom\)/ },
  { name: 'file: a metric threshold as text', file: `${PROVIDER}metrics:\n  - name: ok\n    query: up\n    max: "1%"\n`, where: /canary\.yml:6 key 'metrics\[0\]\.max'/, fix: /must be a number, got the text "1%"/ },
  { name: 'file: metrics as a mapping', file: `${PROVIDER}metrics:\n  ok: { query: up, max: 1 }\n`, where: /canary\.yml:3 key 'metrics'/, fix: /must be a list/ },
  { name: 'file: schema.dir outside the repository', file: 'schema:\n  dir: ../migrations\n', where: /canary\.yml:2 key 'schema\.dir'/, fix: /must stay inside the repository/ },
  { name: 'file: mode check without a schema section', with: { mode: 'check' }, where: /'schema'/, fix: /add at least schema: \{ dir: db\/migrations \}/ },
  { name: 'file: not YAML', file: 'steps: [10, 50\nrouter: istio\n', where: /\.github\/canary\.yml/, fix: /is not valid YAML: .*; fix the YAML at that place/ },
  { name: 'file: a list instead of a mapping', file: '- steps: [10]\n', where: /\.github\/canary\.yml/, fix: /must be a YAML mapping of keys/ },
  { name: 'file: a key written twice', file: 'steps: [10]\nsteps: [20]\n', where: /\.github\/canary\.yml/, fix: /not valid YAML: .*[Mm]ap keys must be unique/ },
  { name: 'file: a YAML alias bomb', file: ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n'), where: /\.github\/canary\.yml/, fix: /not valid YAML: .*alias/i },
  { name: 'file: larger than 256 KiB', file: `run-id: x\n${'# padding padding padding padding padding\n'.repeat(8_000)}`, where: /\.github\/canary\.yml/, fix: /is larger than 256 KiB; .* check the path/ },

  // ── the cluster, verified before the first write ───────────────────────────────────────────
  { name: 'cluster: the Deployment does not exist', seed: 'no-app', where: /Deployment [\w-]+\/web/, fix: /Check the 'deployment' and 'namespace' inputs/, reason: 'not-found' },
  { name: 'cluster: the container is not in the pod', with: { container: 'sidecar' }, where: /container/, fix: /web/, reason: 'invalid-input' },
  { name: 'cluster: istio without its VirtualService', seed: 'none', where: /VirtualService [\w-]+\/web/, fix: /create it \(routing\.virtual-service names it\)/, reason: 'router-error' },
  { name: 'cluster: nginx without its Ingress', with: { router: 'nginx' }, seed: 'none', where: /Ingress [\w-]+\/web/, fix: /routing\.ingress/, reason: 'router-error' },
  { name: 'cluster: gateway-api without its HTTPRoute', with: { router: 'gateway-api' }, seed: 'none', where: /HTTPRoute [\w-]+\/web/, fix: /create it \(routing\.http-route names it\)/, reason: 'router-error' },
  { name: 'cluster: traefik without its TraefikService', with: { router: 'traefik' }, seed: 'none', where: /TraefikService [\w-]+\/web/, fix: /create it with weighted\.services/, reason: 'router-error' },
  { name: 'cluster: istio routing a subset of its own', where: /VirtualService/, fix: /remove the subset/, reason: 'router-error', prepare: 'foreign-subset' },
  { name: 'cluster: credentials that may not create the Lease', rbacWithout: ['create leases'], where: /permissions/, fix: /create leases\.coordination\.k8s\.io .*Grant the Role for the istio router from docs\/rbac\.md/, reason: 'forbidden' },
  { name: 'cluster: credentials that may not patch Deployments', rbacWithout: ['patch deployments'], where: /permissions/, fix: /patch deployments\.apps .*Grant the Role/, reason: 'forbidden' },
  { name: 'cluster: Prometheus unreachable (the metric preflight)', with: { 'prometheus-url': 'http://127.0.0.1:9' }, file: 'metrics:\n  - name: up\n    query: up\n    max: 1\n', where: /metric "up" \(prometheus\): .*cannot reach http:\/\/127\.0\.0\.1:9/, fix: /check the provider's address \(the prometheus-url input.*\) and that this runner can reach it/, reason: 'metrics-unavailable', result: 'aborted' },
  { name: 'report-path under something that is not a directory', with: { 'report-path': '/dev/null/canary-report.json' }, where: /report-path/, fix: /is not a directory, so .* choose another path/ },
  { name: 'report-path that is a directory', with: { 'report-path': '.' }, where: /report-path/, fix: /is a directory; give a file path/ },
];

/** The base `with:` every case starts from: a rollout that works on the seeded app. */
export function baseWith(kubeconfig: string, namespace: string): Record<string, string> {
  return {
    kubeconfig,
    namespace,
    deployment: 'web',
    image: 'ghcr.io/acme/web:2.0',
    router: 'istio',
    steps: '50',
    'settle-time': '0s',
    'analysis-interval': '200ms',
    'step-timeout': '3s',
    'ready-timeout': '10s',
    'lease-duration': '3s',
  };
}

export function withFor(c: BadInputCase, kubeconfig: string, namespace: string): Record<string, string> {
  const out: Record<string, string> = baseWith(kubeconfig, namespace);
  for (const [k, v] of Object.entries(c.with ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
