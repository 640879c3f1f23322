"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export function PoolNav({ poolId, name }: { poolId: string; name: string }) {
  const path = usePathname();
  const tabs = [
    { href: `/pools/${poolId}`, label: "Slots and tasks" },
    { href: `/pools/${poolId}/chains`, label: "Chains" },
    { href: `/pools/${poolId}/skills`, label: "Skills" },
  ];
  return (
    <nav aria-label={`Pool ${name}`}>
      <ul className="tabs">
        {tabs.map((t) => (
          <li key={t.href}>
            <Link href={t.href} aria-current={path === t.href ? "page" : undefined}>
              {t.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
