import type { BudgetScenario, BudgetScenarioReport } from "./budget-scenario.js";

/**
 * The invariants every budget scenario must keep, as a list of violations (empty when it held):
 * settled spend and spent + reserved never pass the pool's or the team's cap, no task spends past
 * its own cap, every reservation is returned, every task ended, and the pool's spend is its tasks'.
 */
export function budgetViolations(s: BudgetScenario, r: BudgetScenarioReport): string[] {
  const v: string[] = [];
  if (s.poolCapMicros !== null) {
    if (r.poolSpentMicros > s.poolCapMicros)
      v.push(`pool spent ${r.poolSpentMicros} > cap ${s.poolCapMicros}`);
    if (r.maxPoolCommittedMicros > s.poolCapMicros) {
      v.push(`pool spent + reserved reached ${r.maxPoolCommittedMicros} > cap ${s.poolCapMicros}`);
    }
  }
  if (s.teamCapMicros !== undefined && s.teamCapMicros !== null) {
    if (r.teamMonthSpentMicros > s.teamCapMicros)
      v.push(`team spent ${r.teamMonthSpentMicros} > cap ${s.teamCapMicros}`);
    if (r.maxTeamCommittedMicros > s.teamCapMicros) {
      v.push(`team spent + reserved reached ${r.maxTeamCommittedMicros} > cap ${s.teamCapMicros}`);
    }
  }
  if (r.overruns.length > 0) v.push(`tasks spent past their own cap: ${r.overruns.join(", ")}`);
  if (r.poolReservedMicros !== 0) v.push(`pool reserved ${r.poolReservedMicros} at the end`);
  if (r.teamReservedMicros !== 0) v.push(`team reserved ${r.teamReservedMicros} at the end`);
  if (r.taskSpendMicros !== r.poolSpentMicros)
    v.push(`tasks spent ${r.taskSpendMicros}, pool ${r.poolSpentMicros}`);
  const ended = (r.statuses.completed ?? 0) + (r.statuses.failed ?? 0) + (r.statuses.cancelled ?? 0);
  if (ended !== s.tasks.length)
    v.push(`only ${ended} of ${s.tasks.length} tasks ended: ${JSON.stringify(r.statuses)}`);
  const uncapped = s.poolCapMicros === null && (s.teamCapMicros === undefined || s.teamCapMicros === null);
  if (uncapped && r.refused > 0) v.push(`${r.refused} tasks refused with no cap at all`);
  return v;
}
