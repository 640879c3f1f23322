export {
  type Admission,
  type AdmissionConfig,
  type AdmissionEnd,
  type AdmissionOutcome,
  type AdmitOptions,
  BudgetAdmission,
} from "./admission.js";
export {
  attainableOf,
  availableOf,
  type BudgetNeed,
  budgetNeed,
  COST_HEADROOM,
  COST_PERCENTILE,
  hasCap,
  learnedTaskCost,
  type NeedInputs,
} from "./estimate.js";
export { type BudgetStop, budgetStopError, budgetStopOf, isBudgetStop, partialOutputOf } from "./stop.js";
