"use client";
import { CreateTeamForm } from "@/components/create-team-form";
import { atLeast, useSession } from "@/components/session";
import { Budgets } from "@/components/settings/budgets";
import { Members, MyInvitations } from "@/components/settings/members";
import { PoolBudgets } from "@/components/settings/pool-budgets";
import { Tokens } from "@/components/settings/tokens";

export default function SettingsPage() {
  const { team } = useSession();
  return (
    <>
      <h1>Settings{team ? ` of ${team.name}` : ""}</h1>
      <MyInvitations />
      {team ? (
        <>
          <p className="muted">Your role in this team: {team.role}</p>
          <Members team={team} />
          {atLeast(team.role, "admin") && (
            <>
              <Tokens team={team} />
              <Budgets team={team} />
              <PoolBudgets team={team} />
            </>
          )}
        </>
      ) : (
        <p className="muted">You are not in a team yet: create one, or accept an invitation above.</p>
      )}
      <CreateTeamForm />
    </>
  );
}
