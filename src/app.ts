/**
 * Composition: builds the adapters from the validated Config and runs the requested mode. Shared by
 * the action's main and post steps (src/action/) and the CLI (src/cli/). It wires; it reads no
 * inputs, and decides nothing the Config does not say.
 */
import { writeFileSync } from 'node:fs';
import type { Config } from './config/index.ts';
import { PROMETHEUS_TOKEN_ENV } from './config/index.ts';
import type { Secrets } from './config/load.ts';
import { ClientNodeKubeApi, loadKubeConfig } from './kube/client.ts';
import type { KubeApi } from './kube/types.ts';
import { createMetricGate } from './metrics/gate.ts';
import { chooseDataPlane } from './metrics/data-plane.ts';
import { effectiveMetrics } from './metrics/defaults.ts';
import { metricPreCheck, readinessOnlyNotice } from './metrics/preflight-check.ts';
import { versionVars } from './metrics/versions.ts';
import { resolveNames } from './traffic/config.ts';
import { createSinks, type CreateSinksOptions, type NotifyCore } from './notify/factory.ts';
import { Reporter } from './notify/reporter.ts';
import { canaryName } from './rollout/canary-deployment.ts';
import type { PreCheck, StepGate } from './rollout/gate.ts';
import { planSteps } from './rollout/plan.ts';
import type { Logger, ReportSink } from './rollout/report.ts';
import { RolloutRunner, type RunnerDeps, type RunOutcome } from './rollout/runner.ts';
import { createRouter, needsStableTrackLabel } from './traffic/factory.ts';
import { sleep } from './util/retry.ts';
import { InputError } from './util/errors.ts';
import { writableFileProblem } from './util/writable-path.ts';
import { verifyPermissions } from './kube/access-review.ts';
import { permissionsFor } from './traffic/permissions.ts';
import type { Verification } from './rollout/verify.ts';
import { schemaOptionsFromConfig } from './schema/config-schema.ts';
import type { SchemaCheckOptions } from './schema/check.ts';
import { defaultSchemaRefs } from './config/environment.ts';
import type { SchemaVerdict } from './schema/types.ts';

/** What the report sinks need from the workflow run (token, repository, commit, PR, run link). */
export type GitHubContext = CreateSinksOptions['github'];

export interface AppEnv {
  runId: string;
  /** Repository root (schema gate). */
  cwd?: string;
  log: Logger;
  /** For report sinks (summary, annotations, setSecret). */
  core: NotifyCore;
  /** The process environment (secret values named by `*-env` config keys). */
  env: Record<string, string | undefined>;
  github?: GitHubContext;
  signal?: AbortSignal;
  /** Injected in tests; otherwise built from the kubeconfig. */
  kube?: KubeApi;
  /** Override the settings' readiness poll interval (tests). */
  pollMs?: number;
  now?: () => number;
  extraSinks?: ReportSink[];
  /** The post step cleaning up after its cancelled or killed main step. */
  cleanupOfCancelledRun?: boolean;
  prechecks?: PreCheck[];
  onState?: RunnerDeps['onState'];
  /** The Slack bot message that tracks the rollout, once posted. */
  onSlackMessage?: (message: { channel: string; ts: string }) => void;
}

/**
 * The schema gate carries PostgreSQL (PGlite) and parser WASM: loaded only when a rollout has a
 * `schema:` section, so every other run starts without it.
 */
function lazySchemaPreCheck(options: SchemaCheckOptions): PreCheck {
  return {
    name: 'schema',
    async run(signal) {
      const { schemaPreCheck } = await import('./schema/index.ts');
      return schemaPreCheck(options).run(signal);
    },
  };
}

function createKubeApi(config: Config, secrets: Secrets, log: Logger, signal?: AbortSignal): KubeApi {
  const kc = loadKubeConfig({ content: secrets.kubeconfig, context: config.base.context });
  return new ClientNodeKubeApi(kc, { onRetry: (m) => log.warning(`Kubernetes API: ${m}`), signal });
}

/** What `mode: check` found: the verdict, the findings as Markdown, and where the JSON report went. */
export interface SchemaCheckOutcome {
  verdict: SchemaVerdict;
  summary: string;
  markdown: string;
  reportPath?: string;
}

/** mode check — the schema/config compatibility check alone, no cluster access. */
export async function runSchemaCheckMode(config: Config, app: { cwd: string; log: Logger; env: Record<string, string | undefined> }): Promise<SchemaCheckOutcome> {
  if (!config.schema) throw new Error('mode check needs a schema: section (the config validation requires one)');
  const schema = config.schema;
  const { runSchemaCheck, renderSchemaJson, renderSchemaMarkdown, summarizeSchemaReport } = await import('./schema/index.ts');
  const report = await app.log.group('Schema and config compatibility', () => runSchemaCheck(schemaOptionsFromConfig(schema, app.cwd, defaultSchemaRefs(app.env))));
  const reportPath = config.base['report-path'];
  if (reportPath) writeFileSync(reportPath, renderSchemaJson(report));
  return { verdict: report.verdict, summary: summarizeSchemaReport(report), markdown: renderSchemaMarkdown(report), ...(reportPath ? { reportPath } : {}) };
}

/**
 * The read-only checks the runner makes before its first write (rollout/verify.ts), beyond the
 * routing objects and the gates it checks itself: the credentials' permissions for this router
 * (SelfSubjectAccessReview), and that the report file can be written.
 */
function runVerifications(config: Config, kube: KubeApi, app: AppEnv): Verification[] {
  const c = config.base;
  const reportPath = c['report-path'];
  return [
    {
      name: 'permissions',
      run: () => verifyPermissions(kube, c.namespace, permissionsFor(config.routing.kind, { cleanup: c['canary-cleanup'] }), { router: config.routing.kind, warn: (m) => app.log.warning(m) }),
    },
    ...(reportPath
      ? [
          {
            name: 'report path',
            run: async () => {
              const problem = writableFileProblem(reportPath);
              if (problem) throw new InputError('report-path', `${problem}; the JSON report is written there at the end`);
            },
          },
        ]
      : []),
  ];
}

export async function runCanaryGate(config: Config, secrets: Secrets, app: AppEnv): Promise<RunOutcome> {
  const c = config.base;
  const mode = c.mode;
  if (mode === 'check') throw new Error('mode check has no rollout: run it through runSchemaCheckMode');
  const deployment = c.deployment ?? '';
  const kube = app.kube ?? createKubeApi(config, secrets, app.log, app.signal);
  const now = app.now ?? Date.now;

  // The replicas router reads the stable's starting size itself, in verify(), before any write.
  const router = createRouter(config.routing.kind, {
    kube,
    target: { namespace: c.namespace, stable: deployment, canary: canaryName(deployment) },
    options: config.routing.options,
    log: (line) => app.log.info(line),
  });

  const gates: StepGate[] = [];
  const metricPreChecks: PreCheck[] = [];
  if (mode === 'rollout') {
    const names = resolveNames(deployment, config.routing.options);
    const builtinsWanted = config.metrics.metrics.length === 0 || config.metrics.metrics.some((m) => m.builtin);
    const plane = builtinsWanted
      ? await chooseDataPlane({
          router: config.routing.kind,
          ...(config.metrics['data-plane'] ? { configured: config.metrics['data-plane'] } : {}),
          kube,
          namespace: c.namespace,
          httpRoute: names.httpRoute,
        })
      : undefined;
    if (plane?.dataPlane) app.log.info(`metrics: built-in queries read the ${plane.dataPlane} data plane (${plane.source}); see docs/metrics.md`);
    const metrics = effectiveMetrics(config.metrics, plane?.dataPlane !== undefined, plane?.reason);
    if (metrics.note) app.log.info(`metrics: ${metrics.note}`);
    if (metrics.readinessOnly) {
      app.log.warning(`metrics: ${metrics.readinessOnly}`);
      metricPreChecks.push(readinessOnlyNotice(metrics.readinessOnly));
    }
    if (metrics.config.metrics.length > 0) {
      const datadogBuiltins = metrics.config.metrics.some((m) => m.builtin && metrics.config.providers[m.provider ?? Object.keys(metrics.config.providers)[0] ?? '']?.type === 'datadog');
      const versions = datadogBuiltins
        ? await versionVars({ kube, namespace: c.namespace, deployment, ...(c.container ? { container: c.container } : {}), ...(c.image ? { canaryImage: c.image } : {}) })
        : {};
      const gate = createMetricGate({
        config: metrics.config,
        vars: {
          namespace: c.namespace,
          stable: deployment,
          canary: canaryName(deployment),
          service: names.service,
          ingress: names.ingress,
          'stable-service': names.stableService,
          'canary-service': names.canaryService,
          ...versions,
        },
        router: config.routing.kind,
        ...(plane?.dataPlane ? { dataPlane: plane.dataPlane, trafficShare: true } : {}),
        ...(plane?.reason ? { noBuiltinsReason: plane.reason } : {}),
        secrets: { ...app.env, ...(secrets['prometheus-token'] ? { [PROMETHEUS_TOKEN_ENV]: secrets['prometheus-token'] } : {}), ...(secrets['datadog-api-key'] ? { DD_API_KEY: secrets['datadog-api-key'] } : {}), ...(secrets['datadog-app-key'] ? { DD_APP_KEY: secrets['datadog-app-key'] } : {}) },
        log: (line) => app.log.info(line),
        maskSecret: (s) => app.core.setSecret(s),
        now,
      });
      gates.push(gate);
      metricPreChecks.push(metricPreCheck(gate));
    }
  }

  const sinks = [
    ...(mode === 'status'
      ? []
      : createSinks({
          config: config.notify,
          github: app.github ?? { owner: '', repo: '', sha: '' },
          ...(c.environment ? { deployment: { environment: c.environment, ...(c['environment-url'] ? { environmentUrl: c['environment-url'] } : {}) } } : {}),
          slack: { webhookUrl: secrets['slack-webhook'], botToken: secrets['slack-bot-token'] },
          ...(c['report-path'] ? { reportPath: c['report-path'] } : {}),
          core: app.core,
          ...(app.onSlackMessage ? { onSlackMessage: app.onSlackMessage } : {}),
          warn: (m) => app.log.warning(m),
          info: (m) => app.log.info(m),
        })),
    ...(app.extraSinks ?? []),
  ];
  const reporter = new Reporter(sinks, { warning: (m) => app.log.warning(m) });

  const runner = new RolloutRunner(
    {
      kube,
      router,
      gates,
      prechecks: [
        ...metricPreChecks,
        ...(config.schema && mode === 'rollout'
          ? [lazySchemaPreCheck(schemaOptionsFromConfig(config.schema, app.cwd ?? process.cwd(), defaultSchemaRefs(app.env)))]
          : []),
        ...(app.prechecks ?? []),
      ],
      verifications: runVerifications(config, kube, app),
      publish: (report, event) => reporter.publish(report, event),
      log: app.log,
      now,
      sleep,
      signal: app.signal,
      onState: app.onState,
    },
    {
      mode,
      runId: app.runId,
      ...(app.github?.runUrl ? { runUrl: app.github.runUrl } : {}),
      namespace: c.namespace,
      deployment,
      ...(c.image ? { image: c.image } : {}),
      ...(c.container ? { container: c.container } : {}),
      steps: planSteps({ steps: c.steps, stepWeight: c['step-weight'], maxWeight: c['max-weight'] }),
      settleMs: c['settle-time'],
      intervalMs: c['analysis-interval'],
      stepTimeoutMs: c['step-timeout'],
      onInconclusive: c['on-inconclusive'],
      readyTimeoutMs: c['ready-timeout'],
      timeoutMs: c.timeout,
      canaryReplicas: c['canary-replicas'],
      rollback: c.rollback,
      cleanup: c['canary-cleanup'],
      leaseMs: c['lease-duration'],
      pollMs: app.pollMs ?? 1_000,
      stableTrackLabel: needsStableTrackLabel(config.routing.kind),
      cleanupOfCancelledRun: app.cleanupOfCancelledRun,
    },
  );
  return runner.run();
}
