/**
 * Authorization of the simulator's requests by one Role, as the RBAC authorizer decides and the API
 * server answers:
 * - rule matching — pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches,
 *   ResourceMatches with `resource/subresource` and `*` / `*\/subresource`, ResourceNameMatches);
 * - the 403 — staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
 *   (forbiddenMessage) wrapped by apimachinery's errors.NewForbidden:
 *   `deployments.apps "web" is forbidden: User "…" cannot patch resource "deployments" in API group
 *   "apps" in the namespace "demo"`;
 * - SelfSubjectAccessReview answered from the same rules (the RBAC authorizer never denies
 *   explicitly: `allowed: false` without `denied`).
 * Discovery and SelfSubjectAccessReview are open to every authenticated user (the default
 * ClusterRoles system:discovery and system:basic-user), so they are never checked.
 */
import { KubeApiError, qualifiedResource } from './kube-errors.ts';

export interface RbacRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** Who the simulator's token authenticates as, and the one Role bound to them in every namespace. */
export interface RbacBinding {
  user: string;
  roleName: string;
  /** The Role's namespace: it grants nothing elsewhere. Undefined: bound in every namespace. */
  namespace?: string;
  rules: RbacRule[];
}

export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name?: string;
}

function ruleAllows(rule: RbacRule, a: RequestAttributes): boolean {
  const verbs = rule.verbs;
  if (!verbs.includes('*') && !verbs.includes(a.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceMatches = (rule.resources ?? []).some(
    (r) => r === '*' || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`),
  );
  if (!resourceMatches) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (a.name !== undefined && names.includes(a.name));
}

export function allows(binding: RbacBinding | undefined, a: RequestAttributes): boolean {
  if (binding === undefined) return true;
  if (binding.namespace !== undefined && binding.namespace !== a.namespace) return false;
  return binding.rules.some((r) => ruleAllows(r, a));
}

export function forbidden(binding: RbacBinding, a: RequestAttributes): KubeApiError {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const detail = `User "${binding.user}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`;
  const subject = a.name ? `${qualifiedResource(a.resource, a.group)} "${a.name}"` : qualifiedResource(a.resource, a.group);
  return new KubeApiError('Forbidden', `${subject} is forbidden: ${detail}`, {
    ...(a.name ? { name: a.name } : {}),
    group: a.group,
    kind: a.resource,
  });
}

/** The status of a SelfSubjectAccessReview for `spec.resourceAttributes`. */
export function reviewAccess(binding: RbacBinding | undefined, spec: unknown): { allowed: boolean; reason?: string } {
  const ra = (spec as { resourceAttributes?: Partial<RequestAttributes> & { subresource?: string } } | undefined)?.resourceAttributes;
  if (!ra || typeof ra.verb !== 'string' || typeof ra.resource !== 'string') return { allowed: false, reason: 'no resourceAttributes' };
  const a: RequestAttributes = {
    verb: ra.verb,
    group: ra.group ?? '',
    resource: ra.resource,
    namespace: ra.namespace ?? '',
    ...(ra.subresource ? { subresource: ra.subresource } : {}),
    ...(ra.name ? { name: ra.name } : {}),
  };
  if (!allows(binding, a)) return { allowed: false };
  return {
    allowed: true,
    ...(binding ? { reason: `RBAC: allowed by RoleBinding "${binding.roleName}/${a.namespace}" of Role "${binding.roleName}" to User "${binding.user}"` } : {}),
  };
}

/** The verb a request is authorized as (request_info.go: GET on a collection is list, on one object get). */
export function verbOf(method: string, hasName: boolean): string {
  switch (method) {
    case 'GET':
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
