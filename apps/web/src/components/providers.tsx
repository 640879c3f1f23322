"use client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { makeTrpcClient, TRPCProvider } from "@/lib/trpc";
import { Toaster } from "./toasts";

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            // Live data arrives by subscription; a query refetches only when a mutation or event invalidates it.
            staleTime: 30_000,
            refetchOnWindowFocus: false,
            retry: (count, err) => {
              const code = (err as { data?: { code?: string } }).data?.code;
              if (code && ["UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "BAD_REQUEST"].includes(code))
                return false;
              return count < 2;
            },
          },
        },
      }),
  );
  const [trpcClient] = useState(makeTrpcClient);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <Toaster>{children}</Toaster>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
