import { planSteps, proportionalReplicas, rollbackSteps } from '../../src/rollout/plan.ts';

describe('step planner', () => {
  test.each([
    [{ maxWeight: 100 }, [1, 5, 20, 50, 100]],
    [{ maxWeight: 50 }, [1, 5, 20, 50]],
    [{ maxWeight: 30 }, [1, 5, 20, 30]],
    [{ stepWeight: 25, maxWeight: 100 }, [25, 50, 75, 100]],
    [{ stepWeight: 30, maxWeight: 100 }, [30, 60, 90, 100]],
    [{ steps: [1, 5, 20, 50, 100], maxWeight: 100 }, [1, 5, 20, 50, 100]],
    [{ steps: [10, 40], maxWeight: 100 }, [10, 40]],
  ])('%o → %o', (input, expected) => {
    expect(planSteps(input)).toEqual(expected);
  });

  test('weights are strictly increasing integers within 1..max', () => {
    for (let max = 1; max <= 100; max++) {
      for (const stepWeight of [1, 3, 7, 10, 33, 100]) {
        const steps = planSteps({ stepWeight, maxWeight: max });
        expect(steps[steps.length - 1]).toBe(max);
        steps.forEach((w, i) => {
          expect(Number.isInteger(w)).toBe(true);
          expect(w).toBeGreaterThanOrEqual(1);
          expect(w).toBeLessThanOrEqual(max);
          if (i > 0) expect(w).toBeGreaterThan(steps[i - 1] ?? 0);
        });
      }
    }
  });

  test('gradual rollback walks down the steps below the current weight to 0', () => {
    expect(rollbackSteps([1, 5, 20, 50, 100], 50)).toEqual([20, 5, 1, 0]);
    expect(rollbackSteps([1, 5, 20], 1)).toEqual([0]);
  });

  test('proportional canary replicas never drop below one pod', () => {
    expect(proportionalReplicas(10, 1)).toBe(1);
    expect(proportionalReplicas(10, 20)).toBe(2);
    expect(proportionalReplicas(10, 55)).toBe(6);
    expect(proportionalReplicas(3, 100)).toBe(3);
  });
});
