/**
 * A small HTTP client for tests and the benchmark: keeps the session cookie, signs in through /trial/login and sends
 * the session's CSRF token on every unsafe request, as a browser page does.
 */
export interface Reply {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
  readonly headers: Headers;
}

export class TrialClient {
  cookie = '';
  csrf = '';
  constructor(readonly baseUrl: string) {}

  private remember(headers: Headers): void {
    for (const set of headers.getSetCookie()) {
      const [pair] = set.split(';');
      if (pair === undefined) continue;
      const name = pair.slice(0, pair.indexOf('='));
      const kept = this.cookie.split('; ').filter((c) => c.length > 0 && !c.startsWith(`${name}=`));
      if (!/=\s*$/.test(pair) && !/expires=Thu, 01 Jan 1970/i.test(set)) kept.push(pair);
      this.cookie = kept.join('; ');
    }
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: boolean; contentType?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (this.cookie.length > 0) headers.cookie = this.cookie;
    if (options.csrf !== false && method !== 'GET' && this.csrf.length > 0) headers['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      payload =
        headers['content-type'] === 'application/x-www-form-urlencoded'
          ? new URLSearchParams(body as Record<string, string>).toString()
          : JSON.stringify(body);
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body: payload, redirect: 'manual' });
    this.remember(response.headers);
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json, headers: response.headers };
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown = {}, options: { csrf?: boolean } = {}): Promise<Reply> {
    return this.request('POST', path, body, options);
  }

  async login(username: string, password: string): Promise<Reply> {
    const reply = await this.post('/trial/login', { username, password });
    if (reply.status === 200) this.csrf = (reply.json as { csrfToken: string }).csrfToken;
    return reply;
  }
}
