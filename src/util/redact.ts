/**
 * Validation errors quote what the user wrote so that they can find it — except anything that may
 * be a credential. A token pasted into the wrong input, a URL with `user:password@` or `?token=`, a
 * value under a secret-bearing key: these are never quoted, whether or not the runner masks them
 * (a value from the config file is never masked by the runner).
 */

/** Keys whose values are credentials wherever they appear (file keys, header names, inputs). */
const SECRET_KEY = /token|secret|password|passwd|api[-_]?key|app[-_]?key|apikey|webhook|authorization|credential|private[-_]?key|client-key|signature/i;

/** Query parameters that carry credentials (pre-signed URLs, API keys in the query). */
const SECRET_PARAM = /^(.*token.*|.*secret.*|.*password.*|.*key|.*sig|signature|auth.*|code|x-amz-credential|x-goog-credential)$/i;

/** Well-known credential shapes (GitHub, GitLab, Slack, AWS, OpenAI-style, JWT, Datadog-style hex keys). */
const KNOWN_TOKEN = /^(gh[pousr]_|github_pat_|glpat-|xox[abpors]-|sk-|AKIA|ASIA|eyJ)[A-Za-z0-9_\-.]{8,}|^[a-f0-9]{32,}$/;

const NOT_SHOWN = '(value not shown: it may be a credential)';

/** Keys that name an environment variable (`bearer-token-env: PROM_TOKEN`) hold a name, not a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !/-env$/i.test(key);
}

/**
 * Whether one word looks like a credential: a known token shape, a long run of token characters
 * mixing letters and digits, or a URL carrying userinfo or a credential-like query parameter.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (v === '') return false;
  if (/^sha(256|384|512):[a-f0-9]+$/i.test(v)) return false; // image digests are public
  if (KNOWN_TOKEN.test(v)) return true;
  if (/^[A-Za-z0-9_\-+=]{20,}$/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v)) return true;
  if (/^[A-Za-z0-9+/]{40,}={0,2}$/.test(v)) return true; // base64 (a kubeconfig, a key)
  return urlCarriesCredential(v);
}

function urlCarriesCredential(text: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*@/i.test(text)) return true;
  const query = text.indexOf('?');
  if (query < 0) return false;
  return text
    .slice(query + 1)
    .split(/[&;]/)
    .some((pair) => SECRET_PARAM.test(decodeSafely(pair.split('=')[0] ?? '')) && (pair.split('=')[1] ?? '') !== '');
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Quotes a value for a message: JSON-quoted and shortened, or NOT_SHOWN when it may be a secret. */
export function quoteValue(value: unknown, opts: { secretKey?: boolean } = {}): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'a list' : 'a mapping';
  const text = String(value);
  if (opts.secretKey || text.split(/\s+/).some(looksLikeCredential)) return NOT_SHOWN;
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return typeof value === 'string' ? JSON.stringify(short) : short;
}

/**
 * Scrubs a finished message: URL userinfo, credential-like query parameters and token-looking
 * words are replaced, and so is every exact value listed in `known` (secret inputs, values under
 * secret keys). Used on every configuration error before it is shown.
 */
export function redactCredentials(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const secret of known) {
    if (secret.length >= 4) out = out.split(secret).join('***');
    const json = JSON.stringify(secret).slice(1, -1);
    if (json !== secret && json.length >= 4) out = out.split(json).join('***');
  }
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@"']*@/gi, '$1***@');
  out = out.replace(/([?&;])([^=&;\s"'#]+)=([^&;\s"'#]*)/g, (all, sep: string, name: string, value: string) =>
    SECRET_PARAM.test(decodeSafely(name)) && value !== '' ? `${sep}${name}=***` : all,
  );
  return out.replace(/[A-Za-z0-9_\-+/=.:]{20,}/g, (word) => {
    const bare = word.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9=]+$/g, '');
    if (/[/.:]/.test(bare) && !/^[A-Za-z0-9+/]{40,}={0,2}$/.test(bare) && !KNOWN_TOKEN.test(bare)) return word; // paths, hosts, images
    return looksLikeCredential(bare) ? word.replace(bare, '***') : word;
  });
}
