/**
 * The status page's routes on a gateway's HTTP port, all public: `GET /` the page,
 * `GET /v1/view` the view as JSON, `GET /v1/view/events` the view as server-sent events.
 * They need no token because they only read, and the view holds nothing secret (see
 * status-view.ts); the routes that change anything keep their token.
 */
import type { PublicHandler } from '../admin/http-server';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './page-html';
import type { ViewStream } from './view-stream';

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function statusPageRoutes(stream: ViewStream): Record<string, PublicHandler> {
  return {
    'GET /': async () => ({
      contentType: 'text/html; charset=utf-8',
      body: STATUS_PAGE_HTML,
      headers: { ...NO_STORE, 'content-security-policy': STATUS_PAGE_CSP, 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' },
    }),
    'GET /v1/view': async () => ({ contentType: 'application/json', body: JSON.stringify(await stream.view()), headers: NO_STORE }),
    'GET /v1/view/events': async (request, response) => {
      if (stream.attach(request, response)) return undefined;
      return {
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({ error: `${stream.listenerCount} pages are open on this gateway already; open the page on another gateway, or poll /v1/view` }),
        headers: { ...NO_STORE, 'retry-after': '10' },
      };
    },
  };
}
