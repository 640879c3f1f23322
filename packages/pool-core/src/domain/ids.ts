import { uuidv7 } from "uuidv7";

/** Random, time-sortable ids (UUID v7). Never derived from a timestamp alone. */
export function newId(): string {
  return uuidv7();
}
