// mcr2.options: options as spec rows (lib/options/spec.ts), the one definition of each option that
// the library's option objects, params.json, the CLI's flags and --help and the docs derive from;
// and the error a bad option raises, naming it as the caller spelled it.
export { OptionError } from '../options/checks.js';
export {
  opt,
  resolve,
  defaultsOf,
  withDefault,
  withHelp,
  toParams,
  fromParams,
  identityKeys,
  type Option,
  type Spec,
  type OptionsOf,
  type InputOf,
} from '../options/spec.js';
export { parseArgs, usage, UsageError } from '../options/flags.js';
