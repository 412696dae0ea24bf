import http from 'node:http';

/** One keep-alive request; the answer's status and text (30 s without progress fails it). */
export function request(
  agent: http.Agent | undefined,
  url: URL,
  headers: Record<string, string | number>,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', agent, headers }, (res) => {
      const chunks: string[] = [];
      res.setEncoding('utf8');
      res.on('data', (c: string) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: chunks.join('') }));
      res.on('error', reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** One keep-alive POST of a JSON body with a bearer token; the answer's status and text. */
export function post(
  agent: http.Agent,
  url: URL,
  apiKey: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return request(
    agent,
    url,
    {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      authorization: `Bearer ${apiKey}`,
    },
    body,
  );
}
