"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { ErrorBox } from "../states";
import { DiffView } from "./diff-view";

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** What the task changed in its worktree: files with +/- counts, then the highlighted patch. */
export function TaskDiff({ taskId }: { taskId: string }) {
  const trpc = useTRPC();
  const diff = useQuery(trpc.tasks.diff.queryOptions({ taskId }));
  if (diff.isPending) return null;
  if (diff.isError) return <ErrorBox title="Could not load the diff" error={diff.error} />;
  const d = diff.data;
  if (!d.recorded || (d.files.length === 0 && !d.patch)) {
    return (
      <section className="card">
        <h2>Changes</h2>
        <p className="muted">No file changes recorded for this task.</p>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="diff-title">
      <div className="spread">
        <h2 id="diff-title">Changes</h2>
        <span data-testid="diff-totals">
          {d.files.length} {d.files.length === 1 ? "file" : "files"} ·{" "}
          <span className="plus">+{d.additions}</span> <span className="minus">−{d.deletions}</span>
        </span>
      </div>
      <table aria-label="Changed files">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Added</th>
            <th scope="col">Removed</th>
          </tr>
        </thead>
        <tbody>
          {d.files.map((f) => (
            <tr key={f.path}>
              <td className="mono">{f.path}</td>
              {f.binary ? (
                <td colSpan={2} className="muted">
                  binary file
                </td>
              ) : (
                <>
                  <td className="plus">+{f.additions}</td>
                  <td className="minus">−{f.deletions}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {d.truncated && (
        <p className="notice" role="note">
          The patch is {kib(d.patchBytes)}; only its first {kib(new TextEncoder().encode(d.patch).length)}{" "}
          were kept and are shown below.
        </p>
      )}
      <DiffView patch={d.patch} />
    </section>
  );
}
