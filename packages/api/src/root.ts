import { authRouter } from "./routers/auth.js";
import { teamsRouter } from "./routers/teams.js";
import { tokensRouter } from "./routers/tokens.js";
import { createCallerFactory, router } from "./trpc.js";

/** Every router of the API. Add one line per domain router (DESIGN.md "API"). */
export const appRouter = router({
  auth: authRouter,
  teams: teamsRouter,
  tokens: tokensRouter,
});

export type AppRouter = typeof appRouter;

/** `createCaller(innerContext)`: the router without HTTP (tests, the engine's own calls). */
export const createCaller = createCallerFactory(appRouter);
