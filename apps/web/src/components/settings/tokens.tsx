"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { dateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import type { TeamSummary } from "../session";
import { Empty, ErrorBox, FieldError, Loading } from "../states";
import { useToasts } from "../toasts";

const ROLES = ["viewer", "member", "admin", "owner"] as const;

/** API tokens: the value is shown once, right after creation, with a copy button. */
export function Tokens({ team }: { team: TeamSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { toast } = useToasts();
  const list = useQuery(trpc.tokens.list.queryOptions({ teamId: team.id }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey({ teamId: team.id }) });
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("member");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (out) => {
        setCreated({ name: out.name, token: out.token });
        setName("");
        void refresh();
      },
    }),
  );
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSuccess: () => {
        toast("Token revoked.", "success");
        void refresh();
      },
      onError: (e) => toast(e.message, "error"),
    }),
  );
  const errors = fieldErrors(create.error);

  function onCreate(e: FormEvent) {
    e.preventDefault();
    create.mutate({ teamId: team.id, name: name.trim(), role });
  }

  return (
    <section className="card stack" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {created && (
        <div className="stack" role="status">
          <p>
            Token <strong>{created.name}</strong> — copy it now, it is not shown again:
          </p>
          <code className="token-once" data-testid="new-token">
            {created.token}
          </code>
          <div className="row">
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard
                  .writeText(created.token)
                  .then(() => toast("Token copied.", "success"))
                  .catch(() => toast("Copy failed: select the token and copy it by hand.", "error"))
              }
            >
              Copy token
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              Hide token
            </button>
          </div>
        </div>
      )}
      <form className="row" onSubmit={onCreate} aria-label="Create an API token">
        <label>
          Token name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            required
            aria-invalid={!!errorFor(errors, "name")}
          />
          <FieldError id="token-name-error" message={errorFor(errors, "name")} />
        </label>
        <label>
          Token role
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
          <FieldError id="token-role-error" message={errorFor(errors, "role") ?? errors[""]} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {list.isPending && <Loading what="tokens" />}
      {list.isError && <ErrorBox title="Could not load the tokens" error={list.error} />}
      {list.data && list.data.length === 0 && <Empty>No API tokens yet.</Empty>}
      {list.data && list.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td className="mono">{t.start ?? "—"}…</td>
                  <td>{t.role}</td>
                  <td>{dateTime(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? dateTime(t.lastUsedAt) : "never"}</td>
                  <td>
                    {t.revoked ? (
                      <span className="badge badge-cancelled">revoked</span>
                    ) : (
                      <button type="button" className="link" onClick={() => revoke.mutate({ id: t.id })}>
                        Revoke {t.name}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
