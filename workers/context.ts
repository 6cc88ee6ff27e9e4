// The Hono environment shared by every app mounted in the Worker.
import type { CapabilityClaims } from "../src/tokens/claims";

export interface AppVariables {
  requestId: string;
  claims?: CapabilityClaims;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
