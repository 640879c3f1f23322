/** A unified diff, coloured line by line (added, removed, hunk headers, file headers). */
export function DiffView({ patch }: { patch: string }) {
  const lines = patch.split("\n");
  return (
    <pre className="diff" aria-label="Patch">
      {lines.map((line, i) => {
        const cls = line.startsWith("+++") || line.startsWith("---") || line.startsWith("diff ")
          ? "meta"
          : line.startsWith("+")
            ? "add"
            : line.startsWith("-")
              ? "del"
              : line.startsWith("@@")
                ? "hunk"
                : "";
        // biome-ignore lint/suspicious/noArrayIndexKey: a patch's lines have no identity but their place
        return <span key={i} className={cls}>{line || " "}</span>;
      })}
    </pre>
  );
}
