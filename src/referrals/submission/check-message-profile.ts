// Step 2b — profile: the message must conform to VawReferralMessage; one OperationOutcome issue per problem.
import { assertConforms, PROFILE_URLS, type ProfileValidator } from '../../profiles/index.js';
import type { SubmittedMessage } from './submission-types.js';

/** Throws ENLACE_PROFILE_INVALID (422) listing every error, each with its FHIRPath expression. */
export function checkMessageProfile(validator: ProfileValidator, message: SubmittedMessage): void {
  assertConforms(validator, message.bundle, PROFILE_URLS.referralMessage);
}
