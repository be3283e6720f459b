// Public face of configuration: load and validate ENLACE_* variables once, at start.
export { loadConfig, ConfigError } from './load-config.js';
export type {
  Config,
  DatabasePoolConfig,
  LoadedConfig,
  LogLevel,
  Profile,
  TlsConfig,
} from './load-config.js';
export { variables } from './variables.js';
export type { VariableSpec, VariableName } from './variables.js';
