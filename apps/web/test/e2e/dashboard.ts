import { afterAll, afterEach, beforeAll } from "vitest";
import {
  type BrowserContext,
  createPool,
  createTeam,
  launch,
  type Page,
  screenshotIfFailed,
  signUp,
  uniqueEmail,
} from "./browser";

/**
 * The setup every dashboard file shares: a browser with a fresh profile and one page; then,
 * unless `account` is false, a new user who creates a team (and a pool, when given). A failed
 * test leaves a screenshot of where it stopped; the browser is closed after the file.
 *
 * Call at the top of a `describe`; the fields are filled by the time its tests run.
 */
export interface Dashboard {
  browser: BrowserContext;
  page: Page;
  /** The pool created in setup: its id and its page's URL ("" without one). */
  poolId: string;
  poolUrl: string;
}

export function useDashboard(
  opts: { account?: false | { as: string; team: string; pool?: Parameters<typeof createPool>[1] } } = {},
): Dashboard {
  let session: Awaited<ReturnType<typeof launch>> | undefined;
  const d = { poolId: "", poolUrl: "" } as Dashboard;
  beforeAll(async () => {
    session = await launch();
    d.browser = session.browser;
    d.page = await session.browser.newPage();
    if (!opts.account) return;
    await signUp(d.page, uniqueEmail(opts.account.as));
    await createTeam(d.page, opts.account.team);
    if (opts.account.pool) {
      d.poolId = await createPool(d.page, opts.account.pool);
      d.poolUrl = d.page.url();
    }
  });
  afterEach(async (ctx) => screenshotIfFailed(d.page, ctx));
  afterAll(async () => {
    await session?.close();
  });
  return d;
}
