/**
 * Renders report Markdown roughly as GitHub does, to look at it: markdown-it (CommonMark + GFM
 * tables), GitHub's alert blocks (> [!CAUTION]), github-markdown-css in the light or dark theme,
 * and ```mermaid blocks drawn by the real mermaid package in the matching theme. Screenshots come
 * from headless Chromium (Debian's `chromium`) driven over the DevTools protocol, so the page is
 * captured at its full height once Mermaid has finished. For docs and the demo; never bundled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import MarkdownIt from 'markdown-it';

export type Theme = 'light' | 'dark';

const ROOT = path.resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ALERT_TITLES: Record<string, string> = { NOTE: 'Note', TIP: 'Tip', IMPORTANT: 'Important', WARNING: 'Warning', CAUTION: 'Caution' };

/** Markdown to the HTML GitHub would show (the subset our reports use). */
export function markdownToHtml(markdown: string): string {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  const fence = md.renderer.rules.fence!;
  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    if (token.info.trim() === 'mermaid') return `<pre class="mermaid">${escapeHtml(token.content)}</pre>\n`;
    return fence(tokens, idx, options, env, self);
  };
  // GitHub alerts: a blockquote whose first line is [!KIND].
  return md.render(markdown).replace(/<blockquote>\s*<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/g, (_m, kind: string) =>
    `<blockquote class="markdown-alert markdown-alert-${kind.toLowerCase()}"><p class="markdown-alert-title">${ALERT_TITLES[kind]}</p><p>`,
  );
}

/** A self-contained page (stylesheets and mermaid by file URL) in GitHub's light or dark theme. */
export function htmlPage(markdown: string, theme: Theme, width = 880): string {
  const css = pathToFileURL(path.join(ROOT, 'node_modules', 'github-markdown-css', `github-markdown-${theme}.css`)).href;
  const mermaid = pathToFileURL(path.join(ROOT, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js')).href;
  const background = theme === 'dark' ? '#0d1117' : '#ffffff';
  return `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="${css}">
<style>
  body { margin: 0; background: ${background}; }
  .markdown-body { box-sizing: border-box; width: ${width}px; padding: 24px; }
  .markdown-alert { padding: 0.5rem 1rem; border-left: 0.25em solid #f85149; color: inherit; }
  .markdown-alert-title { font-weight: 600; color: ${theme === 'dark' ? '#f85149' : '#d1242f'}; margin-bottom: 4px; }
  pre.mermaid { background: transparent; text-align: center; }
</style></head>
<body><article class="markdown-body">
${markdownToHtml(markdown)}
</article>
<script src="${mermaid}"></script>
<script>
  mermaid.initialize({ startOnLoad: false, theme: ${JSON.stringify(theme === 'dark' ? 'dark' : 'default')} });
  mermaid.run({ querySelector: 'pre.mermaid' }).then(() => { document.body.dataset.rendered = 'ok'; }, (e) => { document.body.dataset.rendered = 'error: ' + e; });
</script>
</body></html>
`;
}

interface Cdp {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): void;
}

async function connect(wsUrl: string): Promise<Cdp> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to Chromium at ${wsUrl}`));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(msg.error.message));
    else p?.resolve(msg.result ?? {});
  };
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
        setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`Chromium did not answer ${method} within 30 s`));
        }, 30_000).unref();
      }),
    close: () => ws.close(),
  };
}

/** A headless Chromium that takes full-page screenshots of HTML files. */
export class Screenshotter {
  readonly #child: ChildProcess;
  readonly #profile: string;
  readonly #cdp: Cdp;

  private constructor(child: ChildProcess, profile: string, cdp: Cdp) {
    this.#child = child;
    this.#profile = profile;
    this.#cdp = cdp;
  }

  static async start(): Promise<Screenshotter> {
    const profile = mkdtempSync(path.join(os.tmpdir(), 'canary-gate-chromium-'));
    const child = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--allow-file-access-from-files',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const browserUrl = await new Promise<string>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`Chromium did not start within 30 s: ${err.slice(-500)}`)), 30_000);
      child.stderr!.on('data', (chunk: Buffer) => {
        err += chunk.toString();
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`Chromium exited (${code}): ${err.slice(-500)}`)));
    });
    const { host } = new URL(browserUrl);
    const targets = (await (await fetch(`http://${host}/json/list`)).json()) as { type: string; webSocketDebuggerUrl: string }[];
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('Chromium has no page to drive');
    const cdp = await connect(page.webSocketDebuggerUrl);
    await cdp.send('Page.enable');
    await cdp.send('Runtime.enable');
    return new Screenshotter(child, profile, cdp);
  }

  /** Loads the HTML file, waits for Mermaid, and writes a PNG of the whole page. */
  async capture(htmlFile: string, pngFile: string, width = 880): Promise<void> {
    const cdp = this.#cdp;
    await cdp.send('Emulation.setDeviceMetricsOverride', { width, height: 800, deviceScaleFactor: 1, mobile: false });
    await cdp.send('Page.navigate', { url: pathToFileURL(htmlFile).href });
    let state = '';
    for (let i = 0; i < 300 && state === ''; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = (await cdp.send('Runtime.evaluate', { expression: 'document.body ? (document.body.dataset.rendered || "") : ""', returnByValue: true })) as { result?: { value?: string } };
      state = res.result?.value ?? '';
    }
    if (state !== 'ok') throw new Error(`Mermaid did not render ${htmlFile}: ${state || 'no answer within 30 s'}`);
    const size = (await cdp.send('Runtime.evaluate', { expression: 'document.querySelector(".markdown-body").getBoundingClientRect().height', returnByValue: true })) as { result?: { value?: number } };
    const height = Math.ceil(size.result?.value ?? 800);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    const shot = (await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width, height, scale: 1 } })) as { data: string };
    writeFileSync(pngFile, Buffer.from(shot.data, 'base64'));
  }

  async close(): Promise<void> {
    this.#cdp.close();
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    rmSync(this.#profile, { recursive: true, force: true });
  }
}

/** Writes `<base>-<theme>.html` and, with Chromium, `<base>-<theme>.png` for each theme. */
export async function renderMarkdownFile(markdown: string, base: string, shooter: Screenshotter | undefined, themes: Theme[] = ['light', 'dark']): Promise<string[]> {
  const written: string[] = [];
  for (const theme of themes) {
    const html = `${base}-${theme}.html`;
    writeFileSync(html, htmlPage(markdown, theme));
    if (shooter) {
      await shooter.capture(html, `${base}-${theme}.png`);
      written.push(`${base}-${theme}.png`);
    }
  }
  return written;
}
