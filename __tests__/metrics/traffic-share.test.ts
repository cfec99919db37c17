import { judgeTrafficShare } from '../../src/metrics/traffic-share.ts';

describe('traffic-share check', () => {
  test('a route that did not take effect fails at the first step, saying so', () => {
    const r = judgeTrafficShare({ canary: 0, stable: 3000, weight: 5 });
    expect(r.verdict).toBe('fail');
    expect(r.explanation).toBe(
      'the canary served 0 of 3000 requests (0%) with weight 5%, outside 2.5%..10%: the route change did not take effect: ' +
        'check for a route that shadows it, a data plane that ignores it (ingress class, mesh injection of the canary pods), or a controller that rejected it',
    );
  });

  test('binomial noise around the weight passes', () => {
    expect(judgeTrafficShare({ canary: 41, stable: 959, weight: 5 })).toMatchObject({ verdict: 'pass', explanation: expect.stringMatching(/: as routed$/) });
    expect(judgeTrafficShare({ canary: 180, stable: 820, weight: 20 }).verdict).toBe('pass');
    expect(judgeTrafficShare({ canary: 520, stable: 480, weight: 50 }).verdict).toBe('pass');
  });

  test('too few requests to tell passes and says so; none at all is inconclusive', () => {
    expect(judgeTrafficShare({ canary: 0, stable: 60, weight: 1 })).toMatchObject({ verdict: 'pass', explanation: expect.stringMatching(/too few requests to check the share yet$/) });
    expect(judgeTrafficShare({ canary: 0, stable: 0, weight: 20 }).verdict).toBe('inconclusive');
  });

  test('far more than the weight fails too', () => {
    const r = judgeTrafficShare({ canary: 600, stable: 400, weight: 20 });
    expect(r.verdict).toBe('fail');
    expect(r.explanation).toMatch(/more traffic reaches the canary than the route asks for/);
  });

  test('the tolerance shrinks with the count: 2 % at weight 5 % passes for 1000 requests, fails for 100 000', () => {
    expect(judgeTrafficShare({ canary: 20, stable: 980, weight: 5 }).verdict).toBe('pass');
    expect(judgeTrafficShare({ canary: 2000, stable: 98_000, weight: 5 }).verdict).toBe('fail');
  });
});
