// Talking to the server: JSON requests, errors as {error, field}, and server-sent event streams.

export class ApiError extends Error {
  constructor(message, field = null, status = 0) {
    super(message);
    this.field = field;
    this.status = status;
  }
}

async function failure(res) {
  let body = null;
  try { body = await res.json(); } catch (_) { /* not JSON */ }
  const message = body && body.error ? body.error : `the server answered ${res.status} ${res.statusText}`;
  return new ApiError(message, body ? body.field : null, res.status);
}

/** GET (no body) or POST (a JSON body) to `path`; the parsed JSON, or an ApiError. */
export async function api(path, body, { signal } = {}) {
  const init = body === undefined ? { signal } : {
    method: "POST", signal, headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  };
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("the server cannot be reached (is gdlab serve still running?)");
  }
  if (!res.ok) throw await failure(res);
  return res.json();
}

/** POST `body` to a text/event-stream endpoint; calls on[event](data) for each event, in order. */
export async function stream(path, body, on, { signal } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method: "POST", signal, headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError("the server cannot be reached (is gdlab serve still running?)");
  }
  if (!res.ok) throw await failure(res);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message", data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      if (on[event]) on[event](JSON.parse(data));
    }
    if (done) break;
  }
}
