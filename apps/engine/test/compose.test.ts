import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commands } from "../src/cli/commands.js";
import { ENGINE_DIR, REPO_ROOT } from "./helpers/mcp-client.js";

/**
 * Docker does not run here, so the compose file and the Dockerfiles are checked by reading: they
 * parse, each service's command is a file of this repository (at the path the image puts it)
 * that a test also runs, images start `node` directly, and the engine image carries the real CLI.
 */
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  working_dir?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const compose = parse(readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8")) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** The images copy each app to /app/<its path in the repo>: a container path maps back to the repo. */
function repoPathOf(workingDir: string | undefined, file: string): string {
  const dir = (workingDir ?? "/app").replace(/^\/app\/?/, "");
  return path.join(REPO_ROOT, dir, file);
}

function dockerfile(app: string): { text: string; cmd: string[] } {
  const text = readFileSync(path.join(REPO_ROOT, "apps", app, "Dockerfile"), "utf8");
  const cmdLine = text.split("\n").findLast((l) => l.startsWith("CMD "));
  if (!cmdLine) throw new Error(`apps/${app}/Dockerfile has no CMD`);
  return { text, cmd: JSON.parse(cmdLine.slice(4)) as string[] };
}

describe("docker-compose.yml and the Dockerfiles", () => {
  it("has postgres with a named volume and a health check", () => {
    const pg = service("postgres");
    expect(pg.image).toMatch(/^postgres:\d+/);
    const volume = pg.volumes?.[0]?.split(":")[0] ?? "";
    expect(Object.keys(compose.volumes)).toContain(volume);
    expect(pg.healthcheck?.test.join(" ")).toContain("pg_isready");
  });

  it("runs the engine on postgres, with Claude credentials and a /healthz check", () => {
    const engine = service("engine");
    expect(engine.depends_on?.postgres?.condition).toBe("service_healthy");
    expect(engine.environment?.DATABASE_URL).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(Object.keys(engine.environment ?? {})).toEqual(
      expect.arrayContaining(["ANTHROPIC_API_KEY", "CLAUDE_CONFIG_DIR"]),
    );
    expect(engine.volumes?.some((v) => v.endsWith(":/claude-config"))).toBe(true);
    expect(engine.healthcheck?.test.join(" ")).toContain("/healthz");
    expect(engine.build?.dockerfile).toBe("apps/engine/Dockerfile");
  });

  it("starts the engine with the built claude-pool binary's serve command, which the engine tests run too", () => {
    const [node, script, sub] = service("engine").command ?? [];
    expect(node).toBe("node");
    const file = repoPathOf(service("engine").working_dir, String(script));
    expect(existsSync(file), file).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(ENGINE_DIR, "package.json"), "utf8")) as {
      bin: Record<string, string>;
    };
    expect(path.join(ENGINE_DIR, pkg.bin["claude-pool"] ?? "")).toBe(file);
    expect(Object.keys(commands)).toContain(String(sub));
    // The same binary and subcommand the engine tests start (test/helpers/engine-process.ts).
    const helper = readFileSync(path.join(ENGINE_DIR, "test/helpers/engine-process.ts"), "utf8");
    expect(helper).toContain('new URL("../../dist/cli.js"');
    expect(helper).toMatch(/\[CLI, "serve"/);
    // The compose file's own instructions use `admin create`, a command of the same binary.
    expect(readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8")).toContain(
      "apps/engine/dist/cli.js admin create",
    );
    expect(Object.keys(commands)).toContain("admin");
  });

  it("starts the dashboard with next start, as its end-to-end tests do", () => {
    const web = service("web");
    const [node, script, sub] = web.command ?? [];
    expect(node).toBe("node");
    expect(existsSync(repoPathOf(web.working_dir, String(script)))).toBe(true);
    expect(sub).toBe("start");
    const servers = readFileSync(path.join(REPO_ROOT, "apps/web/test/e2e/servers.ts"), "utf8");
    expect(servers).toContain(String(script));
    expect(servers).toMatch(/NEXT_BIN, "start"/);
    expect(web.environment?.ENGINE_URL).toBe("http://engine:4680");
  });

  it("builds multi-stage images that start node directly; the engine's carries the real Claude CLI", () => {
    for (const app of ["engine", "web"]) {
      const { text, cmd } = dockerfile(app);
      expect(text.match(/^FROM /gm)?.length, app).toBeGreaterThanOrEqual(2);
      expect(cmd[0], app).toBe("node");
      expect(cmd.join(" "), app).not.toMatch(/\bpnpm\b/);
      expect(cmd, app).toEqual(service(app).command);
    }
    const engine = dockerfile("engine").text;
    const tested = JSON.parse(
      readFileSync(path.join(REPO_ROOT, "packages/pool-core/package.json"), "utf8"),
    ) as {
      devDependencies: Record<string, string>;
    };
    expect(engine).toContain(
      `npm install -g @anthropic-ai/claude-code@${tested.devDependencies["@anthropic-ai/claude-code"]}`,
    );
    expect(engine).toMatch(/ENTRYPOINT \["tini", "--"\]/);
  });
});
