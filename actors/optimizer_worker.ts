/**
 * Web Worker bootstrap of the optimizer actor (`optimizer_actor.ts`).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { createOptimizerActor } from "./optimizer_actor.ts";

const handle = createOptimizerActor();
self.onmessage = (event: MessageEvent<unknown>) => {
  self.postMessage(handle(event.data));
};
