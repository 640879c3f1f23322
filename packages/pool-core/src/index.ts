export * from "./errors.js";
export * from "./ids.js";
export * from "./money.js";
export * from "./store/index.js";
export * from "./types.js";
