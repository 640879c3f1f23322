// Moved to domain/money.ts; kept so modules not yet updated keep compiling.
export * from "./domain/money.js";
