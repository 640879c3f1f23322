export * from "./builtins.js";
export * from "./registry.js";
