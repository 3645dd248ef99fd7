/**
 * The Worker entry of the status thread (spawned by `startStatusThread`): it wires the worker
 * logic of `status_worker_logic.ts` to this Worker's `postMessage` and `onmessage`.
 *
 * @module
 */
import { createStatusWorker } from "./status_worker_logic.ts";
import type { WorkerToMain } from "./status_thread_messages.ts";

/** The part of the Worker global scope used here. */
interface WorkerScope {
  postMessage(message: WorkerToMain): void;
  onmessage: ((event: MessageEvent<unknown>) => void) | null;
}

const scope = globalThis as unknown as WorkerScope;
const handle = createStatusWorker({
  post: (message) => scope.postMessage(message),
});
scope.onmessage = (event) => void handle(event.data);
