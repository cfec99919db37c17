/**
 * The simulator's HTTP face: a Kubernetes API server on 127.0.0.1 for the resources Canary Gate
 * uses, with bearer-token auth, discovery, the deployment controller running behind it, fault
 * injection, latency, a request log and a small control API under /_sim.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeploymentController, POD_BEHAVIORS, type PodBehavior } from './controller.ts';
import { KubeApi, parseBody, type Subresource, type Target } from './kube-api.ts';
import { badRequest, KubeApiError, reasonForCode } from './kube-errors.ts';
import { FaultInjector, faultRuleFromJson, type RequestRecord } from './kube-faults.ts';
import { ResourceRegistry, splitApiVersion } from './kube-resources.ts';
import { type KubeObject, KubeStore } from './kube-store.ts';
import { kubeconfigYaml, writeKubeconfig } from './kubeconfig.ts';
import type { ObjectReader } from './traffic-routing.ts';
import { allows, forbidden, reviewAccess, verbOf, type RbacBinding } from './kube-rbac.ts';
import { ObjectValidator } from './validation.ts';

export interface KubeSimulatorOptions {
  port?: number;
  /** How long a healthy pod takes to become Ready (default 300 ms). */
  readyDelayMs?: number;
  token?: string;
  /** SMI TrafficSplit versions served (default all: v1alpha1..v1alpha4). */
  servedSmiVersions?: string[];
  /** Real milliseconds per second of progressDeadlineSeconds (default 100: 600 s → 60 s). */
  progressDeadlineScaleMs?: number;
  /** RBAC: the token's user and the one Role bound to it; requests it does not allow get 403. Default: all allowed. */
  rbac?: RbacBinding;
  /**
   * Reuse another simulator's validator (and its compiled CRD schemas, ~0.3 s for Istio) when a
   * suite starts many simulators; by default each simulator compiles its own.
   */
  validator?: ObjectValidator;
}

/** Any object with a type; the rest is checked by the server's validation. */
export interface KubeObjectInput {
  apiVersion: string;
  kind: string;
  metadata?: object;
  [key: string]: unknown;
}

export interface KubeSimulator {
  readonly url: string;
  readonly token: string;
  readonly store: KubeStore;
  /** The store as the data plane reads it, with the versions the loaded CRDs serve (traffic-routing.ts). */
  readonly reader: ObjectReader;
  /** Verbs with the server's validation and rules, without HTTP (for seeding). */
  readonly api: KubeApi;
  readonly validator: ObjectValidator;
  readonly faults: FaultInjector;
  /** Every API request (not /_sim control calls), oldest first. */
  readonly requests: RequestRecord[];
  kubeconfig(): string;
  writeKubeconfig(path: string): Promise<void>;
  /** Creates an object as POST would (defaults, validation); throws KubeApiError when rejected. */
  create(obj: KubeObjectInput): KubeObject;
  setBehavior(namespace: string, deployment: string, behavior: PodBehavior): void;
  setLatency(ms: number): void;
  clearRequests(): void;
  /** Runs one controller pass now (tests that do not want to wait for the timer). */
  reconcile(): void;
  /** Binds a Role to the token's user from now on (undefined: everything allowed again). */
  setRbac(binding: RbacBinding | undefined): void;
  /** Stops / restarts the controller manager, to play one that lags behind the API server. */
  pauseController(): void;
  resumeController(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function startKubeSimulator(opts: KubeSimulatorOptions = {}): Promise<KubeSimulator> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const registry = ResourceRegistry.create(opts.servedSmiVersions ? { servedSmiVersions: opts.servedSmiVersions } : {});
  const store = new KubeStore();
  const api = new KubeApi(registry, store, opts.validator ?? new ObjectValidator());
  const controller = new DeploymentController(store, {
    readyDelayMs: opts.readyDelayMs ?? 300,
    progressDeadlineScaleMs: opts.progressDeadlineScaleMs ?? 100,
  });
  const faults = new FaultInjector();
  const requests: RequestRecord[] = [];
  let latencyMs = 0;
  let rbac = opts.rbac;

  const ctx: HandlerContext = {
    token,
    registry,
    api,
    store,
    controller,
    faults,
    requests,
    rbac: () => rbac,
    latency: () => latencyMs,
    setLatency: (ms) => {
      latencyMs = ms;
    },
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      // A bug in the simulator: answer like an apiserver panic handler would, and say what broke.
      if (!res.headersSent) sendStatus(res, new KubeApiError('InternalError', `simulator error: ${(err as Error).stack ?? String(err)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  controller.start();

  return {
    url,
    token,
    store,
    reader: {
      get: (apiVersion, kind, namespace, name) => store.get(apiVersion, kind, namespace, name),
      list: (apiVersion, kind, namespace) => store.list(apiVersion, kind, namespace),
      servedVersion: (group, kind) => registry.types.find((t) => t.group === group && t.kind === kind)?.versions[0],
    },
    api,
    validator: api.validator,
    faults,
    requests,
    kubeconfig: () => kubeconfigYaml(url, token),
    writeKubeconfig: (path) => writeKubeconfig(path, url, token),
    create(input) {
      const type = registry.byKind(input.apiVersion, input.kind);
      if (!type) throw badRequest(`no kind "${input.kind}" is registered for version "${input.apiVersion}"`);
      const namespace = (input.metadata as { namespace?: string } | undefined)?.namespace;
      const target: Target = { type, version: splitApiVersion(input.apiVersion).version, namespace: type.namespaced ? (namespace ?? 'default') : '' };
      return api.create(target, input);
    },
    setBehavior: (namespace, deployment, behavior) => controller.setBehavior(namespace, deployment, behavior),
    setLatency: ctx.setLatency,
    clearRequests: () => {
      requests.length = 0;
    },
    reconcile: () => controller.reconcileAll(),
    setRbac: (binding) => {
      rbac = binding;
    },
    pauseController: () => controller.stop(),
    resumeController: () => controller.start(),
    close: () => closeServer(server, controller),
  };
}

async function closeServer(server: Server, controller: DeploymentController): Promise<void> {
  controller.stop();
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface HandlerContext {
  token: string;
  registry: ResourceRegistry;
  api: KubeApi;
  store: KubeStore;
  controller: DeploymentController;
  faults: FaultInjector;
  requests: RequestRecord[];
  rbac: () => RbacBinding | undefined;
  latency: () => number;
  setLatency: (ms: number) => void;
}

async function handle(ctx: HandlerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const at = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const pathWithQuery = `${url.pathname}${url.search}`;
  const isControl = url.pathname.startsWith('/_sim/');
  let requestBytes = 0;
  let responseBytes = 0;
  const contentType = req.headers['content-type'];

  // Logged before the response leaves, so a client that has its answer always finds the record.
  const record = (status: number): void => {
    if (isControl) return;
    ctx.requests.push({ method, path: pathWithQuery, ...(contentType ? { contentType } : {}), status, requestBytes, responseBytes, at });
  };
  const send = (code: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    responseBytes = Buffer.byteLength(text);
    record(code);
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': String(responseBytes), ...headers });
    res.end(text);
  };

  let raw: string;
  try {
    raw = await readBody(req);
    requestBytes = Buffer.byteLength(raw);
  } catch (err) {
    send(413, new KubeApiError('RequestEntityTooLarge', (err as Error).message).toStatus());
    return;
  }

  if (req.headers.authorization !== `Bearer ${ctx.token}`) {
    send(401, new KubeApiError('Unauthorized', 'Unauthorized').toStatus());
    return;
  }

  try {
    if (isControl) {
      send(200, handleControl(ctx, method, url.pathname, raw));
      return;
    }
    const latency = ctx.latency();
    if (latency > 0) await sleep(latency);
    const fault = ctx.faults.take(method, pathWithQuery);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.resetConnection) {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      const reason = reasonForCode(fault.status);
      const details = fault.retryAfterSeconds !== undefined ? { retryAfterSeconds: fault.retryAfterSeconds } : undefined;
      const err = new KubeApiError(reason, `injected fault: ${fault.status} ${reason}`, details, fault.status);
      send(fault.status, err.toStatus(), fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {});
      return;
    }
    const { code, body } = route(ctx, method, url, raw, contentType ?? '');
    send(code, body);
  } catch (err) {
    if (err instanceof KubeApiError) {
      send(err.code, err.toStatus());
      return;
    }
    throw err;
  }
}

/** Rejects (after draining, so the client still gets the 413) a body over the server's 3 MiB limit. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new Error(`Request entity too large: limit is ${MAX_BODY_BYTES}`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendStatus(res: ServerResponse, err: KubeApiError): void {
  const text = JSON.stringify(err.toStatus());
  res.writeHead(err.code, { 'content-type': 'application/json' });
  res.end(text);
}

function handleControl(ctx: HandlerContext, method: string, path: string, raw: string): unknown {
  const body = raw ? parseBody(raw) : {};
  const b = (body ?? {}) as Record<string, unknown>;
  if (method === 'POST' && path === '/_sim/behavior') {
    const behavior = b.behavior as PodBehavior;
    if (typeof b.namespace !== 'string' || typeof b.name !== 'string' || !POD_BEHAVIORS.includes(behavior)) {
      throw badRequest(`expected {namespace, name, behavior} with behavior one of ${POD_BEHAVIORS.join(', ')}`);
    }
    ctx.controller.setBehavior(b.namespace, b.name, behavior);
    return { ok: true };
  }
  if (method === 'POST' && path === '/_sim/faults') {
    try {
      ctx.faults.add(faultRuleFromJson(body));
    } catch (err) {
      throw badRequest((err as Error).message);
    }
    return { ok: true };
  }
  if (method === 'DELETE' && path === '/_sim/faults') {
    ctx.faults.clear();
    return { ok: true };
  }
  if (method === 'POST' && path === '/_sim/latency') {
    if (typeof b.ms !== 'number' || b.ms < 0) throw badRequest('expected {ms} with ms >= 0');
    ctx.setLatency(b.ms);
    return { ok: true };
  }
  if (method === 'GET' && path === '/_sim/state') {
    return {
      resourceVersion: ctx.store.resourceVersion,
      objects: ctx.store.dump(),
      behaviors: ctx.controller.behaviors(),
      faults: ctx.faults.list(),
      latencyMs: ctx.latency(),
      requestCount: ctx.requests.length,
    };
  }
  throw new KubeApiError('NotFound', `no simulator control endpoint ${method} ${path}`);
}

const VERSION_INFO = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-canary-gate-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.22.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function pageNotFound(path: string): KubeApiError {
  return new KubeApiError('NotFound', `the server could not find the requested resource (${path})`, { causes: [] });
}

function route(ctx: HandlerContext, method: string, url: URL, raw: string, contentType: string): { code: number; body: unknown } {
  const segments = url.pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  const path = url.pathname;
  const isGet = method === 'GET';

  if (path === '/version' && isGet) return { code: 200, body: VERSION_INFO };
  if ((path === '/healthz' || path === '/readyz' || path === '/livez') && isGet) return { code: 200, body: 'ok' };
  if (path === '/api' && isGet) return { code: 200, body: ctx.registry.apiVersions() };
  if (path === '/apis' && isGet) return { code: 200, body: ctx.registry.apiGroupList() };

  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments[1] === 'v1') {
    group = '';
    version = 'v1';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments[1] && segments[2]) {
    group = segments[1];
    version = segments[2];
    rest = segments.slice(3);
  } else if (segments[0] === 'apis' && segments[1] && segments.length === 2 && isGet) {
    const doc = ctx.registry.apiGroup(segments[1]);
    if (!doc) throw pageNotFound(path);
    return { code: 200, body: doc };
  } else {
    throw pageNotFound(path);
  }
  if (!ctx.registry.servesGroupVersion(group, version)) throw pageNotFound(path);
  if (rest.length === 0) {
    if (!isGet) throw new KubeApiError('MethodNotAllowed', `${method} is not supported on ${path}`);
    return { code: 200, body: ctx.registry.apiResourceList(group, version) };
  }

  // [namespaces/{ns}/]{plural}[/{name}[/{subresource}]]; /api/v1/namespaces/{name}[/status] is a Namespace.
  let namespace: string | undefined;
  let plural: string;
  let name: string | undefined;
  let sub: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && rest[2] === 'status')) {
    namespace = rest[1];
    [plural = '', name, sub] = rest.slice(2);
    if (rest.length > 5) throw pageNotFound(path);
  } else {
    [plural = '', name, sub] = rest;
    if (rest.length > 3) throw pageNotFound(path);
  }
  const type = ctx.registry.byPlural(group, version, plural);
  if (!type) throw pageNotFound(path);
  if (namespace !== undefined && !type.namespaced) throw pageNotFound(path);
  let subresource: Subresource;
  if (sub !== undefined) {
    if (sub === 'status' && type.statusSubresource) subresource = 'status';
    else if (sub === 'scale' && type.scaleSubresource) subresource = 'scale';
    else throw pageNotFound(path);
  }
  const binding = ctx.rbac();
  if (type.kind === 'SelfSubjectAccessReview') {
    if (method !== 'POST' || name !== undefined) throw new KubeApiError('MethodNotAllowed', `${method} is not supported on ${path}`);
    const review = bodyOf(raw, contentType) as { spec?: unknown };
    return {
      code: 201,
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: { creationTimestamp: null }, spec: review?.spec ?? {}, status: reviewAccess(binding, review?.spec) },
    };
  }
  const attributes = {
    verb: verbOf(method, name !== undefined),
    group,
    resource: plural,
    namespace: namespace ?? '',
    ...(sub !== undefined ? { subresource: sub } : {}),
    ...(name !== undefined ? { name } : {}),
  };
  if (binding && !allows(binding, attributes)) throw forbidden(binding, attributes);
  const q = url.searchParams;
  if (q.get('watch') === 'true' || q.get('watch') === '1') {
    throw new KubeApiError('MethodNotAllowed', 'watch is not supported by the Canary Gate simulator: poll with GET/LIST instead');
  }
  const dryRun = q.getAll('dryRun');
  if (dryRun.some((v) => v !== 'All')) {
    throw badRequest(`invalid dryRun value ${JSON.stringify(dryRun)}: the only supported value is "All"`);
  }
  const api = dryRun.length > 0 ? ctx.api.dryRun() : ctx.api;

  if (name === undefined) {
    if (method === 'GET') {
      const listTarget = { type, version, ...(namespace !== undefined ? { namespace } : {}) };
      return { code: 200, body: api.list(listTarget as Target, { labelSelector: q.get('labelSelector'), fieldSelector: q.get('fieldSelector') }) };
    }
    if (method === 'POST') {
      if (type.namespaced && namespace === undefined) throw pageNotFound(path);
      const target: Target = { type, version, namespace: namespace ?? '' };
      return { code: 201, body: api.create(target, bodyOf(raw, contentType)) };
    }
    throw new KubeApiError('MethodNotAllowed', `${method} is not supported on a collection by the Canary Gate simulator`);
  }

  if (type.namespaced && namespace === undefined) throw pageNotFound(path);
  const target: Target = { type, version, namespace: namespace ?? '' };
  switch (method) {
    case 'GET':
      return { code: 200, body: api.get(target, name, subresource) };
    case 'PUT':
      return { code: 200, body: api.replace(target, name, bodyOf(raw, contentType), subresource) };
    case 'PATCH':
      // Server-side apply creates what does not exist, and says so with 201.
      return { code: api.exists(target, name) ? 200 : 201, body: api.patch(target, name, contentType, raw, { subresource, fieldManager: q.get('fieldManager') }) };
    case 'DELETE':
      if (subresource) throw new KubeApiError('MethodNotAllowed', `DELETE is not supported on ${path}`);
      return { code: 200, body: api.delete(target, name, raw ? bodyOf(raw, contentType) : undefined) };
    default:
      throw new KubeApiError('MethodNotAllowed', `${method} is not supported on ${path}`);
  }
}

/** Body of POST/PUT/DELETE: JSON (or YAML); anything else is 415 like the real server. */
function bodyOf(raw: string, contentType: string): unknown {
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (media === '' || media === 'application/json' || media === '*/*') return parseBody(raw || 'null');
  if (media === 'application/yaml' || media === 'application/x-yaml') return parseBody(raw, true);
  throw new KubeApiError(
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
  );
}

