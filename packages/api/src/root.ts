import { authRouter } from "./routers/auth.js";
import { chainsRouter } from "./routers/chains.js";
import { contextRouter } from "./routers/context.js";
import { poolsRouter } from "./routers/pools.js";
import { reportsRouter } from "./routers/reports.js";
import { skillsRouter } from "./routers/skills.js";
import { slotsRouter } from "./routers/slots.js";
import { tasksRouter } from "./routers/tasks.js";
import { teamsRouter } from "./routers/teams.js";
import { tokensRouter } from "./routers/tokens.js";
import { webhooksRouter } from "./routers/webhooks.js";
import { createCallerFactory, router } from "./trpc.js";

/** Every router of the API. Add one line per domain router (DESIGN.md "API"). */
export const appRouter = router({
  auth: authRouter,
  teams: teamsRouter,
  tokens: tokensRouter,
  pools: poolsRouter,
  slots: slotsRouter,
  tasks: tasksRouter,
  chains: chainsRouter,
  skills: skillsRouter,
  context: contextRouter,
  reports: reportsRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;

/** `createCaller(innerContext)`: the router without HTTP (tests, the engine's own calls). */
export const createCaller = createCallerFactory(appRouter);
