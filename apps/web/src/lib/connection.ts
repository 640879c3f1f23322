/** The state of a page's live subscription, in words (tRPC's useSubscription status). */
export function connectionLabel(status: string): string {
  switch (status) {
    case "pending":
      return "Live";
    case "connecting":
      return "Connecting…";
    case "idle":
      return "Stream ended";
    case "error":
      return "Disconnected: retrying";
    default:
      return status;
  }
}
