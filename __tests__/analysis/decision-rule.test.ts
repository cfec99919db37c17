import { exposureTargetScale } from '../../src/analysis/decision-rule.ts';

describe('exposureTargetScale: a step may leave undetected what its share of traffic cannot cost', () => {
  test.each([
    // weight, steps, scale
    [1, [1, 5, 20, 50, 100], 50],
    [5, [1, 5, 20, 50, 100], 10],
    [20, [1, 5, 20, 50, 100], 2.5],
    [50, [1, 5, 20, 50, 100], 1],
    [100, [1, 5, 20, 50, 100], 1],
    [10, [10, 50], 5],
    [50, [10, 50], 1],
    [25, [25, 50, 75, 100], 3],
    [75, [25, 50, 75, 100], 1],
    // Only a 100 % step: nothing below it to scale against.
    [100, [100], 1],
    // A weight above every compared step never gets a smaller target.
    [60, [10, 50], 1],
    // No plan known (a gate used outside a rollout): no scaling.
    [10, [], 1],
    // No traffic on the canary: no scaling.
    [0, [1, 5, 20, 50, 100], 1],
  ])('weight %d of %j → × %d', (weight, steps, scale) => {
    expect(exposureTargetScale(weight, steps)).toBeCloseTo(scale, 12);
  });
});
