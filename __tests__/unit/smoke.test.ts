import { clampPercent } from '../../src/util/clamp.ts';
import * as k8s from '@kubernetes/client-node';
test('toolchain', () => {
  expect(clampPercent(101)).toBe(100);
  expect(typeof k8s.KubeConfig).toBe('function');
  expect(process.versions.node.startsWith('24')).toBe(true);
});
