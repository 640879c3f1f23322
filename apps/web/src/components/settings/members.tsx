"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { errorFor, fieldErrors } from "@/lib/errors";
import { dateTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { atLeast, type TeamSummary, useSession } from "../session";
import { Empty, ErrorBox, FieldError, Loading } from "../states";
import { useToasts } from "../toasts";

const ROLES = ["viewer", "member", "admin", "owner"] as const;

export function Members({ team }: { team: TeamSummary }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useSession();
  const { toast } = useToasts();
  const members = useQuery(trpc.teams.members.queryOptions({ teamId: team.id }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.teams.members.queryKey({ teamId: team.id }) });
  const setRole = useMutation(
    trpc.teams.setRole.mutationOptions({ onSuccess: refresh, onError: (e) => toast(e.message, "error") }),
  );
  const remove = useMutation(
    trpc.teams.removeMember.mutationOptions({
      onSuccess: refresh,
      onError: (e) => toast(e.message, "error"),
    }),
  );
  const invite = useMutation(
    trpc.teams.invite.mutationOptions({
      onSuccess: () => {
        toast(`Invitation sent to ${email}. They accept it under Settings once signed up.`, "success");
        setEmail("");
      },
    }),
  );
  const [email, setEmail] = useState("");
  const [role, setRoleValue] = useState<(typeof ROLES)[number]>("member");
  const owner = atLeast(team.role, "owner");
  const errors = fieldErrors(invite.error);

  function onInvite(e: FormEvent) {
    e.preventDefault();
    invite.mutate({ teamId: team.id, email: email.trim(), role });
  }

  return (
    <section className="card stack" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {members.isPending && <Loading what="members" />}
      {members.isError && <ErrorBox title="Could not load the members" error={members.error} />}
      {members.data && members.data.length === 0 && <Empty>No members.</Empty>}
      {members.data && members.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {owner && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.data.map((m) => (
                <tr key={m.userId}>
                  <td>{m.name}</td>
                  <td>{m.email}</td>
                  <td>
                    {owner && m.userId !== me.user.id ? (
                      <label className="inline">
                        <span className="hint">Role of {m.email}</span>
                        <select
                          value={m.role}
                          onChange={(e) =>
                            setRole.mutate({
                              teamId: team.id,
                              userId: m.userId,
                              role: e.target.value as (typeof ROLES)[number],
                            })
                          }
                        >
                          {ROLES.map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </select>
                      </label>
                    ) : (
                      m.role
                    )}
                  </td>
                  <td>{dateTime(m.joinedAt)}</td>
                  {owner && (
                    <td>
                      {m.userId !== me.user.id && (
                        <button
                          type="button"
                          className="link"
                          onClick={() => remove.mutate({ teamId: team.id, userId: m.userId })}
                        >
                          Remove {m.email}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {owner && (
        <form className="row" onSubmit={onInvite} aria-label="Invite a member">
          <label>
            Invite by email
            <input
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              aria-invalid={!!errorFor(errors, "email")}
            />
            <FieldError id="invite-email-error" message={errorFor(errors, "email") ?? errors[""]} />
          </label>
          <label>
            Invited role
            <select value={role} onChange={(e) => setRoleValue(e.target.value as (typeof ROLES)[number])}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={invite.isPending}>
            Send invitation
          </button>
        </form>
      )}
    </section>
  );
}

/** Invitations addressed to the signed-in user: accepting one joins that team. */
export function MyInvitations() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { selectTeam } = useSession();
  const { toast } = useToasts();
  const list = useQuery(trpc.teams.invitations.queryOptions());
  const accept = useMutation(
    trpc.teams.acceptInvitation.mutationOptions({
      onSuccess: async (out) => {
        toast("Invitation accepted.", "success");
        const teamId = (out as { teamId?: string } | undefined)?.teamId;
        if (teamId) selectTeam(teamId);
        await queryClient.invalidateQueries();
      },
      onError: (e) => toast(e.message, "error"),
    }),
  );
  if (!list.data || list.data.length === 0) return null;
  return (
    <section className="card stack" aria-labelledby="inv-title">
      <h2 id="inv-title">Invitations for you</h2>
      <ul>
        {list.data.map((inv) => (
          <li key={inv.id}>
            {inv.teamName ?? "A team"} as {inv.role} (until {dateTime(inv.expiresAt)}){" "}
            <button
              type="button"
              onClick={() => accept.mutate({ invitationId: inv.id })}
              disabled={accept.isPending}
            >
              Accept invitation to {inv.teamName ?? "the team"}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
