"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { signOut } from "@/lib/auth-client";
import { SessionProvider, useSession } from "./session";
import { useToasts } from "./toasts";
import { TaskWatchers } from "./watchers";

const NAV = [
  { href: "/pools", label: "Pools" },
  { href: "/reports", label: "Reports" },
  { href: "/settings", label: "Settings" },
];

function Header() {
  const { me, team, selectTeam } = useSession();
  const pathname = usePathname();
  const { browserNotifications, setBrowserNotifications } = useToasts();
  return (
    <header className="topbar">
      <Link href="/pools" className="brand">
        claude-pool
      </Link>
      <nav aria-label="Main">
        <ul>
          {NAV.map((n) => (
            <li key={n.href}>
              <Link href={n.href} aria-current={pathname.startsWith(n.href) ? "page" : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="topbar-right">
        {me.teams.length > 0 && (
          <span className="inline-field">
            {/* A label beside (not around) the select, so its name is just "Team". */}
            <label htmlFor="team-switcher">Team</label>
            <select id="team-switcher" value={team?.id ?? ""} onChange={(e) => selectTeam(e.target.value)}>
              {me.teams.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.role})
                </option>
              ))}
            </select>
          </span>
        )}
        <label className="inline">
          <input
            type="checkbox"
            checked={browserNotifications}
            onChange={(e) => setBrowserNotifications(e.target.checked)}
          />
          Browser notifications
        </label>
        <span className="muted">{me.user.email}</span>
        <button
          type="button"
          className="secondary"
          onClick={() => void signOut().finally(() => window.location.assign("/sign-in"))}
        >
          Sign out
        </button>
      </div>
    </header>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <TaskWatchers />
      <main id="main" className="page">
        {children}
      </main>
    </SessionProvider>
  );
}
