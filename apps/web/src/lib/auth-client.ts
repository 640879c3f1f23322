"use client";

/**
 * Sign-up, sign-in and sign-out go straight to better-auth's REST endpoints on the engine
 * (/api/auth/*, proxied). The better-auth React client would add ~30 kB to every page for three
 * POSTs; everything else about the session (who am I, my teams) comes from tRPC `auth.me`.
 */
const base = () => process.env.NEXT_PUBLIC_ENGINE_URL ?? "";

export class AuthError extends Error {}

async function post(path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${base()}/api/auth${path}`, {
    method: "POST",
    credentials: "include",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status === 502) {
    const health = (await fetch("/api/engine-health")
      .then((r) => r.json())
      .catch(() => null)) as {
      message?: string;
    } | null;
    throw new AuthError(health?.message ?? "The engine is not reachable.");
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message =
      data && typeof data === "object" && "message" in data && typeof data.message === "string"
        ? data.message
        : `the server answered ${res.status}`;
    throw new AuthError(message);
  }
  return data;
}

export function signUp(input: { name: string; email: string; password: string }) {
  return post("/sign-up/email", input);
}

export function signIn(input: { email: string; password: string }) {
  return post("/sign-in/email", input);
}

export function signOut() {
  return post("/sign-out", {});
}
