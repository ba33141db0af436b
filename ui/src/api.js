// HTTP and server-sent-events client for the server's OpenAI-compatible API.
// Every failure becomes an ApiError with a message fit to show the user, so the
// page never stalls silently: HTTP errors, errors inside the stream, a stream that
// ends early, and a server that cannot be reached.

export class ApiError extends Error {
  constructor(message, { status = 0, type = '', code = '' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.code = code;
  }
}

function errorFromBody(body, status, statusText) {
  const e = body && typeof body === 'object' ? body.error : null;
  if (e && typeof e === 'object' && e.message) return new ApiError(String(e.message), { status, type: e.type || '', code: e.code || '' });
  if (typeof e === 'string' && e) return new ApiError(e, { status });
  return new ApiError(`Server answered ${status}${statusText ? ' ' + statusText : ''}`, { status });
}

// Set when the server runs with --api-key; the page itself is served without one.
let apiKey = '';
export function setApiKey(key) {
  apiKey = key || '';
}

function withAuth(headers) {
  return apiKey ? { ...headers, Authorization: `Bearer ${apiKey}` } : headers;
}

async function send(path, init) {
  try {
    return await fetch(path, init);
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the server (${err && err.message ? err.message : err}). Is fathom serve running?`);
  }
}

async function failure(res) {
  const text = await res.text().catch(() => '');
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // A proxy or a crash can answer with plain text; show that instead.
    if (text.trim()) return new ApiError(`${res.status}: ${text.trim().slice(0, 500)}`, { status: res.status });
  }
  return errorFromBody(body, res.status, res.statusText);
}

export async function getJSON(path, signal) {
  const res = await send(path, { signal, headers: withAuth({ Accept: 'application/json' }) });
  if (!res.ok) throw await failure(res);
  return res.json();
}

// Splits the byte stream into SSE events and yields each event's data field.
async function* sseData(body, signal) {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let buf = '';
  try {
    for (;;) {
      let chunk;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (signal && signal.aborted) throw err;
        throw new ApiError(`The connection broke while the reply was streaming (${err && err.message ? err.message : err}).`);
      }
      // stream: true keeps a multi-byte UTF-8 character split across chunks intact.
      buf += chunk.done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      // A CR at the very end may be the first half of CRLF: normalize it next round.
      const keep = !chunk.done && buf.endsWith('\r') ? 1 : 0;
      const ready = buf.slice(0, buf.length - keep).replace(/\r\n?/g, '\n');
      const tail = buf.slice(buf.length - keep);
      const events = ready.split('\n\n');
      buf = events.pop() + tail;
      for (const ev of events) {
        const data = [];
        for (const line of ev.split('\n')) {
          if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
        }
        if (data.length) yield data.join('\n');
      }
      if (chunk.done) {
        if (buf.trim()) {
          const line = buf.trim();
          if (line.startsWith('data:')) yield line.slice(5).trim();
        }
        return;
      }
    }
  } finally {
    reader.releaseLock();
  }
}

// POSTs a streaming chat completion and yields the parsed chunks until [DONE].
// Throws ApiError on any failure; an aborted request rethrows the AbortError.
export async function* streamChat(body, signal) {
  const res = await send('v1/chat/completions', {
    method: 'POST',
    signal,
    headers: withAuth({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  if (!res.body) throw new ApiError('The server sent no response body.');
  const type = res.headers.get('content-type') || '';
  if (!type.includes('text/event-stream')) {
    // A server that ignored stream: true still answered; surface it rather than stall.
    const text = await res.text();
    try {
      const obj = JSON.parse(text);
      if (obj && obj.error) throw errorFromBody(obj, res.status, res.statusText);
    } catch (err) {
      if (err instanceof ApiError) throw err;
    }
    throw new ApiError(`Expected a stream but the server sent ${type || 'no content type'}.`);
  }
  for await (const data of sseData(res.body, signal)) {
    if (data === '[DONE]') return;
    let obj;
    try {
      obj = JSON.parse(data);
    } catch {
      throw new ApiError(`The server sent an event that is not JSON: ${data.slice(0, 200)}`);
    }
    if (obj && obj.error) throw errorFromBody(obj, res.status);
    yield obj;
  }
  if (signal && signal.aborted) return;
  throw new ApiError('The connection closed before the reply was complete (no [DONE]).');
}
