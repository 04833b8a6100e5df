import { createHash } from 'node:crypto';

// Renders /openapi.json in the browser with no CDN and no network beyond this server: a small
// inline script, allowed by a CSP hash rather than 'unsafe-inline'.
const SCRIPT = `
(async () => {
  const root = document.getElementById('root');
  const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  let doc;
  try { doc = await (await fetch('/openapi.json')).json(); } catch (e) { root.append(el('p', 'Could not load /openapi.json: ' + e)); return; }
  document.title = doc.info.title + ' ' + doc.info.version;
  root.append(el('h1', doc.info.title + ' ' + doc.info.version), el('p', doc.info.description));
  const byTag = new Map();
  for (const [path, ops] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(ops)) {
    const tag = (op.tags || ['other'])[0]; if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push([method, path, op]);
  }
  const resolve = (s) => s && s.$ref ? doc.components.schemas[s.$ref.split('/').pop()] : s;
  for (const [tag, ops] of byTag) {
    root.append(el('h2', tag));
    for (const [method, path, op] of ops) {
      const d = el('details'); const s = el('summary');
      s.append(el('span', method.toUpperCase(), 'm ' + method), el('code', path), el('span', ' ' + op.summary));
      d.append(s);
      if (op.description) d.append(el('p', op.description));
      if (op.parameters) { d.append(el('h4', 'Parameters')); const ul = el('ul'); for (const p of op.parameters) ul.append(el('li', p.in + ' ' + p.name + (p.required ? ' (required)' : '') + ': ' + JSON.stringify(p.schema))); d.append(ul); }
      if (op.requestBody) { d.append(el('h4', 'Request body')); d.append(el('pre', JSON.stringify(resolve(op.requestBody.content['application/json'].schema), null, 2))); }
      for (const [status, r] of Object.entries(op.responses)) {
        d.append(el('h4', 'Response ' + status + ': ' + r.description));
        const c = r.content && Object.values(r.content)[0];
        if (c && c.schema) d.append(el('pre', JSON.stringify(resolve(c.schema), null, 2)));
      }
      root.append(d);
    }
  }
})();
`;

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
summary{cursor:pointer;padding:.3rem 0}code{margin:0 .5rem}pre{background:#f5f5f5;padding:.6rem;overflow:auto;font-size:13px}
.m{display:inline-block;min-width:4.2rem;font-weight:600}.get{color:#0a6}.post{color:#06c}.put,.patch{color:#a60}.delete{color:#c22}`;

/** The API reference page and the Content-Security-Policy that lets exactly its script run. */
export const DOCS_PAGE = {
  html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sendwarden API</title><style>${STYLE}</style></head><body><main id="root"></main><script>${SCRIPT}</script></body></html>`,
  csp: `default-src 'none'; connect-src 'self'; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
};
