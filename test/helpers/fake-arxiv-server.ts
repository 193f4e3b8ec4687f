/**
 * A fake arXiv API on 127.0.0.1 speaking Atom the way export.arxiv.org does: `id_list` lookups
 * (one entry per known id, an empty feed for an unknown one, HTTP 400 with an error entry for a
 * malformed one) and `ti:"..."` title searches. `mode` makes it fail like an arXiv outage: cut
 * connections, or answers slower than any reasonable timeout.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface CatalogueEntry {
  /** With version, e.g. 2406.17245v2 (the latest version of the paper). */
  id: string;
  title: string;
  summary: string;
  authors: string[];
  published: string;
}

export interface FakeArxiv {
  /** The query endpoint, for `ARXIV_API_URL`. */
  apiUrl: string;
  /** Every request's path and query, decoded. */
  requests: string[];
  /** `ok` answers; `reset` cuts each connection without an answer; `slow` answers after `slowMs`. */
  mode: 'ok' | 'reset' | 'slow';
  slowMs: number;
  close(): Promise<void>;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function entryXml(e: CatalogueEntry): string {
  // Titles and abstracts come wrapped over several lines, as arXiv sends them.
  const wrap = (s: string) => xml(s).replace(/(.{60,}?) /g, '$1\n  ');
  return `  <entry>
    <id>http://arxiv.org/abs/${e.id}</id>
    <updated>${e.published}</updated>
    <published>${e.published}</published>
    <title>${wrap(e.title)}</title>
    <summary>  ${wrap(e.summary)}\n</summary>
${e.authors.map((a) => `    <author>\n      <name>${xml(a)}</name>\n    </author>`).join('\n')}
    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages</arxiv:comment>
    <link href="http://arxiv.org/abs/${e.id}" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/${e.id}" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>`;
}

function feedXml(entries: string[], total = entries.length): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2024-06-01T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">1</opensearch:itemsPerPage>
${entries.join('\n')}
</feed>
`;
}

function errorFeed(id: string): string {
  return feedXml([
    `  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_${xml(id)}</id>
    <title>Error</title>
    <summary>incorrect id format for ${xml(id)}</summary>
    <updated>2024-06-01T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#incorrect_id_format_for_${xml(id)}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>`,
  ]);
}

export async function startFakeArxiv(catalogue: CatalogueEntry[]): Promise<FakeArxiv> {
  const fake = { requests: [] as string[], mode: 'ok' as FakeArxiv['mode'], slowMs: 5_000 };
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    fake.requests.push(decodeURIComponent(`${url.pathname}${url.search}`));
    if (fake.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    const answer = () => {
      const idList = url.searchParams.get('id_list');
      if (idList !== null) {
        const wanted = idList.split(',')[0].trim();
        if (!/^(\d{4}\.\d{4,5}|[a-z-]+\/\d{7})(v\d+)?$/.test(wanted)) {
          res.writeHead(400, { 'content-type': 'application/atom+xml' }).end(errorFeed(wanted));
          return;
        }
        const bare = wanted.replace(/v\d+$/, '');
        const found = catalogue.find((e) => e.id === wanted || e.id.replace(/v\d+$/, '') === bare);
        const entry = found && (wanted === bare ? found : { ...found, id: wanted });
        res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(feedXml(entry ? [entryXml(entry)] : [], entry ? 1 : 0));
        return;
      }
      const words = /ti:"([^"]*)"/.exec(url.searchParams.get('search_query') ?? '')?.[1].split(' ') ?? [];
      const found = catalogue.filter((e) => words.filter((w) => e.title.toLowerCase().includes(w)).length >= words.length * 0.6);
      res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(feedXml(found.map(entryXml)));
    };
    if (fake.mode === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer();
      }, fake.slowMs);
      timers.add(timer);
    } else answer();
  });
  const loopback = await listenOnLoopback(server, () => {
    for (const t of timers) clearTimeout(t);
  });
  return Object.assign(fake, { apiUrl: `${loopback.origin}/api/query`, close: loopback.close });
}
