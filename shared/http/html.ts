// HTML escaping and the page shell shared by every server-rendered page. Claim values and anything else that
// came from outside go through `escapeHtml`; there is no inline script, and the CSP forbids any.

import { text, type HttpResult } from './responses.ts';

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Tagged template: every interpolated value is escaped unless it is already `SafeHtml`. */
export class SafeHtml {
  readonly html: string;
  constructor(html: string) {
    this.html = html;
  }
  toString(): string {
    return this.html;
  }
}

export const html = (strings: TemplateStringsArray, ...values: unknown[]): SafeHtml =>
  new SafeHtml(
    strings.reduce((out, s, i) => {
      if (i === 0) return s;
      const v = values[i - 1];
      const rendered = v instanceof SafeHtml ? v.html : Array.isArray(v) ? v.map((x) => (x instanceof SafeHtml ? x.html : escapeHtml(String(x)))).join('') : escapeHtml(String(v ?? ''));
      return out + rendered + s;
    }, ''),
  );

const STYLE = `:root{color-scheme:light dark;--bg:#f7f7f8;--fg:#1b1d21;--muted:#5b6270;--card:#fff;--line:#d9dce1;--accent:#0b5cad;--accent-fg:#fff;--danger:#a4141c}
@media (prefers-color-scheme:dark){:root{--bg:#15171b;--fg:#eceef1;--muted:#a9b0bc;--card:#1f2228;--line:#363a43;--accent:#6cb0f5;--accent-fg:#0b1320;--danger:#ff8a8f}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
main{max-width:42rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:1rem;margin:0 0 1rem}
.muted{color:var(--muted)}a{color:var(--accent)}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9rem}
pre{white-space:pre-wrap;word-break:break-all;background:var(--bg);border:1px solid var(--line);border-radius:.4rem;padding:.75rem;margin:.5rem 0}
.button,button{display:inline-block;min-height:2.75rem;padding:.6rem 1rem;border-radius:.4rem;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);font:inherit;font-weight:600;text-decoration:none;cursor:pointer}
.button.secondary,button.secondary{background:transparent;color:var(--accent)}
.button:focus-visible,button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
ul.plain{list-style:none;padding:0;margin:0}ul.plain li{margin:.5rem 0}.error{color:var(--danger)}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}select,input{font:inherit;min-height:2.75rem;padding:.4rem;border-radius:.4rem;border:1px solid var(--line);background:var(--card);color:var(--fg)}
fieldset{border:0;padding:0;margin:0 0 1rem}legend{font-weight:600;margin-bottom:.25rem}
label.role{display:flex;gap:.75rem;align-items:flex-start;font-weight:normal;padding:.6rem;border:1px solid var(--line);border-radius:.4rem;cursor:pointer}
label.role input{margin-top:.3rem;width:1.1rem;height:1.1rem}label.role:has(input:checked){border-color:var(--accent)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
[hidden]{display:none!important}label.role span{overflow-wrap:anywhere;min-width:0}
.row{display:flex;gap:.5rem}.row input{flex:1;min-width:0}#q-hint{margin:0 0 .25rem}
fieldset.account{margin:0 0 1rem}fieldset.account legend{font-weight:600;margin:.25rem 0}fieldset.account legend .muted{font-weight:normal;overflow-wrap:anywhere}`;

export interface PageOptions {
  /** Origins a form on this page may end up at after redirects (CSP form-action), besides 'self'. */
  readonly formTargets?: readonly string[];
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
}

/** Static scripts a page may carry (never built from input), allowed by the same per-response nonce. */
export const SCRIPTS = {
  copy: `for(const b of document.querySelectorAll('button.copy')){b.hidden=false;b.addEventListener('click',async()=>{const t=document.getElementById(b.dataset.copy);if(!t)return;try{await navigator.clipboard.writeText(t.textContent||'');b.textContent='Copied';}catch{b.textContent='Copy failed';}setTimeout(()=>{b.textContent='Copy';},1500);});}`,
  // The role picker's filter, instant: the same matching as the server's (every term a substring of data-q).
  filter: `const f=document.getElementById('role-filter'),q=document.getElementById('q'),count=document.getElementById('role-count'),none=document.getElementById('no-match');if(f&&q&&count&&none){const items=[...document.querySelectorAll('li[data-q]')],groups=[...document.querySelectorAll('fieldset.account')],total=items.length,tail=count.textContent.replace(/^\\d+ of \\d+ roles/,'');f.hidden=false;const b=f.querySelector('button');if(b)b.hidden=true;const apply=()=>{const terms=q.value.toLowerCase().split(/\\s+/).filter(Boolean);let shown=0;for(const li of items){const ok=terms.every((t)=>li.dataset.q.includes(t));li.hidden=!ok;if(ok)shown++;else{const r=li.querySelector('input');if(r&&r.checked)r.checked=false;}}for(const g of groups)g.hidden=!g.querySelector('li[data-q]:not([hidden])');count.textContent=shown+' of '+total+' roles'+tail;none.hidden=shown>0;for(const a of none.querySelectorAll('a'))a.hidden=true;};q.addEventListener('input',apply);f.addEventListener('submit',(e)=>{e.preventDefault();apply();});}`,
} as const;

/** A complete page: its stylesheet (and optional static script) allowed by a per-response nonce; no inline handlers. */
export const page = (title: string, body: SafeHtml, options: PageOptions & { nonce?: string; script?: keyof typeof SCRIPTS } = {}): HttpResult => {
  const nonce = options.nonce ?? cryptoNonce();
  const script = options.script ? `<script nonce="${nonce}">${SCRIPTS[options.script]}</script>` : '';
  const document = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · federation-broker</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body.html}</main>${script}</body></html>`;
  const result = text(options.status ?? 200, document, 'text/html; charset=utf-8', {
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; ${options.script ? `script-src 'nonce-${nonce}'; ` : ''}img-src 'self' data:; form-action 'self'${(options.formTargets ?? []).map((o) => ` ${o}`).join('')}; frame-ancestors 'none'; base-uri 'none'`,
    ...options.headers,
  });
  return options.cookies && options.cookies.length > 0 ? { ...result, cookies: options.cookies } : result;
};

const cryptoNonce = (): string => globalThis.crypto.randomUUID().replaceAll('-', '');
