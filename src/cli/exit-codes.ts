// The `enlace` command's exit codes, one table for every command (the README lists it).
export const EXIT_OK = 0;
/** The gateway refused (its OperationOutcome is quoted), or the command failed otherwise. */
export const EXIT_FAILED = 1;
/** The command line was wrong: unknown option, missing argument, a value outside its list. */
export const EXIT_USAGE = 2;
/** Something received did not verify (a referral, an acknowledgement), or a witness alarm. */
export const EXIT_VERIFICATION = 3;
/** The configuration is missing or wrong: the environment, the profile file, a key file. */
export const EXIT_CONFIG = 78;
