"use client";
import { useSyncExternalStore } from "react";

/**
 * Tasks and chains this browser tab submitted: when one ends, a toast says so (issue 10, item 8).
 * Kept in sessionStorage so a reload keeps watching.
 */
type Watched = { kind: "task" | "chain"; id: string; label: string };
const KEY = "claude-pool.watched";
let watched: Watched[] = [];
const listeners = new Set<() => void>();

function load() {
  if (typeof window === "undefined") return;
  try {
    watched = JSON.parse(window.sessionStorage.getItem(KEY) ?? "[]") as Watched[];
  } catch {
    watched = [];
  }
}
load();

function save() {
  window.sessionStorage.setItem(KEY, JSON.stringify(watched));
  for (const l of listeners) l();
}

export function watch(kind: Watched["kind"], id: string, label: string) {
  if (watched.some((w) => w.id === id)) return;
  watched = [...watched.slice(-19), { kind, id, label }];
  save();
}

export function unwatch(id: string) {
  watched = watched.filter((w) => w.id !== id);
  save();
}

export function useWatched(): Watched[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => watched,
    () => [],
  );
}

export function TaskWatchers() {
  return null;
}
