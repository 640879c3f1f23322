"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { use, useState } from "react";
import { ArgumentsForm } from "@/components/arguments-form";
import { PoolNav } from "@/components/pool/pool-nav";
import { usePool } from "@/components/pool/use-pool";
import { atLeast } from "@/components/session";
import { AddSkill } from "@/components/skills/add-skill";
import { Empty, ErrorBox, Loading } from "@/components/states";
import { useToasts } from "@/components/toasts";
import { watch } from "@/components/watchers";
import { fieldErrors } from "@/lib/errors";
import { useTRPC } from "@/lib/trpc";

export default function SkillsPage({ params }: { params: Promise<{ poolId: string }> }) {
  const { poolId } = use(params);
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const { pool, role } = usePool(poolId);
  const list = useQuery(trpc.skills.list.queryOptions({ poolId }));
  const [open, setOpen] = useState<string | null>(null);
  const detail = useQuery({ ...trpc.skills.get.queryOptions({ poolId, name: open ?? "" }), enabled: !!open });
  const run = useMutation(
    trpc.skills.run.mutationOptions({
      onSuccess: (out) => {
        const o = out;
        if (o.taskId) {
          watch("task", o.taskId, `skill ${open}`, poolId);
          router.push(`/tasks/${o.taskId}`);
        } else if (o.chainId) {
          watch("chain", o.chainId, `skill ${open}`, poolId);
          router.push(`/chains/${o.chainId}?pool=${poolId}`);
        }
      },
    }),
  );
  const remove = useMutation(
    trpc.skills.remove.mutationOptions({
      onSuccess: () => {
        toast("Skill removed.", "success");
        setOpen(null);
        void queryClient.invalidateQueries({ queryKey: trpc.skills.list.queryKey({ poolId }) });
      },
      onError: (e) => toast(e.message, "error"),
    }),
  );

  if (pool.isPending) return <Loading what="the pool" />;
  if (pool.isError) return <ErrorBox title="Pool not available" error={pool.error} />;
  const canSubmit = atLeast(role, "member");
  const canManage = atLeast(role, "admin");
  const skills = list.data ?? [];
  return (
    <>
      <h1>{pool.data.name}: skills</h1>
      <PoolNav poolId={poolId} name={pool.data.name} />
      <div className="cols">
        <section className="card" aria-labelledby="skills-title">
          <h2 id="skills-title">Skills</h2>
          {list.isPending && <Loading what="skills" />}
          {list.isError && <ErrorBox title="Could not load the skills" error={list.error} />}
          {list.data && skills.length === 0 && <Empty>No skills.</Empty>}
          {skills.length > 0 && (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Source</th>
                    <th scope="col">Scope</th>
                    <th scope="col">Description</th>
                  </tr>
                </thead>
                <tbody>
                  {skills.map((s) => (
                    <tr key={s.name}>
                      <td>
                        <button type="button" className="link" onClick={() => setOpen(s.name)}>
                          {s.name}
                        </button>
                      </td>
                      <td>{s.source}</td>
                      <td>{s.scope}</td>
                      <td>{s.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section className="card stack" aria-labelledby="skill-detail">
          <h2 id="skill-detail">{open ? `Skill ${open}` : "Choose a skill"}</h2>
          {open && detail.isPending && <Loading what="the skill" />}
          {detail.isError && <ErrorBox title="Could not load the skill" error={detail.error} />}
          {open && detail.data && (
            <>
              <p>{detail.data.description}</p>
              <pre className="stream">{detail.data.prompt || "(chain skill)"}</pre>
              {canSubmit && (
                <ArgumentsForm
                  key={open}
                  idPrefix={`skill-${open}`}
                  title={`Run ${open}`}
                  args={detail.data.arguments}
                  errors={fieldErrors(run.error)}
                  busy={run.isPending}
                  submitLabel={`Run ${open}`}
                  onSubmit={(values) => run.mutate({ poolId, name: open, arguments: values })}
                />
              )}
              {canManage && detail.data.source === "runtime" && (
                <button
                  type="button"
                  className="danger"
                  onClick={() => remove.mutate({ poolId, name: open })}
                >
                  Remove {open}
                </button>
              )}
            </>
          )}
        </section>
      </div>
      {canManage && <AddSkill poolId={poolId} />}
    </>
  );
}
