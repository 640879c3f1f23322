import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simBinPath } from "@claude-pool/claude-sim";
import * as core from "@claude-pool/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as db from "../src/index.js";

/**
 * Every library snippet of the root README ("Library quick start" up to "More"), run as written
 * against claude-sim, in README order: a snippet that uses `pool` gets the one the snippet before
 * it made, as a reader following along would. Lives in db because the Persistence snippet imports
 * both packages. A README edit that breaks a snippet (an undefined name, an option the schema
 * refuses, a role no slot has) fails here.
 *
 * Each snippet is written to a module in a temp dir inside this package (so Vitest compiles its
 * TypeScript), with its `import` lines turned into reads of the real packages, and its free names
 * (`otherId`, `repo`) given values.
 */
const README = path.resolve(import.meta.dirname, "../../../README.md");

interface Snippet {
  heading: string;
  code: string;
}

function librarySnippets(markdown: string): Snippet[] {
  const start = markdown.indexOf("## Library quick start");
  const end = markdown.indexOf("\n## More");
  const section = markdown.slice(start, end);
  const snippets: Snippet[] = [];
  let heading = "Library quick start";
  const blocks = section.matchAll(/^(#{2,3} .+)$|^```ts\n([\s\S]*?)^```$/gm);
  for (const m of blocks) {
    if (m[1]) heading = m[1].replace(/^#+ /, "");
    else if (m[2] !== undefined) snippets.push({ heading, code: m[2] });
  }
  return snippets;
}

/** `import { A, B } from "@claude-pool/core";` → `const { A, B } = __scope.modules["@claude-pool/core"];` */
function withoutImports(code: string): string {
  return code.replace(
    /^import \{([^}]*)\} from "([^"]+)";$/gm,
    (_all, names: string, from: string) => `const {${names}} = __scope.modules[${JSON.stringify(from)}];`,
  );
}

interface Scope {
  modules: Record<string, unknown>;
  console: { log: (...parts: unknown[]) => void };
  pool: core.Pool | undefined;
  database: db.Database | undefined;
  otherId: string | undefined;
  repo: string;
  /** What the names the snippets assert on held at their end (undefined where not declared). */
  values: Kept;
}

/** The names the checks read, as the snippets declare them. */
interface Kept {
  result?: core.TaskResult;
  res?: core.TaskResult;
  results?: PromiseSettledResult<core.TaskResult>[];
  progress?: core.ChainProgress;
  status?: core.PoolStatus;
  summary?: core.DrainSummary;
}

const work = mkdtempSync(path.join(tmpdir(), "readme-library-"));
const moduleDir = mkdtempSync(path.join(import.meta.dirname, ".readme-snippets-"));
const created: core.Pool[] = [];
const logged: Array<{ heading: string; line: string }> = [];
const saved = { cwd: process.cwd(), env: { ...process.env } };

/** `Pool` as the snippets see it: the real class, with every pool it creates remembered for teardown. */
const TrackedPool = new Proxy(core.Pool, {
  get(target, key, receiver) {
    if (key !== "create") return Reflect.get(target, key, receiver);
    return async (...args: Parameters<typeof core.Pool.create>) => {
      const pool = await target.create(...args);
      created.push(pool);
      return pool;
    };
  },
});

function gitRepo(): string {
  const repo = path.join(work, "repo");
  mkdirSync(repo);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init");
  writeFileSync(path.join(repo, "README.md"), "hi\n");
  git("add", "README.md");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "readme");
  return repo;
}

beforeAll(() => {
  // `claude` on PATH is claude-sim, so `bin: "claude"` and the default bin find it and nothing is spent.
  const bin = path.join(work, "bin");
  mkdirSync(bin);
  symlinkSync(simBinPath, path.join(bin, "claude"));
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
  process.env.CLAUDE_SIM_HOME = path.join(work, "sim-home");
  process.env.CLAUDE_POOL_DATA_DIR = path.join(work, "data");
  process.env.DATABASE_URL = "";
  // `cwd: process.cwd()` and the default cwd: a scratch directory, not this package.
  const cwd = path.join(work, "cwd");
  mkdirSync(cwd);
  process.chdir(cwd);
});

afterAll(async () => {
  await Promise.all(created.map((p) => p.shutdown().catch(() => undefined)));
  await scope.database?.close();
  process.chdir(saved.cwd);
  process.env = saved.env;
  rmSync(moduleDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const scope: Scope = {
  modules: { "@claude-pool/core": { ...core, Pool: TrackedPool }, "@claude-pool/db": db },
  console: { log: () => undefined },
  pool: undefined,
  database: undefined,
  otherId: undefined,
  repo: "",
  values: {},
};

/** Names whose values a snippet leaves for the checks below. */
const KEPT: Array<keyof Kept> = ["result", "res", "results", "progress", "status", "summary"];

/**
 * The snippet runs in an inner block, so its own `const pool` shadows the one it was given; what
 * `pool` and `database` are at its end carries over to the next snippet.
 */
function moduleSource(code: string): string {
  return [
    "export default async function (__scope: any) {",
    '  const { Pool } = __scope.modules["@claude-pool/core"];',
    "  const console = __scope.console;",
    "  let pool = __scope.pool;",
    "  let database = __scope.database;",
    "  const otherId = __scope.otherId;",
    "  const repo = __scope.repo;",
    "  {",
    withoutImports(code),
    `    __scope.values = { ${KEPT.map((n) => `${n}: typeof ${n} === "undefined" ? undefined : ${n}`).join(", ")} };`,
    "    __scope.pool = pool;",
    "    __scope.database = database;",
    "  }",
    "}",
  ].join("\n");
}

const snippets = librarySnippets(readFileSync(README, "utf8"));

describe("the README's library snippets, on claude-sim", () => {
  it("finds the snippets of every library section", () => {
    expect(snippets.map((s) => s.heading)).toEqual([
      "Library quick start",
      "Configuration: pool, slot and task (task wins over slot over pool)",
      "Submit now, collect later",
      "Fan-out: every prompt settles, one failure keeps the others",
      "Budget",
      "Slot identity and shared context",
      "Worktrees",
      "Chains, skills, workflows, review",
      "Persistence: Postgres, or embedded PGlite with no server",
      "Status, events, drain",
      "Errors",
    ]);
  });

  it.each(snippets.map((s, i) => [s.heading, i] as const))("%s", async (heading, i) => {
    const snippet = snippets[i] as Snippet;
    if (heading === "Worktrees") scope.repo = gitRepo();
    // `otherId` is some other task of the same pool.
    if (snippet.code.includes("otherId") && scope.pool)
      scope.otherId = await scope.pool.submit("another task", { priority: -1 });
    scope.console = { log: (...parts) => logged.push({ heading, line: parts.map(String).join(" ") }) };
    const file = path.join(moduleDir, `snippet-${i}.ts`);
    writeFileSync(file, moduleSource(snippet.code));
    const run = (await import(file)) as { default: (s: Scope) => Promise<void> };
    await run.default(scope);
    const lines = logged.filter((l) => l.heading === heading).map((l) => l.line);
    // Whatever a snippet prints is an answer, never an error's message.
    for (const line of lines) expect(line).not.toMatch(/Error|failed|undefined/);
    await checkOutcome(heading, lines);
  });
});

/** The names of a module's exported error classes. */
function errorClasses(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, v]) => typeof v === "function" && v.prototype instanceof Error)
    .map(([name]) => name);
}

describe("the READMEs' error lists", () => {
  it("name every error class pool-core exports (root README, Errors) and db exports (db README)", () => {
    const readme = readFileSync(README, "utf8");
    const errors = readme.slice(readme.indexOf("### Errors"), readme.indexOf("\n## More"));
    const missing = errorClasses(core).filter((name) => !errors.includes(`\`${name}\``));
    expect(missing).toEqual([]);
    const dbReadme = readFileSync(path.resolve(import.meta.dirname, "../README.md"), "utf8");
    expect(errorClasses(db).filter((name) => !dbReadme.includes(`\`${name}\``))).toEqual([]);
  });
});

/** What each snippet promises a reader, beyond running: the answers it shows are there. */
async function checkOutcome(heading: string, lines: string[]): Promise<void> {
  const v = scope.values;
  if (heading === "Library quick start") {
    expect(lines).toHaveLength(1);
    expect(v.result?.output).toMatch(/./);
  }
  if (heading === "Submit now, collect later") expect(v.res?.output).toMatch(/./);
  if (heading.startsWith("Fan-out")) {
    expect(lines).toHaveLength(3);
    expect(v.results?.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    // The prompt for the reviewer role ran on the one slot that has it.
    const reviewer = (await scope.pool?.status())?.slots.find((s) => s.role === "reviewer");
    const third = v.results?.[2];
    expect(third?.status === "fulfilled" && third.value.slotId).toBe(reviewer?.id);
  }
  if (heading.startsWith("Chains")) {
    expect(v.progress?.status).toBe("completed");
    expect(v.progress?.steps).toHaveLength(3);
  }
  if (heading.startsWith("Status")) {
    expect(typeof v.status?.pendingTasks).toBe("number");
    expect(v.summary?.errorCount).toBe(0);
  }
}
