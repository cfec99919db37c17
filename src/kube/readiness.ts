/**
 * Is a Deployment rolled out and serving, still progressing, or failed for good? Pure: reads a
 * Deployment and its pods, returns a verdict with the reason. Failing fast on CrashLoopBackOff or
 * image pull errors (instead of waiting out the deadline) is the point.
 */
import type { FailureReason } from '../util/errors.ts';
import type { KubeObject } from './types.ts';

export type Readiness =
  | { state: 'ready'; message: string }
  | { state: 'progressing'; message: string }
  | { state: 'failed'; reason: FailureReason; message: string };

interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string } };
}

interface PodLike extends KubeObject {
  status?: { phase?: string; containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] };
}

interface DeploymentLike extends KubeObject {
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

const CRASH_REASONS = new Set(['CrashLoopBackOff', 'RunContainerError', 'CreateContainerError', 'CreateContainerConfigError']);
const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

export function assessDeployment(deployment: DeploymentLike, pods: readonly PodLike[]): Readiness {
  const name = `${deployment.metadata.namespace ?? ''}/${deployment.metadata.name ?? ''}`;
  const want = deployment.spec?.replicas ?? 1;
  if (want === 0) {
    // Scaled to zero: crashing pods on their way out do not matter, only that they are gone.
    const total = deployment.status?.replicas ?? 0;
    return total === 0 ? { state: 'ready', message: `${name}: scaled to 0` } : { state: 'progressing', message: `${name}: ${total} pod(s) still terminating` };
  }
  for (const pod of pods) {
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const cs of statuses) {
      const waiting = cs.state?.waiting?.reason;
      if (!waiting) continue;
      const detail = `pod ${pod.metadata.name ?? '?'} container ${cs.name ?? '?'} is ${waiting}${cs.restartCount ? ` (restarts: ${cs.restartCount})` : ''}${cs.state?.waiting?.message ? `: ${cs.state.waiting.message}` : ''}`;
      if (PULL_REASONS.has(waiting)) return { state: 'failed', reason: 'canary-image-pull', message: `${name}: ${detail}` };
      if (CRASH_REASONS.has(waiting)) return { state: 'failed', reason: 'canary-crashloop', message: `${name}: ${detail}` };
    }
  }
  const status = deployment.status ?? {};
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return {
      state: 'failed',
      reason: 'progress-deadline',
      message: `${name}: ProgressDeadlineExceeded${progressing.message ? `: ${progressing.message}` : ''}`,
    };
  }
  const generation = deployment.metadata.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return { state: 'progressing', message: `${name}: controller has not observed generation ${generation} yet` };
  }
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const total = status.replicas ?? 0;
  if (updated < want) return { state: 'progressing', message: `${name}: ${updated}/${want} pods updated` };
  if (total > updated) return { state: 'progressing', message: `${name}: ${total - updated} old pod(s) still terminating` };
  if (available < want) return { state: 'progressing', message: `${name}: ${available}/${want} pods available` };
  return { state: 'ready', message: `${name}: ${available}/${want} pods available` };
}

/** matchLabels → label selector text (matchExpressions are not used by Canary Gate's own objects). */
export function selectorText(matchLabels: Record<string, string> | undefined): string {
  return Object.entries(matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
