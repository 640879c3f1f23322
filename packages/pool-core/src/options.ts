// Moved to domain/options.ts; kept so modules not yet updated keep compiling.
export * from "./domain/options.js";
