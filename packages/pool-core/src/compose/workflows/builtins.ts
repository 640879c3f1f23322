import type { WorkflowInput } from "./registry.js";

const VERIFY_RECOVERY = `The previous attempt failed:

{error}

Find out why, fix the cause (not the check), and run the checks again. Report what you fixed and the final results.`;

/** Workflows every pool offers: multi-step jobs in one session, each step building on the last. */
export const BUILTIN_WORKFLOWS: readonly WorkflowInput[] = [
  {
    name: "review_and_fix",
    description: "Review code, fix what the review found, then verify with the project's checks.",
    arguments: [
      { name: "path", description: "File or directory to review", required: true },
      {
        name: "focus",
        description: "What the review should weigh most",
        default: "correctness and security",
      },
    ],
    steps: [
      {
        name: "review",
        config: { permissionMode: "plan" },
        action: {
          type: "prompt",
          prompt: `Review the code at {path}, weighing {focus} most. Do not change any file yet.

Read the code and what it calls before judging it. Look for bugs (wrong results, unhandled errors and edge cases, leaks, races), security problems (injection, unchecked input at trust boundaries, secrets), and design problems a careful reviewer would block a merge for. For each finding give the file and line, the severity (blocker, major, minor or nit), what is wrong and the concrete fix.

End with a fenced JSON block: {"count": <number of blocker and major findings>, "issues": [{"file": "...", "line": 0, "severity": "...", "problem": "...", "fix": "..."}]}`,
        },
        outputVars: { issues: "issues", count: "count" },
        failurePolicy: {
          retries: 1,
        },
      },
      {
        name: "fix",
        action: {
          type: "prompt",
          prompt: `Fix the findings from your review of {path} ({steps.review.count} blocker or major):

{steps.review.issues}

Fix every blocker and major finding; fix minor ones when the fix is local and safe; leave nits. For each finding, make the smallest correct change and add a test when the finding is a bug. Do not change unrelated code. List each finding with what you did about it (fixed, or why not).`,
        },
      },
      {
        name: "verify",
        action: {
          type: "prompt",
          prompt:
            "Run the project's type checker, linter and tests. If anything fails because of your changes, fix it and run them again. Report the commands and their final results, and a summary of the changes made in this session.",
        },
        failurePolicy: { retries: 1, recoveryPrompt: VERIFY_RECOVERY },
      },
    ],
  },
  {
    name: "issue_to_pr",
    description:
      "Turn an issue into a reviewed branch in its own worktree: analyse, implement with tests, verify, commit and draft the PR.",
    arguments: [
      {
        name: "issue",
        description: "The issue: title, body, and any discussion that matters",
        required: true,
      },
      { name: "base", description: "Branch the PR will target", default: "main" },
    ],
    options: { isolation: "worktree", tags: ["issue_to_pr"] },
    steps: [
      {
        name: "analyze",
        config: { permissionMode: "plan" },
        action: {
          type: "prompt",
          prompt: `Here is an issue to resolve:

<issue>
{issue}
</issue>

Do not change any file yet. Read the code the issue concerns and work out: what the expected behaviour is, where the current behaviour comes from, and what change resolves it. If the issue is ambiguous, choose the most reasonable reading and say so.

Write a short plan: the files to change, the tests to add, and how you will verify. End with a fenced JSON block: {"summary": "<one line: what the change does>"}`,
        },
        outputVars: { summary: "summary" },
      },
      {
        name: "implement",
        action: {
          type: "prompt",
          prompt:
            "Implement your plan. Follow the code's existing conventions, keep the change focused on the issue, and add tests that fail without it. Report the files you changed.",
        },
      },
      {
        name: "verify",
        action: {
          type: "prompt",
          prompt:
            "Run the project's type checker, linter and tests. Fix any failure your change caused and run them again until they pass. Report the commands and their final results.",
        },
        failurePolicy: { retries: 1, recoveryPrompt: VERIFY_RECOVERY },
      },
      {
        name: "pr",
        action: {
          type: "prompt",
          prompt: `Commit your changes on the current branch with a message in the imperative that says what changed and why (first line under 72 characters). Do not push.

Then draft the pull request against {base}. End with a fenced JSON block: {"title": "...", "body": "..."} where the body explains the problem, the fix ({steps.analyze.summary}), how it was tested, and anything a reviewer should look at closely.`,
        },
        outputVars: { title: "title", body: "body" },
      },
    ],
  },
  {
    name: "refactor_and_test",
    description: "Pin behaviour with tests, refactor toward a goal, and prove nothing changed.",
    arguments: [
      { name: "path", description: "Code to refactor", required: true },
      { name: "goal", description: "What the refactor should achieve", required: true },
    ],
    steps: [
      {
        name: "baseline",
        action: {
          type: "prompt",
          prompt: `Before refactoring {path}, pin its behaviour. Run the existing tests that cover it and note the results. Where coverage of its public behaviour is thin, add characterization tests that pass against the current code. Do not change {path} itself. Report the tests you ran and added and their results.`,
        },
      },
      {
        name: "refactor",
        action: { type: "skill", skill: "refactor", arguments: { path: "{path}", goal: "{goal}" } },
      },
      {
        name: "verify",
        action: {
          type: "prompt",
          prompt:
            "Run the tests from the baseline step again, plus the type checker and linter, and compare with the baseline. Behaviour must be unchanged: fix any regression in the refactored code (not in the tests). Report the before and after results.",
        },
        failurePolicy: { retries: 1, recoveryPrompt: VERIFY_RECOVERY },
      },
    ],
  },
];
