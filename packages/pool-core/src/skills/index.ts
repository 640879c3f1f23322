export * from "./builtins.js";
export * from "./loader.js";
export * from "./registry.js";
export * from "./render.js";
export * from "./run.js";
export * from "./schema.js";
