import * as k8s from '@kubernetes/client-node';
import { redactCredentials } from '../util/redact.ts';
import { InputError } from '../util/errors.ts';
import { withRetry, withTimeout } from '../util/retry.ts';
import { KubeApiError, describeRef, kubeRetryDecision } from './errors.ts';
import type { KubeApi, KubeObject, ObjectRef, PatchType } from './types.ts';

const CONTENT_TYPES: Record<PatchType, k8s.PatchStrategy> = {
  merge: k8s.PatchStrategy.MergePatch,
  strategic: k8s.PatchStrategy.StrategicMergePatch,
  apply: k8s.PatchStrategy.ServerSideApply,
};

const FIELD_MANAGER = 'canary-gate';

export interface KubeClientOptions {
  /** Per-attempt timeout of one API call. */
  requestTimeoutMs: number;
  /** Attempts per call for retryable failures (429, 5xx, network). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  onRetry?: (message: string) => void;
  /**
   * The run's cancel signal: calls in flight when it fires stop retrying at once (the rollback can
   * start); calls made after it — the rollback's own — retry as usual, since a rollback must finish.
   */
  signal?: AbortSignal;
}

const DEFAULT_KUBE_OPTIONS: KubeClientOptions = {
  requestTimeoutMs: 15_000,
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/**
 * Loads a kubeconfig the way kubectl would: inline content (the `kubeconfig` input), else
 * KUBECONFIG / ~/.kube/config, else the in-cluster service account. Exec credential plugins
 * (aws eks get-token, gke-gcloud-auth-plugin, kubelogin) keep working because client-node runs them.
 *
 * The input takes YAML or JSON, or the base64 of either (a common way to store it as a secret);
 * a file path, an empty or cluster-less config, an unknown context and a plain-http server without
 * insecure-skip-tls-verify are each refused with one sentence saying what to pass instead. The
 * content is a secret: no message quotes it.
 */
export function loadKubeConfig(opts: { content?: string; context?: string }): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const content = opts.content?.trim() ?? '';
  if (content !== '') {
    const text = kubeconfigText(content);
    if (text === content && looksLikePath(content)) throw new InputError('kubeconfig', PATH_NOT_CONTENT);
    try {
      kc.loadFromString(text);
    } catch (err) {
      // The parser's message quotes the lines around the error — the token may be among them.
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 120) ?? '';
      throw new InputError('kubeconfig', `is not a valid kubeconfig (YAML or JSON, or the base64 of it): ${redactCredentials(first, [content])}; pass the content of the kubeconfig file; the content is a secret and is not shown`);
    }
    if (kc.getClusters().length === 0) {
      throw new InputError(
        'kubeconfig',
        looksLikePath(content)
          ? PATH_NOT_CONTENT
          : 'has no clusters: pass the whole kubeconfig file (apiVersion: v1, kind: Config, clusters:, users:, contexts:), as YAML, JSON or base64; the content is a secret and is not shown',
      );
    }
  } else {
    kc.loadFromDefault();
    const cluster = kc.getCurrentCluster();
    // client-node's last resort when nothing is configured: http://localhost:8080 (config.js loadFromDefault).
    if (cluster?.name === 'cluster' && cluster.server === 'http://localhost:8080' && !process.env.KUBECONFIG) {
      throw new InputError(
        'kubeconfig',
        "is empty and no cluster is configured otherwise (no KUBECONFIG, no ~/.kube/config, no in-cluster service account): pass `kubeconfig: ${{ secrets.KUBECONFIG }}` with the file's content, and check that the secret is defined for this repository or environment",
      );
    }
  }
  const contexts = kc.getContexts().map((c) => c.name);
  if (opts.context) {
    if (!contexts.includes(opts.context)) {
      throw new InputError('context', `the kubeconfig has no context named ${JSON.stringify(opts.context)}; its contexts are ${contexts.map((c) => JSON.stringify(c)).join(', ') || 'none'} — set the context input (or context: in the config file) to one of them, or leave it empty for the current context`);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const current = kc.getCurrentContext();
    throw new InputError(
      current ? 'kubeconfig' : 'context',
      current && contexts.includes(current)
        ? `context ${JSON.stringify(current)} names a cluster that is not in the kubeconfig; add that cluster under clusters: or choose another context (${contexts.join(', ')})`
        : `has no current context${current ? ` (current-context ${JSON.stringify(current)} is not among its contexts)` : ''}; set the context input to one of ${contexts.map((c) => JSON.stringify(c)).join(', ') || '(none: add a context)'}, or set current-context: in the kubeconfig`,
    );
  }
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify) {
    throw new InputError(
      'kubeconfig',
      `cluster ${JSON.stringify(cluster.name)} has a plain http:// server, which the client refuses without TLS: use the API server's https:// address, or (a local test cluster only) set insecure-skip-tls-verify: true on that cluster`,
    );
  }
  return kc;
}

const PATH_NOT_CONTENT =
  "the kubeconfig input takes the file's content, not its path: pass `kubeconfig: ${{ secrets.KUBECONFIG }}` holding the file's text (or its base64), or leave the input empty and set the KUBECONFIG environment variable to the path";

/** A single line that reads as a file path rather than YAML, JSON or base64. */
function looksLikePath(text: string): boolean {
  return !text.includes('\n') && !/:\s/.test(text) && !text.startsWith('{') && /^(~|\.{1,2}\/|\/|[A-Za-z]:\\|[\w.-]+\/)|\.(ya?ml|json|conf|config|kubeconfig)$|(^|\/)config$/.test(text);
}

/** The kubeconfig's text: as given, or decoded when the input holds its base64 (for masking too). */
export function kubeconfigText(content: string): string {
  if (/^[A-Za-z0-9+/=_\-\s]+$/.test(content) && content.replace(/\s/g, '').length >= 16) {
    const decoded = Buffer.from(content.replace(/\s/g, ''), content.includes('-') || content.includes('_') ? 'base64url' : 'base64').toString('utf8');
    if (/^\s*[{]|(^|\n)\s*(apiVersion|clusters|kind|contexts|current-context)\s*:/.test(decoded) || /"(clusters|apiVersion)"\s*:/.test(decoded)) return decoded;
  }
  return content;
}

/** Plain JSON copy: client-node turns timestamps into Date objects and adds typed classes. */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function parseRetryAfter(headers: Record<string, string> | undefined): number | undefined {
  const raw = headers?.['retry-after'];
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function statusBody(body: unknown): { message?: string; reason?: string } {
  if (typeof body === 'string') {
    try {
      return statusBody(JSON.parse(body));
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; reason?: unknown };
    return {
      message: typeof b.message === 'string' ? b.message : undefined,
      reason: typeof b.reason === 'string' ? b.reason : undefined,
    };
  }
  return {};
}

/**
 * TLS failures no retry can fix, each with the one thing to change: a TLS client talking to a
 * plain-HTTP port (OpenSSL's "wrong version number"), and certificates the client cannot trust.
 */
function tlsProblem(err: unknown, server: string | undefined): string | undefined {
  const texts: string[] = [];
  // Duck-typed: errors from undici may come from another realm (instanceof Error fails there).
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, i = 0; e && typeof e === 'object' && i < 5; e = e.cause as typeof e, i++) {
    texts.push(`${String(e.code ?? '')} ${String(e.message ?? '')}`);
  }
  const all = texts.join(' ');
  const at = server ? ` at ${redactCredentials(server)}` : '';
  if (/wrong version number|WRONG_VERSION_NUMBER|packet length too long/i.test(all)) {
    return `the API server${at} answered plain HTTP to a TLS (https://) connection: the port serves http, not https — use the API server's https port in the kubeconfig's server (or http:// with insecure-skip-tls-verify: true for a local test cluster)`;
  }
  if (/self[- ]signed certificate|unable to (verify|get local issuer)|CERT_|certificate has expired|Hostname\/IP does not match/i.test(all)) {
    return `the API server${at} presented a certificate the client cannot trust (${/expired/i.test(all) ? 'expired' : /Hostname|ALTNAME/i.test(all) ? 'issued for another host name' : 'not signed by the kubeconfig\'s certificate-authority-data'}): put the cluster's CA in certificate-authority-data, or use the server name the certificate was issued for`;
  }
  return undefined;
}

/** Turns whatever client-node or the network threw into a KubeApiError naming the call. */
function toKubeError(err: unknown, what: string, server?: string): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof k8s.ApiException) {
    const e = err as k8s.ApiException<unknown>;
    const body = statusBody(e.body);
    const retryAfterMs = parseRetryAfter(e.headers as Record<string, string>);
    return new KubeApiError(
      `${what} failed: HTTP ${e.code}${body.reason ? ` ${body.reason}` : ''}${body.message ? `: ${body.message}` : ''}`,
      { status: e.code, k8sReason: body.reason, retryAfterMs, cause: err },
    );
  }
  const tls = tlsProblem(err, server);
  if (tls) return new KubeApiError(`${what} failed: ${tls}.`, { status: 0, permanent: true, cause: err });
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  // status 0: no HTTP answer (connection refused/reset, timeout) — retryable.
  return new KubeApiError(`${what} failed: ${message}${cause}`, { status: 0, cause: err });
}

/**
 * Same configuration as KubeConfig.makeApiClient, plus a middleware that gives every request an
 * AbortSignal, so a call that hangs is really cancelled (its socket closed), not just abandoned.
 */
function configurationWithTimeout(kc: k8s.KubeConfig, timeoutMs: number): k8s.Configuration {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeApiError('The kubeconfig has no current cluster.', { status: 0 });
  const timeout = {
    pre: (ctx: k8s.RequestContext) => {
      ctx.setSignal(AbortSignal.timeout(timeoutMs));
      return new k8s.Observable(Promise.resolve(ctx));
    },
    post: (rsp: k8s.ResponseContext) => new k8s.Observable(Promise.resolve(rsp)),
  };
  return k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    middleware: [timeout],
  });
}

/** Exposes client-node's discovery lookup (protected there) for `serves`. */
class ObjectApi extends k8s.KubernetesObjectApi {
  discover(apiVersion: string, kind: string): Promise<unknown> {
    return this.resource(apiVersion, kind);
  }
}

/** The KubeApi implementation over @kubernetes/client-node. */
export class ClientNodeKubeApi implements KubeApi {
  private readonly objects: ObjectApi;
  private readonly opts: KubeClientOptions;
  private readonly server: string | undefined;

  constructor(kc: k8s.KubeConfig, opts: Partial<KubeClientOptions> = {}) {
    this.opts = { ...DEFAULT_KUBE_OPTIONS, ...opts };
    this.server = kc.getCurrentCluster()?.server;
    this.objects = new ObjectApi(configurationWithTimeout(kc, this.opts.requestTimeoutMs));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const { requestTimeoutMs } = this.opts;
    return withRetry(
      async () => {
        try {
          return await withTimeout(fn(), requestTimeoutMs, () => new Error(`no answer within ${requestTimeoutMs} ms`));
        } catch (err) {
          throw toKubeError(err, what, this.server);
        }
      },
      {
        attempts: this.opts.attempts,
        baseDelayMs: this.opts.baseDelayMs,
        maxDelayMs: this.opts.maxDelayMs,
        retryable: kubeRetryDecision,
        signal: this.opts.signal?.aborted ? undefined : this.opts.signal,
        onRetry: (err, attempt, delay) =>
          this.opts.onRetry?.(`${(err as Error).message} — retry ${attempt}/${this.opts.attempts - 1} in ${delay} ms`),
      },
    );
  }

  private header(ref: ObjectRef): { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } {
    return {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
    };
  }

  async get<T extends KubeObject = KubeObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      const obj = await this.call(`get ${describeRef(ref)}`, () => this.objects.read(this.header(ref)));
      return plain<T>(obj);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list<T extends KubeObject = KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    labelSelector?: string,
  ): Promise<T[]> {
    const list = await this.call(`list ${kind} in ${namespace} (${apiVersion})`, () =>
      this.objects.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector),
    );
    return plain<{ items?: T[] }>(list).items?.map((item) => ({ ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind })) ?? [];
  }

  async create<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    return plain<T>(
      await this.call(`create ${describeRef(ref)}`, () =>
        this.objects.create(obj as k8s.KubernetesObject, undefined, undefined, FIELD_MANAGER),
      ),
    );
  }

  async replace<T extends KubeObject = KubeObject>(obj: T): Promise<T> {
    const ref = refOf(obj);
    return plain<T>(
      await this.call(`replace ${describeRef(ref)}`, () =>
        this.objects.replace(obj as k8s.KubernetesObject, undefined, undefined, FIELD_MANAGER),
      ),
    );
  }

  async patch<T extends KubeObject = KubeObject>(ref: ObjectRef, patch: unknown, type: PatchType): Promise<T> {
    // KubernetesObjectApi.patch finds the target in the body itself, so the patch carries it.
    const header = this.header(ref);
    const patchMeta = (patch as Partial<KubeObject>).metadata ?? {};
    const body = { ...(patch as object), ...header, metadata: { ...patchMeta, ...header.metadata } };
    return plain<T>(
      await this.call(`patch ${describeRef(ref)} (${CONTENT_TYPES[type]})`, () =>
        this.objects.patch(
          body as k8s.KubernetesObject,
          undefined,
          undefined,
          FIELD_MANAGER,
          type === 'apply' ? true : undefined,
          CONTENT_TYPES[type],
        ),
      ),
    );
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.call(`delete ${describeRef(ref)}`, () => this.objects.delete(this.header(ref)));
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      const resource = await this.call(`discover ${kind} (${apiVersion})`, () =>
        this.objects.discover(apiVersion, kind),
      );
      return resource !== undefined;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }
}

function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}
