import { createDriver } from "../driver/index.js";
import type { Driver, DriverKind } from "../driver/port.js";

/** The pool's driver, by the `claude.driver` option. */
export function createPoolDriver(kind: DriverKind): Driver {
  return createDriver(kind);
}
