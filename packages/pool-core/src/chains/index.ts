export * from "./fan-out.js";
export * from "./from-skill.js";
export * from "./output.js";
export * from "./plan.js";
export * from "./runner.js";
export * from "./schema.js";
export * from "./template.js";
