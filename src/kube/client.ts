import * as k8s from '@kubernetes/client-node';
import { InputError } from '../util/errors.ts';
import { withRetry, withTimeout } from '../util/retry.ts';
import { KubeApiError, describeRef, kubeRetryDecision } from './errors.ts';
import type { KubeApi, KubeObject, ObjectRef, PatchType } from './types.ts';

const CONTENT_TYPES: Record<PatchType, k8s.PatchStrategy> = {
  merge: k8s.PatchStrategy.MergePatch,
  strategic: k8s.PatchStrategy.StrategicMergePatch,
  apply: k8s.PatchStrategy.ServerSideApply,
};

export const FIELD_MANAGER = 'canary-gate';

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

export const DEFAULT_KUBE_OPTIONS: KubeClientOptions = {
  requestTimeoutMs: 15_000,
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
};

/**
 * Loads a kubeconfig the way kubectl would: inline content (the `kubeconfig` input), else
 * KUBECONFIG / ~/.kube/config, else the in-cluster service account. Exec credential plugins
 * (aws eks get-token, gke-gcloud-auth-plugin, kubelogin) keep working because client-node runs them.
 */
export function loadKubeConfig(opts: { content?: string; context?: string }): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (opts.content && opts.content.trim() !== '') {
    try {
      kc.loadFromString(opts.content);
    } catch (err) {
      // The parser's message quotes the lines around the error — the token may be among them.
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 120) ?? '';
      throw new InputError('kubeconfig', `is not a valid kubeconfig (YAML or JSON): ${first}; the content is a secret and is not shown`);
    }
  } else kc.loadFromDefault();
  if (opts.context) kc.setCurrentContext(opts.context);
  if (!kc.getCurrentCluster()) {
    throw new KubeApiError(
      'No Kubernetes cluster configured: pass the `kubeconfig` input, set KUBECONFIG, or run in a cluster.',
      { status: 0 },
    );
  }
  return kc;
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

/** Turns whatever client-node or the network threw into a KubeApiError naming the call. */
export function toKubeError(err: unknown, what: string): KubeApiError {
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

  constructor(kc: k8s.KubeConfig, opts: Partial<KubeClientOptions> = {}) {
    this.opts = { ...DEFAULT_KUBE_OPTIONS, ...opts };
    this.objects = new ObjectApi(configurationWithTimeout(kc, this.opts.requestTimeoutMs));
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const { requestTimeoutMs } = this.opts;
    return withRetry(
      async () => {
        try {
          return await withTimeout(fn(), requestTimeoutMs, () => new Error(`no answer within ${requestTimeoutMs} ms`));
        } catch (err) {
          throw toKubeError(err, what);
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

export function refOf(obj: KubeObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata.name ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}
