export * from "./memory.js";
export * from "./port.js";
