/** The admin API answered, with an error status: unlike a network failure, a real answer. */
export class AdminCallError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Calls an admin API with its bearer token; a deadline bounds every call. */
export async function callAdmin<T>(options: {
  host: string;
  port: number;
  token: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: unknown;
  timeoutMs?: number;
}): Promise<T> {
  const response = await fetch(`http://${options.host}:${options.port}${options.path}`, {
    method: options.method ?? 'GET',
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 2_000),
  });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : {};
  if (!response.ok) {
    const message = (parsed as { error?: string }).error ?? response.statusText;
    throw new AdminCallError(response.status, `${options.method ?? 'GET'} ${options.path} on ${options.host}:${options.port}: ${response.status} ${message}`);
  }
  return parsed as T;
}
