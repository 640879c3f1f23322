import { InvalidOptions } from "../domain/errors.js";
import { createColdDriver } from "../driver/cold.js";
import type { Driver, DriverKind } from "../driver/port.js";

/**
 * The pool's driver by kind. Until the driver package's own `createDriver(kind)` lands, the cold
 * driver is the one that exists.
 */
export function createPoolDriver(kind: DriverKind): Driver {
  if (kind !== "cold") {
    throw new InvalidOptions("options.claude.driver", kind, `"cold" (the ${kind} driver is not built yet)`);
  }
  return createColdDriver();
}
