/**
 * The pre-write permission check: one SelfSubjectAccessReview (authorization.k8s.io/v1) per verb on
 * a resource the rollout needs, asked before the first write, so that a missing permission is
 * reported by name and nothing is changed — instead of a 403 halfway through a rollout.
 *
 * Every authenticated user may create SelfSubjectAccessReviews (ClusterRole system:basic-user), so
 * the check itself needs no grant. A cluster that cannot answer is reported as unchecked, not as
 * forbidden: the calls themselves still fail with the server's 403 message then.
 */
import { describeNeed, type PermissionNeed } from '../traffic/permissions.ts';
import { CanaryGateError, errorMessage } from '../util/errors.ts';
import type { KubeApi, KubeObject } from './types.ts';

interface AccessReview extends KubeObject {
  status?: { allowed?: boolean; denied?: boolean; reason?: string; evaluationError?: string };
}

export type PermissionCheck =
  | { checked: true; missing: PermissionNeed[] }
  | { checked: false; why: string };

/** Asks the API server, for each need, whether the caller may do it in `namespace`. */
export async function reviewPermissions(kube: KubeApi, namespace: string, needs: readonly PermissionNeed[]): Promise<PermissionCheck> {
  const unique = new Map<string, PermissionNeed>();
  for (const n of needs) if (!unique.has(describeNeed(n))) unique.set(describeNeed(n), n);
  try {
    const answers = await Promise.all(
      [...unique.values()].map(async (n) => {
        const review = await kube.create<AccessReview>({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          metadata: {},
          spec: { resourceAttributes: { namespace, verb: n.verb, group: n.group, resource: n.resource } },
        });
        return { need: n, allowed: review.status?.allowed === true };
      }),
    );
    return { checked: true, missing: answers.filter((a) => !a.allowed).map((a) => a.need) };
  } catch (err) {
    return { checked: false, why: errorMessage(err) };
  }
}

/**
 * Fails with reason `forbidden`, naming every missing verb and resource and what it is for, when the
 * credentials lack a permission; logs and goes on when the server could not be asked.
 */
export async function verifyPermissions(
  kube: KubeApi,
  namespace: string,
  needs: readonly PermissionNeed[],
  opts: { router: string; warn: (line: string) => void },
): Promise<void> {
  const result = await reviewPermissions(kube, namespace, needs);
  if (!result.checked) {
    opts.warn(`Could not check the Kubernetes permissions before the first write (SelfSubjectAccessReview: ${result.why}); going on.`);
    return;
  }
  if (result.missing.length === 0) return;
  const list = result.missing.map((n) => `${describeNeed(n)} (to ${n.why})`).join('; ');
  throw new CanaryGateError(
    'forbidden',
    `The Kubernetes credentials lack ${result.missing.length === 1 ? 'a permission' : `${result.missing.length} permissions`} in namespace ${namespace}: ${list}. ` +
      `Grant the Role for the ${opts.router} router from docs/rbac.md (check with \`kubectl auth can-i <verb> <resource> -n ${namespace}\`). Nothing was changed.`,
  );
}
