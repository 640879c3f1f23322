// Budget admission lives in budget/ (admission, estimate, stop); this path stays for the pool's imports.
export * from "./budget/index.js";
