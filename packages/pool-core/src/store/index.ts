export * from "./listeners.js";
export * from "./memory.js";
export * from "./port.js";
