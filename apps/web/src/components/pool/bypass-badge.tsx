/**
 * A pool whose CLI runs with `permissionMode: "bypassPermissions"` runs every tool (writes, shell)
 * without asking: marked wherever the pool is shown, so nobody submits to it unawares.
 */
export function isBypassPool(config: Record<string, unknown> | undefined): boolean {
  return config?.permissionMode === "bypassPermissions";
}

export function BypassBadge({ config }: { config: Record<string, unknown> | undefined }) {
  if (!isBypassPool(config)) return null;
  return (
    <span className="badge badge-danger" title="Every tool runs without asking for permission">
      ⚠ bypasses permissions
    </span>
  );
}
