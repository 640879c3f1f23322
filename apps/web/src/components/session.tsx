"use client";
import { useQuery } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { errorCode } from "@/lib/errors";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";

type Me = RouterOutputs["auth"]["me"];
export type TeamSummary = Me["teams"][number];
export type Role = TeamSummary["role"];

const RANK: Record<string, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
/** The same order the API enforces; used only to hide controls the API would refuse anyway. */
export function atLeast(role: string | undefined, min: Role): boolean {
  return role !== undefined && (RANK[role] ?? -1) >= (RANK[min] ?? 99);
}

interface SessionValue {
  me: Me;
  team: TeamSummary | null;
  selectTeam(teamId: string): void;
}

const SessionContext = createContext<SessionValue | null>(null);
const TEAM_KEY = "claude-pool.team";

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside <SessionProvider>");
  return v;
}

/** The role the signed-in user has in a given team (e.g. the team of the pool being viewed). */
export function useRoleIn(teamId: string | null | undefined): Role | undefined {
  const { me } = useSession();
  return me.teams.find((t) => t.id === teamId)?.role;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [teamId, setTeamId] = useState<string | null>(null);

  useEffect(() => {
    setTeamId(window.localStorage.getItem(TEAM_KEY));
  }, []);

  const unauthorized = me.isError && errorCode(me.error) === "UNAUTHORIZED";
  useEffect(() => {
    if (unauthorized) window.location.assign(`/sign-in?next=${encodeURIComponent(window.location.pathname)}`);
  }, [unauthorized]);

  const selectTeam = useCallback((id: string) => {
    window.localStorage.setItem(TEAM_KEY, id);
    setTeamId(id);
  }, []);

  const value = useMemo<SessionValue | null>(() => {
    if (!me.data) return null;
    const team = me.data.teams.find((t) => t.id === teamId) ?? me.data.teams[0] ?? null;
    return { me: me.data, team, selectTeam };
  }, [me.data, teamId, selectTeam]);

  if (me.isPending || unauthorized) {
    return (
      <main id="main" className="page">
        <p className="muted" role="status">
          Loading your account…
        </p>
      </main>
    );
  }
  if (!value) {
    return <EngineProblem error={me.error} retry={() => void me.refetch()} />;
  }
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** Why the account could not load: the engine's own health says more than a failed call. */
function EngineProblem({ error, retry }: { error: unknown; retry: () => void }) {
  const health = useQuery({
    queryKey: ["engine-health"],
    queryFn: async () =>
      (await (await fetch("/api/engine-health")).json()) as {
        reachable: boolean;
        ok: boolean;
        message: string | null;
      },
    retry: false,
  });
  const message = health.data?.message ?? (error instanceof Error ? error.message : null) ?? "No answer.";
  return (
    <main id="main" className="page">
      <div className="error-box" role="alert">
        <h1>Cannot reach the engine</h1>
        <p>{message}</p>
        <button
          type="button"
          onClick={() => {
            void health.refetch();
            retry();
          }}
        >
          Try again
        </button>
      </div>
    </main>
  );
}
