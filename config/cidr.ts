// The prod API allow-list limits are defined once, in the policy pack, which is published on its own and so cannot
// import the program; the config model applies the same limits at plan time.
export {
  cidrCoverage,
  PROD_MAX_ADDRESSES,
  PROD_MIN_PREFIX,
  prodAllowListProblems,
} from "../policy/rules/cidr";
