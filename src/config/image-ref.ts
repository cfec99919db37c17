/**
 * Image references checked against the grammar of distribution/reference (the grammar the OCI
 * distribution spec, Docker and containerd share — `reference/regexp.go`):
 *
 *   reference      := name [ ":" tag ] [ "@" digest ]
 *   name           := [domain '/'] path-component ['/' path-component]*
 *   domain         := host [':' port-number]          (first component with '.', ':', "localhost" or upper case)
 *   path-component := alpha-numeric [separator alpha-numeric]*   alpha-numeric := /[a-z0-9]+/
 *   separator      := /[_.]|__|[-]+/
 *   tag            := /[\w][\w.-]{0,127}/
 *   digest         := algorithm ":" hex (sha256: 64 hex digits, sha512: 128)
 *
 * A reference the registry would refuse (upper case in the repository, an empty tag) fails here,
 * before anything touches the cluster, instead of as ImagePullBackOff in the canary.
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[_.]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/** Undefined when the reference is valid; otherwise what is wrong and how to write it. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref.trim() !== ref || /\s/.test(ref)) return 'must be an image reference without spaces, e.g. ghcr.io/acme/web:1.2.3';
  if (ref === '') return 'must not be empty: give the new image, e.g. ghcr.io/acme/web:1.2.3';
  const at = ref.indexOf('@');
  const beforeDigest = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  if (digest !== undefined) {
    if (!DIGEST.test(digest)) return 'has a digest that is not algorithm:hex, e.g. …@sha256:<64 hex digits>';
    const [algorithm = '', hex = ''] = digest.split(':');
    if (algorithm === 'sha256' && hex.length !== 64) return `has a sha256 digest of ${hex.length} hex digits; sha256 digests have 64: use the full digest, e.g. …@sha256:<64 hex digits>`;
    if (algorithm === 'sha512' && hex.length !== 128) return `has a sha512 digest of ${hex.length} hex digits; sha512 digests have 128: use the full digest`;
  }
  const slash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const hasTag = colon > slash;
  const name = hasTag ? beforeDigest.slice(0, colon) : beforeDigest;
  const tag = hasTag ? beforeDigest.slice(colon + 1) : undefined;
  if (tag !== undefined && tag === '') return `ends in ':' with no tag: add the tag (e.g. ${name}:1.2.3) or remove the ':'`;
  if (tag !== undefined && !TAG.test(tag)) return 'has a tag that is not valid: use up to 128 letters, digits, "_", "." and "-", not starting with "." or "-", e.g. 1.2.3';
  if (name === '') return 'has no repository name, e.g. ghcr.io/acme/web:1.2.3';
  if (name.length > NAME_MAX) return `has a name of ${name.length} characters; use at most ${NAME_MAX}`;
  const components = name.split('/');
  const first = components[0] ?? '';
  const hasDomain = components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain && !DOMAIN.test(first)) return `has a registry "${first}" that is not a host name with an optional :port; use e.g. ghcr.io or registry.local:5000`;
  const path = hasDomain ? components.slice(1) : components;
  for (const component of path) {
    if (component === '') return "has an empty path component ('//' or a '/' at an end); remove the extra '/'";
    if (component !== component.toLowerCase() && PATH_COMPONENT.test(component.toLowerCase())) {
      const fixed = [...(hasDomain ? [first] : []), ...path.map((c) => c.toLowerCase())].join('/');
      return `has upper case in the repository "${path.join('/')}"; repository names are lower case: use ${fixed}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
    }
    if (!PATH_COMPONENT.test(component)) return `has a repository component "${component}" that is not lower-case letters and digits separated by '.', '_', '__' or '-'; write it like ghcr.io/acme/web:1.2.3`;
  }
  return undefined;
}
