/**
 * Row 12: the pool page's first-load JavaScript after `next build`, gzipped. The list of scripts
 * comes from the build manifests; the weighing is the web e2e suite's own (apps/web/test/build-output.ts),
 * which weighs what a real browser fetched for the same page.
 */
import { buildWebIfStale, firstLoadScripts, gzippedScripts } from "../../../../apps/web/test/build-output.js";
import type { Benchmark } from "../row.js";

const POOL_PAGE = "/(app)/pools/[poolId]/page";

export const webBenchmark: Benchmark = async (ctx) => {
  const t = performance.now();
  const built = buildWebIfStale(ctx.log);
  const buildS = (performance.now() - t) / 1000;
  const weight = gzippedScripts(firstLoadScripts(POOL_PAGE));
  ctx.log(`web: pool page ${weight.files} scripts, ${weight.gzippedKb.toFixed(1)} kB gzipped`);
  return [
    {
      id: 12,
      what: "web: first-load JavaScript of the pool page (/pools/[poolId]) after `next build`, gzipped",
      figure: `${weight.gzippedKb.toFixed(1)} kB in ${weight.files} scripts`,
      target: "< 250 kB gzipped",
      met: weight.gzippedKb < 250,
      note: `root main files + the layouts' and page's client chunks from the build manifests, gzip -9 each; ${built ? `next build took ${buildS.toFixed(0)} s in this run` : "the build was current (not rebuilt)"}`,
    },
  ];
};
