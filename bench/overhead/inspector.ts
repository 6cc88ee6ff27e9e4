// A minimal Chrome DevTools Protocol client over workerd's inspector WebSocket, for the CPU profiles of bench:*profile.

/** A V8 CPU profile as Profiler.stop returns it. */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export type Cdp = (method: string, params?: object) => Promise<unknown>;

/** Connects to the Worker's isolate (not Miniflare's own) on the inspector at `port`. */
export async function inspector(port: number): Promise<Cdp> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
    title?: string;
  }[];
  const target = list.find((t) => !t.title?.includes("miniflare")) ?? list[0];
  if (!target) throw new Error("the inspector lists no isolate");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 1;
  const waiting = new Map<number, (v: unknown) => void>();
  ws.onmessage = (ev) => {
    const msg = JSON.parse(String(ev.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result);
  };
  return (method, params = {}) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
}
