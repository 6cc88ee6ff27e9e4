// JSON-RPC 2.0 message shapes as MCP uses them, told apart without trusting anything else in the message.

export type JsonRpcId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is JsonRpcId => typeof v === "string" || (typeof v === "number" && Number.isFinite(v));

export function isRequest(m: unknown): m is JsonRpcRequest {
  return isObject(m) && typeof m.method === "string" && isId(m.id) && (m.params === undefined || isObject(m.params));
}

export function isNotification(m: unknown): m is JsonRpcNotification {
  return isObject(m) && typeof m.method === "string" && m.id === undefined && (m.params === undefined || isObject(m.params));
}

export function isResponse(m: unknown): m is JsonRpcResponse {
  return isObject(m) && m.method === undefined && (isId(m.id) || m.id === null) && ("result" in m || "error" in m);
}

/** A map key for an id: 1 and "1" are different ids. */
export const idKey = (id: JsonRpcId): string => `${typeof id}:${id}`;
