// Moved to domain/errors.ts; kept so modules not yet updated keep compiling.
export * from "./domain/errors.js";
