import { keyed } from "@/lib/keyed";

/** A unified diff, coloured line by line (added, removed, hunk headers, file headers). */
export function DiffView({ patch }: { patch: string }) {
  const lines = keyed(patch.split("\n"));
  return (
    <pre className="diff" data-testid="diff-patch">
      {lines.map(({ item: line, key }) => {
        const cls =
          line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ")
            ? "meta"
            : line.startsWith("+")
              ? "add"
              : line.startsWith("-")
                ? "del"
                : line.startsWith("@@")
                  ? "hunk"
                  : "";
        return (
          <span key={key} className={cls}>
            {line || " "}
          </span>
        );
      })}
    </pre>
  );
}
