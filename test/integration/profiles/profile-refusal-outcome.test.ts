import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { errorHandler } from '../../../src/http/error-handler.js';
import { assertConforms, loadProfiles, PROFILE_URLS } from '../../../src/profiles/index.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const INVALID = fileURLToPath(new URL('../../fixtures/profiles/invalid/', import.meta.url));

interface Outcome {
  resourceType: string;
  issue: {
    severity: string;
    code: string;
    details: { coding: { code: string }[]; text: string };
    expression: string[];
  }[];
}

describe('a profile refusal at the HTTP edge', () => {
  it('answers 422 with one OperationOutcome issue per problem', async () => {
    const validator = loadProfiles(PROFILES);
    const task = JSON.parse(
      readFileSync(`${INVALID}VawReferralTask-missing-owner.json`, 'utf8'),
    ) as Record<string, unknown>;
    task.businessStatus = {
      coding: [
        { system: 'https://enlace.example.org/fhir/CodeSystem/referral-status', code: 'forwarded' },
      ],
    };
    const app = express();
    app.post('/Task', () => {
      assertConforms(validator, task, PROFILE_URLS.referralTask);
    });
    app.use(errorHandler(pino({ level: 'silent' })));
    const response = await request(app).post('/Task').expect(422);
    const outcome = response.body as Outcome;
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.deepEqual(
      outcome.issue.map((i) => [i.severity, i.code, i.details.coding[0]?.code, i.expression]),
      [
        ['error', 'code-invalid', 'ENLACE_PROFILE_INVALID', ['Task.businessStatus']],
        ['error', 'required', 'ENLACE_PROFILE_INVALID', ['Task.owner']],
      ],
    );
  });
});
