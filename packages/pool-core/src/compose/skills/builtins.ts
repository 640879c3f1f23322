import type { SkillInput } from "./schema.js";

/**
 * The skills every pool has. A global, project or runtime skill with the same name replaces one.
 * The prompts ask for evidence (file and line), a verifiable finish (tests run, commands shown)
 * and an honest account of what was not done: what a reviewer needs from an unattended run.
 */
export const BUILTIN_SKILLS: readonly SkillInput[] = [
  {
    name: "code_review",
    description: "Review code for bugs, security problems and maintainability; report findings by severity.",
    scope: "task",
    arguments: [
      { name: "path", description: "File, directory or diff range to review", required: true },
      {
        name: "focus",
        description: "What to weigh most (e.g. security, performance, API design)",
        default: "correctness",
      },
    ],
    config: { permissionMode: "plan" },
    prompt: `Review the code at {path}. Weigh {focus} most, but report anything a careful senior reviewer would block a merge for.

Read the code and whatever it calls before judging it; do not change any file.

Look for, in this order:
1. Bugs: wrong results, unhandled errors and edge cases (empty, null, concurrent, very large), resource leaks, race conditions.
2. Security: injection, unchecked input at trust boundaries, secrets in code, unsafe file or process handling.
3. Design: unclear names, duplicated logic, leaky abstractions, missing or misleading tests.

Report each finding as:
- **Severity** (blocker / major / minor / nit) — \`file:line\` — what is wrong, why it matters, and the concrete fix.

Quote the relevant line. Do not pad the report: if the code is sound, say so and list only what you would still change. End with a one-line verdict: approve, approve with changes, or request changes.`,
  },
  {
    name: "implement",
    description: "Implement a change end to end: read the code, make the change, add tests, verify.",
    scope: "task",
    arguments: [
      { name: "task", description: "What to build or change", required: true },
      { name: "path", description: "Where in the codebase to work", default: "the repository" },
    ],
    prompt: `Implement the following in {path}:

{task}

Work like this:
1. Read the surrounding code first and follow its conventions (naming, error handling, test style). Find how similar features are done and do it the same way.
2. Make the smallest complete change: no unrelated refactors, no placeholder code, no TODOs standing in for behaviour.
3. Add or update tests that would fail without your change.
4. Run the project's type checker, linter and tests; fix what you broke.

Finish with a short report: the files you changed and why, the commands you ran and their outcome, and anything you could not do or are unsure about.`,
  },
  {
    name: "write_tests",
    description: "Write tests for existing code that pin its behaviour, including edge cases.",
    scope: "task",
    arguments: [
      { name: "path", description: "The code to test", required: true },
      {
        name: "framework",
        description: "Test framework to use",
        default: "the one the project already uses",
      },
    ],
    prompt: `Write tests for {path} using {framework}.

1. Read the code and its callers to learn what it promises. Test behaviour a caller relies on, through the public interface, not private details.
2. Cover the normal path, the edges (empty input, boundaries, invalid input, errors from dependencies) and every branch that encodes a decision.
3. Mock only true edges (network, clock, process spawning); prefer real collaborators.
4. Name each test after the behaviour it checks. Keep each test independent and deterministic.
5. Run the tests. If one fails because the code is wrong, keep the test, mark the bug clearly in your report, and do not change the code under test.

Report the tests you added, what they cover, the command you ran and its result.`,
  },
  {
    name: "refactor",
    description: "Restructure code toward a goal without changing its behaviour.",
    scope: "task",
    arguments: [
      { name: "path", description: "The code to refactor", required: true },
      { name: "goal", description: "What the refactor should achieve", required: true },
    ],
    prompt: `Refactor {path} so that: {goal}

Behaviour must not change. Before editing, run the existing tests and note the result; if coverage of this code is thin, add characterization tests first so the refactor is checked.

Refactor in small steps, running the tests after each. Keep public interfaces stable unless the goal requires changing them, and then update every caller. Delete code that becomes dead; do not leave compatibility shims nobody needs.

Report what you changed structurally, the test results before and after, and any behaviour you found surprising but left as it was.`,
  },
  {
    name: "summarize",
    description: "Summarize a file, directory, change or text for a given reader.",
    scope: "task",
    arguments: [
      {
        name: "target",
        description: "What to summarize: a path, a git range, or the text itself",
        required: true,
      },
      { name: "audience", description: "Who will read the summary", default: "an engineer new to this code" },
    ],
    config: { permissionMode: "plan" },
    prompt: `Summarize the following for {audience}:

{target}

If it is a path or a git range, read it first. Lead with one or two sentences on what it is and why it exists. Then cover the main parts and how they fit together, the important decisions and constraints, and anything surprising or risky. Name files and symbols so the reader can find them.

Be concise: prefer a short list over prose, and leave out what the reader can see at a glance. Do not change any file.`,
  },
  {
    name: "debug",
    description: "Find the root cause of a bug from a symptom, fix it and add a regression test.",
    scope: "task",
    arguments: [
      {
        name: "symptom",
        description: "What goes wrong: error message, failing test, steps to reproduce",
        required: true,
      },
    ],
    prompt: `Find and fix the cause of this problem:

{symptom}

1. Reproduce it first (a failing test or a command). If you cannot reproduce it, say so and stop with what you learned.
2. Find the root cause, not the first place the symptom shows. Explain the chain from cause to symptom.
3. Fix the cause with the smallest correct change, and add a regression test that fails without the fix.
4. Run the related tests.

Report the root cause, the fix, the test, and whether similar code elsewhere has the same flaw.`,
  },
  {
    name: "plan_then_execute",
    description: "Plan a change without touching files, then carry out the plan in the same session.",
    scope: "chain",
    arguments: [{ name: "task", description: "What to accomplish", required: true }],
    prompt: "",
    steps: [
      {
        name: "plan",
        config: { permissionMode: "plan" },
        prompt: `Plan the following task. Do not change any file yet.

{task}

Read the relevant code first. Then write a numbered plan: each step names the files it touches, what changes, and how it will be verified. Call out risks, open questions and anything you would need to decide along the way. Keep it tight enough to execute step by step.`,
      },
      {
        name: "execute",
        prompt: `Carry out the plan you wrote in your previous message, step by step. Follow it; if the code proves a step wrong, adapt and say why. Verify each step as planned, then run the project's type checker and tests. Finish with a report: each plan step marked done, changed or skipped (with the reason), the commands you ran and their results.`,
      },
    ],
  },
];
