/**
 * A container's life as a state machine: every change of `State` goes through `transition`,
 * which refuses a move the lifecycle does not have. The service checks what users may ask
 * (start of a running container is 304, kill of a stopped one 409) before it gets here; a move
 * refused here means two paths raced, and it fails loudly instead of corrupting the record.
 *
 *   created ──start──▶ running ──exit──▶ exited ──start──▶ running
 *                                        exited ──policy──▶ restarting ──start──▶ running
 *                                                           restarting ──cancel──▶ exited
 *   A failed start leaves the status as it was, with the error recorded (created → created, …).
 */
import { ConflictError } from "../errors.ts";
import type { ContainerRecord, ContainerState, ContainerStatus } from "./record.ts";

const MOVES: Record<ContainerStatus, readonly ContainerStatus[]> = {
  created: ["created", "running"],
  running: ["exited"],
  exited: ["exited", "running", "restarting"],
  restarting: ["restarting", "running", "exited"],
};

export class IllegalTransitionError extends ConflictError {
  override name = "IllegalTransitionError";
}

/** Moves the record to `to`, setting `fields` of its state with it. */
export function transition(record: ContainerRecord, to: ContainerStatus, fields: Partial<Omit<ContainerState, "Status">> = {}): void {
  const from = record.State.Status;
  if (!MOVES[from].includes(to)) throw new IllegalTransitionError(`container ${record.Id} cannot go from ${from} to ${to}`);
  record.State = { ...record.State, ...fields, Status: to };
}
