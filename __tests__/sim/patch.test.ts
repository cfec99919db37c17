import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from '../../src/sim/kube-patch.ts';

describe('JSON merge patch (RFC 7386)', () => {
  test.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('RFC 7386 appendix A: %j + %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  test('does not mutate its inputs', () => {
    const target = { a: { b: 1 } };
    mergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });
});

describe('strategic merge patch', () => {
  const pod = {
    containers: [
      { name: 'web', image: 'web:1', ports: [{ containerPort: 8080, name: 'http' }], env: [{ name: 'A', value: '1' }] },
      { name: 'sidecar', image: 'proxy:1' },
    ],
    tolerations: [{ key: 'x' }],
  };

  test('merges containers by name, env by name, ports by containerPort', () => {
    const out = strategicMergePatch(pod, {
      containers: [{ name: 'web', image: 'web:2', env: [{ name: 'B', value: '2' }], ports: [{ containerPort: 9090 }] }],
    }) as typeof pod;
    expect(out.containers.map((c) => c.name)).toEqual(['web', 'sidecar']);
    expect(out.containers[0]).toMatchObject({ image: 'web:2', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
    expect(out.containers[0]?.ports?.map((p) => p.containerPort)).toEqual([8080, 9090]);
    expect(out.containers[1]).toEqual({ name: 'sidecar', image: 'proxy:1' });
  });

  test('$patch: delete removes a list item; $patch: replace replaces a map', () => {
    const out = strategicMergePatch(pod, { containers: [{ name: 'sidecar', $patch: 'delete' }] }) as typeof pod;
    expect(out.containers.map((c) => c.name)).toEqual(['web']);
    const replaced = strategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } });
    expect(replaced).toEqual({ m: { c: 3 } });
  });

  test('lists without a merge key are replaced; null deletes; directives are not stored', () => {
    const out = strategicMergePatch(pod, { tolerations: [{ key: 'y' }], $setElementOrder: 1, 'containers': [{ name: 'web', env: null }] }) as Record<string, unknown>;
    expect(out.tolerations).toEqual([{ key: 'y' }]);
    expect((out.containers as { env?: unknown }[])[0]?.env).toBeUndefined();
    const ordered = strategicMergePatch(pod, { '$setElementOrder/containers': [{ name: 'web' }] });
    expect(ordered).toEqual(pod);
  });

  test('an item without its merge key is an error', () => {
    expect(() => strategicMergePatch(pod, { containers: [{ image: 'x' }] })).toThrow(PatchError);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { spec: { http: [{ route: [{ weight: 100 }] }] }, foo: 'bar' };

  test('add, replace, remove, move, copy, test', () => {
    const out = jsonPatch(doc, [
      { op: 'test', path: '/foo', value: 'bar' },
      { op: 'add', path: '/spec/http/0/route/-', value: { weight: 0 } },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 80 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 20 },
      { op: 'copy', from: '/foo', path: '/baz' },
      { op: 'move', from: '/baz', path: '/qux' },
      { op: 'remove', path: '/foo' },
      { op: 'add', path: '/a~1b', value: 1 },
    ]);
    expect(out).toEqual({ spec: { http: [{ route: [{ weight: 80 }, { weight: 20 }] }] }, qux: 'bar', 'a/b': 1 });
    expect(doc.foo).toBe('bar'); // input untouched
  });

  test('failures: test mismatch and missing paths are invalid (422), malformed ops are 400', () => {
    const kindOf = (ops: unknown) => {
      try {
        jsonPatch(doc, ops);
        return 'applied';
      } catch (err) {
        return (err as PatchError).kind;
      }
    };
    expect(kindOf([{ op: 'test', path: '/foo', value: 'baz' }])).toBe('invalid');
    expect(kindOf([{ op: 'replace', path: '/nope', value: 1 }])).toBe('invalid');
    expect(kindOf([{ op: 'remove', path: '/spec/http/3' }])).toBe('invalid');
    expect(kindOf([{ op: 'frobnicate', path: '/foo' }])).toBe('malformed');
    expect(kindOf({ op: 'add' })).toBe('malformed');
    expect(kindOf([{ op: 'add', path: '/x' }])).toBe('malformed');
  });
});
