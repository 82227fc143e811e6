/**
 * A local stand-in for a model hub: serves public/models/<id>/<file> at
 * /<id>/resolve/main/<file>, the Hugging Face URL layout, on its own origin (so the page needs
 * CORS and CORP from it, as from the real hub). `corrupt-<id>` serves <id> with every .onnx file
 * cut to half its length, for the corrupt-file tests; `foreignvocab-<id>` serves <id> with two
 * vocabulary entries swapped, a tokenizer that looks the same but is not.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';

const MODELS = join(process.cwd(), 'public/models');

export interface HubServer {
  host: string;
  requests: string[];
  close(): Promise<void>;
}

export async function startHub(): Promise<HubServer> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push(req.url ?? '');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    const m = /^\/([^/]+)\/resolve\/main\/(.+)$/.exec((req.url ?? '').split('?')[0]);
    if (!m) return void res.writeHead(404).end();
    const corrupt = m[1].startsWith('corrupt-');
    const foreign = m[1].startsWith('foreignvocab-');
    const id = m[1].replace(/^(corrupt|foreignvocab)-/, '');
    const path = normalize(join(MODELS, id, decodeURIComponent(m[2])));
    if (!path.startsWith(MODELS)) return void res.writeHead(403).end();
    try {
      let body = await readFile(path);
      if (corrupt && path.endsWith('.onnx')) body = body.subarray(0, body.length >> 1);
      if (foreign && path.endsWith('tokenizer.json')) body = Buffer.from(JSON.stringify(swapTwoTokens(JSON.parse(body.toString('utf8')))));
      res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('hub has no address');
  return {
    host: `http://127.0.0.1:${addr.port}/`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function swapTwoTokens(tok: { model: { vocab: Record<string, number> } }): unknown {
  const entries = Object.entries(tok.model.vocab);
  const [a, b] = [entries[300], entries[301]];
  tok.model.vocab[a[0]] = b[1];
  tok.model.vocab[b[0]] = a[1];
  return tok;
}
