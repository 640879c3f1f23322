import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Issue 13, defect 9: claude-sim's README linked to a file outside the repository, which a clone
 * does not have. Every relative link of the repository's Markdown (root, packages/*, apps/*) must
 * name a file or directory inside the repository that exists.
 */
const ROOT = path.resolve(import.meta.dirname, "../../..");

function markdownFiles(): string[] {
  const dirs = [ROOT];
  for (const group of ["packages", "apps"]) {
    for (const entry of readdirSync(path.join(ROOT, group), { withFileTypes: true }))
      if (entry.isDirectory()) dirs.push(path.join(ROOT, group, entry.name));
  }
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => name.endsWith(".md"))
      .map((name) => path.join(dir, name)),
  );
}

function relativeLinks(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "");
  return links.filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith("#")).map((l) => l.split("#")[0] ?? l);
}

describe("links in the repository's Markdown", () => {
  it("include claude-sim's README", () => {
    expect(markdownFiles()).toContain(path.join(ROOT, "packages/claude-sim/README.md"));
  });

  it("point inside the repository, at something that exists", () => {
    const broken: string[] = [];
    for (const file of markdownFiles()) {
      for (const link of relativeLinks(readFileSync(file, "utf8"))) {
        const target = path.resolve(path.dirname(file), link);
        const inside = target === ROOT || target.startsWith(`${ROOT}${path.sep}`);
        if (!inside || !existsSync(target)) broken.push(`${path.relative(ROOT, file)} → ${link}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("never send a reader to the development machine's files outside the repository", () => {
    // The CLI notes this project was built from live beside the checkout, not in a clone.
    const outside = /(?:^|[\s`(])(\/work\/|(?:\.\.\/)+shared\/)\S*/g;
    const found = markdownFiles().flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(outside)].map(
        (m) => `${path.relative(ROOT, file)}: ${m[0].trim()}`,
      ),
    );
    expect(found).toEqual([]);
  });
});
