/**
 * Web Worker bootstrap of the series actors (`series_actor.ts`).
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { createSeriesHost } from "./series_actor.ts";

const handle = createSeriesHost();
self.onmessage = (event: MessageEvent<unknown>) => {
  for (const reply of handle(event.data)) self.postMessage(reply);
};
