import { assessDeployment } from '../../src/kube/readiness.ts';
import type { KubeObject } from '../../src/kube/types.ts';

const deployment = (over: { replicas?: number; generation?: number; status?: Record<string, unknown> } = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web-canary', namespace: 'shop', generation: over.generation ?? 2 },
  spec: { replicas: over.replicas ?? 2 },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, ...(over.status ?? {}) },
});
const pod = (waiting?: string, restarts = 0): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-canary-abc-1' },
  status: { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: restarts, state: waiting ? { waiting: { reason: waiting } } : { running: {} } }] },
});

describe('deployment readiness', () => {
  test('ready when the controller observed the generation and all pods are updated and available', () => {
    expect(assessDeployment(deployment(), [pod(), pod()]).state).toBe('ready');
  });
  test('progressing while the generation is not observed', () => {
    expect(assessDeployment(deployment({ generation: 3 }), []).state).toBe('progressing');
  });
  test('progressing while old pods remain', () => {
    expect(assessDeployment(deployment({ status: { replicas: 3 } }), []).state).toBe('progressing');
  });
  test('progressing while pods are not yet available', () => {
    expect(assessDeployment(deployment({ status: { availableReplicas: 1 } }), []).state).toBe('progressing');
  });
  test.each([
    ['CrashLoopBackOff', 'canary-crashloop'],
    ['CreateContainerConfigError', 'canary-crashloop'],
    ['ErrImagePull', 'canary-image-pull'],
    ['ImagePullBackOff', 'canary-image-pull'],
  ])('fails fast on %s', (waiting, reason) => {
    const r = assessDeployment(deployment({ status: { availableReplicas: 0 } }), [pod(waiting, 3)]);
    expect(r).toMatchObject({ state: 'failed', reason });
    expect(r.message).toContain(waiting);
  });
  test('ContainerCreating is not a failure', () => {
    expect(assessDeployment(deployment({ status: { availableReplicas: 0 } }), [pod('ContainerCreating')]).state).toBe('progressing');
  });
  test('ProgressDeadlineExceeded fails', () => {
    const r = assessDeployment(
      deployment({ status: { availableReplicas: 0, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } }),
      [],
    );
    expect(r).toMatchObject({ state: 'failed', reason: 'progress-deadline' });
  });
  test('scaled to zero is ready once the pods are gone', () => {
    expect(assessDeployment(deployment({ replicas: 0, status: { replicas: 1 } }), []).state).toBe('progressing');
    expect(assessDeployment(deployment({ replicas: 0, status: { replicas: 0, updatedReplicas: 0, availableReplicas: 0 } }), []).state).toBe('ready');
  });
});

test('a deployment scaled to zero ignores its crashing pods on their way out', () => {
  const d = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web-canary', namespace: 'shop', generation: 3 },
    spec: { replicas: 0 },
    status: { observedGeneration: 3, replicas: 0 },
  };
  const crashing: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { containerStatuses: [{ name: 'web', state: { waiting: { reason: 'CrashLoopBackOff' } } }] } };
  expect(assessDeployment(d, [crashing]).state).toBe('ready');
});
