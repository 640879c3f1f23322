// Moved to domain/types.ts; kept so modules not yet updated keep compiling.
export * from "./domain/types.js";
