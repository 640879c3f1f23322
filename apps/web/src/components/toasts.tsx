"use client";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";

export type ToastTone = "info" | "success" | "error" | "warning";
interface Toast {
  id: number;
  tone: ToastTone;
  text: string;
  href?: string;
}

interface ToastApi {
  toast(text: string, tone?: ToastTone, href?: string): void;
  /** Opt-in browser notifications as well as toasts. */
  browserNotifications: boolean;
  setBrowserNotifications(on: boolean): void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToasts outside <Toaster>");
  return api;
}

export function Toaster({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [browserNotifications, setBrowser] = useState(false);
  const next = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);

  const toast = useCallback(
    (text: string, tone: ToastTone = "info", href?: string) => {
      const id = next.current++;
      setToasts((all) => [...all.slice(-4), { id, tone, text, href }]);
      setTimeout(() => dismiss(id), 8000);
      if (
        browserNotifications &&
        typeof Notification !== "undefined" &&
        Notification.permission === "granted"
      ) {
        new Notification("claude-pool", { body: text });
      }
    },
    [browserNotifications, dismiss],
  );

  const setBrowserNotifications = useCallback((on: boolean) => {
    if (on && typeof Notification !== "undefined" && Notification.permission !== "granted") {
      void Notification.requestPermission().then((p) => setBrowser(p === "granted"));
      return;
    }
    setBrowser(on);
  }, []);

  const api = useMemo(
    () => ({ toast, browserNotifications, setBrowserNotifications }),
    [toast, browserNotifications, setBrowserNotifications],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <section className="toasts" aria-live="polite" aria-label="Notifications">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.tone}`} role="status">
            {t.href ? <a href={t.href}>{t.text}</a> : <span>{t.text}</span>}
            <button type="button" className="link" onClick={() => dismiss(t.id)}>
              Dismiss
            </button>
          </div>
        ))}
      </section>
    </ToastContext.Provider>
  );
}
