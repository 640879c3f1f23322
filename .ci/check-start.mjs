// The README's start command on this clone: `pnpm start` (build, then the engine on embedded PGlite
// with claude-sim and the dashboard), wait for /healthz, SIGTERM the engine's node process (not
// pnpm: pnpm dies by the signal), and require exit 0 with no process of the tree left running.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dataDir = mkdtempSync(join(tmpdir(), "cp-start-check-"));
const port = 4700 + Math.floor(Math.random() * 200);
const env = { ...process.env, PORT: String(port), WEB_PORT: String(port + 1), CLAUDE_POOL_DATA_DIR: dataDir };
for (const key of ["DATABASE_URL", "CLAUDE_POOL_BIN"]) delete env[key];

function children() {
  const map = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      map.set(ppid, [...(map.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  return map;
}
function descendants(pid) {
  const map = children();
  const out = [];
  const walk = (p) => {
    for (const c of map.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}
const cmdline = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
};
// A zombie (state Z) has ended; it only waits for its parent to reap it.
const alive = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};
function fail(message) {
  console.error(`check-start: ${message}`);
  process.exit(1);
}

const pnpm = spawn("pnpm", ["start"], { env, stdio: ["ignore", "pipe", "inherit"] });
let out = "";
pnpm.stdout.on("data", (d) => {
  out += d;
  process.stdout.write(d);
});
const exited = new Promise((resolve) => pnpm.once("exit", (code, signal) => resolve(signal ?? code)));
const deadline = Date.now() + 15 * 60_000;
let healthy = false;
while (!healthy && Date.now() < deadline) {
  if (pnpm.exitCode !== null) fail(`pnpm start exited (${pnpm.exitCode}) before /healthz answered`);
  healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (!healthy) await new Promise((r) => setTimeout(r, 500));
}
if (!healthy) fail("/healthz did not answer 200 within 15 minutes");
for (const expected of [`http://127.0.0.1:${port}`, "create the first account", "  claude     "]) {
  const until = Date.now() + 30_000;
  while (!out.includes(expected) && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  if (!out.includes(expected)) fail(`pnpm start did not print "${expected}"`);
}
const tree = descendants(pnpm.pid);
// The node process itself (argv: node …/dist/cli.js start), not the shell pnpm runs it in.
const engine = tree.find((pid) => {
  const argv = cmdline(pid).trim().split(" ");
  return /(^|\/)node$/.test(argv[0] ?? "") && argv[1]?.endsWith("dist/cli.js") && argv[2] === "start";
});
if (!engine) fail("no engine node process under pnpm start");
process.kill(engine, "SIGTERM");
const how = await exited;
if (how !== 0) fail(`pnpm start ended with ${how} after SIGTERM to the engine (the engine must exit 0)`);
await new Promise((r) => setTimeout(r, 500));
const left = tree.filter(alive).map((pid) => `${pid} ${cmdline(pid)}`);
rmSync(dataDir, { recursive: true, force: true });
if (left.length > 0) fail(`left running:\n${left.join("\n")}`);
console.log(
  `check-start: pnpm start served /healthz, stopped on SIGTERM with exit 0, ${tree.length} processes all gone`,
);
