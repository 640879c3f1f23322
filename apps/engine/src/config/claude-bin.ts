import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { StartupError } from "../cli/usage-error.js";

export interface ClaudeBinary {
  /** Absolute path of the executable slots run. */
  path: string;
  kind: "configured" | "path" | "workspace" | "sim";
  /** One line for the operator, e.g. that claude-sim stands in for the real CLI. */
  notice?: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with the resolved binary now (it can be removed or lose its x bit after start-up),
 * or null: `/healthz` reports it, since every task a slot starts without it fails.
 */
export function claudeBinaryProblem(path: string): string | null {
  if (isExecutableFile(path)) return null;
  const why = !existsSync(path)
    ? "does not exist"
    : statSync(path).isFile()
      ? "is not executable"
      : "is not a file";
  return `claude: the Claude CLI at ${path} ${why}; tasks fail until it is back`;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The `claude` this repository's `pnpm install` put in packages/pool-core/node_modules/.bin (a
 * devDependency for the real-CLI tests). Found only when the user asked for `claude` by name: a
 * default start without credentials should get claude-sim, not a CLI that fails every task.
 */
function workspaceClaude(): string | undefined {
  const candidate = fileURLToPath(
    new URL("../../../../packages/pool-core/node_modules/.bin/claude", import.meta.url),
  );
  return isExecutableFile(candidate) ? candidate : undefined;
}

/** claude-sim's built executable, found through the package's resolved entry (no TypeScript loaded). */
export function claudeSimPath(): string {
  const entry = import.meta.resolve("@claude-pool/claude-sim");
  return fileURLToPath(new URL("../dist/cli.js", entry));
}

const INSTALL_HINT =
  "install the real CLI with `npm i -g @anthropic-ai/claude-code`, or point --claude-bin / CLAUDE_POOL_BIN at an executable (unset it to use claude-sim)";

/**
 * Which Claude CLI the slots run: the configured one (a path, or a name looked up on PATH), else
 * `claude` on PATH, else claude-sim with a notice. A configured binary that cannot be found is a
 * two-line StartupError: what was looked for, and how to install or point at one.
 */
export function resolveClaudeBinary(
  configured: string | undefined,
  source: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): ClaudeBinary {
  if (configured !== undefined) {
    if (configured.includes("/")) {
      const path = resolve(cwd, configured);
      if (isExecutableFile(path)) return { path, kind: "configured" };
      const why = !existsSync(path)
        ? "does not exist"
        : statSync(path).isFile()
          ? "is not executable"
          : "is not a file";
      throw new StartupError(`${source ?? "--claude-bin"}=${configured}: ${path} ${why}.\n${INSTALL_HINT}.`);
    }
    const found = onPath(configured, env) ?? (configured === "claude" ? workspaceClaude() : undefined);
    if (found) {
      const kind = found === onPath(configured, env) ? "configured" : "workspace";
      return {
        path: found,
        kind,
        ...(kind === "workspace" ? { notice: `using the workspace's Claude CLI at ${found}` } : {}),
      };
    }
    throw new StartupError(
      `${source ?? "--claude-bin"}=${configured}: no "${configured}" on PATH.\n${INSTALL_HINT}.`,
    );
  }
  const claude = onPath("claude", env);
  if (claude) return { path: claude, kind: "path" };
  const sim = claudeSimPath();
  if (!isExecutableFile(sim)) {
    throw new StartupError(
      `no \`claude\` on PATH, and claude-sim is not built at ${sim}.\n` +
        "run `pnpm --filter @claude-pool/claude-sim build`, or install the real CLI with `npm i -g @anthropic-ai/claude-code`.",
    );
  }
  return {
    path: sim,
    kind: "sim",
    notice: "no `claude` on PATH: slots run claude-sim, a simulator (set CLAUDE_POOL_BIN to use a real CLI)",
  };
}
