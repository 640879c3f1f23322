/**
 * V8 flags for the `claude-pool` process, set before any other module runs (cli.ts imports this
 * first). `--liftoff-only`: PGlite (the default database) is Postgres compiled to a 9 MB WebAssembly
 * module inside this process. V8 compiles its functions lazily with Liftoff, then re-compiles the
 * hot ones with TurboFan on background threads; those compiles leave ~55 MB of malloc arenas
 * resident (idle engine 250 → 195 MB RSS) and cost ~0.7 CPU-s at start-up, for queries that are
 * small and spend most of their time in JS, not in Postgres (bench rows 10 and 11, FINDINGS.md).
 * JavaScript still gets TurboFan; only WebAssembly stays on the baseline compiler. On Postgres
 * (`--database-url`) no WebAssembly is loaded and the flag changes nothing. An application that
 * embeds the engine through the package's exports keeps its own V8 settings.
 */
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--liftoff-only");
