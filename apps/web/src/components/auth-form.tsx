"use client";
import Link from "next/link";
import { type FormEvent, useState } from "react";
import { signIn, signUp } from "@/lib/auth-client";

export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "").trim();
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setBusy(true);
    setError(null);
    try {
      if (mode === "sign-up") await signUp({ name: name || email, email, password });
      else await signIn({ email, password });
      const next = new URLSearchParams(window.location.search).get("next");
      window.location.assign(
        next?.startsWith("/") ? next : mode === "sign-up" ? "/settings?welcome=1" : "/pools",
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : "Could not reach the engine.");
      setBusy(false);
    }
  }

  const title = mode === "sign-up" ? "Create your account" : "Sign in";
  return (
    <main id="main" className="auth-page">
      <form className="card auth-card" onSubmit={onSubmit} aria-labelledby="auth-title">
        <h1 id="auth-title">{title}</h1>
        {mode === "sign-up" && (
          <label>
            Name
            <input name="name" autoComplete="name" required />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
            minLength={8}
            required
          />
          {mode === "sign-up" && <span className="hint">At least 8 characters.</span>}
        </label>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {mode === "sign-up" ? "Sign up" : "Sign in"}
        </button>
        <p className="muted">
          {mode === "sign-up" ? (
            <>
              Already have an account? <Link href="/sign-in">Sign in</Link>
            </>
          ) : (
            <>
              New here? <Link href="/sign-up">Create an account</Link>
            </>
          )}
        </p>
      </form>
    </main>
  );
}
