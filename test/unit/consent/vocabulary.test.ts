import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CodeSystem, Consent } from '@medplum/fhirtypes';
import { decide } from '../../../src/consent/engine/decide.js';
import {
  DATA_CLASS_SYSTEM,
  dataClasses,
  PSEUDONYM_SYSTEM,
  PURPOSE_SYSTEM,
  purposes,
} from '../../../src/consent/types.js';

const PROFILES = fileURLToPath(new URL('../../../profiles/', import.meta.url));
const read = async <T>(name: string): Promise<T> =>
  JSON.parse(await readFile(`${PROFILES}${name}`, 'utf8')) as T;

describe('consent vocabulary in profiles/', () => {
  it('lists exactly the purposes of src/consent/types.ts', async () => {
    const system = await read<CodeSystem>('CodeSystem-consent-purpose.json');
    assert.equal(system.url, PURPOSE_SYSTEM);
    assert.deepEqual(
      system.concept?.map((c) => c.code),
      [...purposes],
    );
    assert.equal(system.count, purposes.length);
    assert.ok((system.concept ?? []).every((c) => (c.definition ?? '').length > 20));
  });

  it('lists exactly the data classes of src/consent/types.ts', async () => {
    const system = await read<CodeSystem>('CodeSystem-data-class.json');
    assert.equal(system.url, DATA_CLASS_SYSTEM);
    assert.deepEqual(
      system.concept?.map((c) => c.code),
      [...dataClasses],
    );
    assert.equal(system.count, dataClasses.length);
    assert.ok((system.concept ?? []).every((c) => (c.definition ?? '').length > 20));
  });

  it('ships example consents that claim VawConsent and that the engine reads as intended', async () => {
    const names = (await readdir(PROFILES)).filter((n) => n.startsWith('Consent-example-'));
    assert.ok(names.length >= 2);
    for (const name of names) {
      const example = await read<Consent>(name);
      assert.deepEqual(example.meta?.profile, [
        'https://enlace.example.org/fhir/StructureDefinition/VawConsent',
      ]);
      assert.equal(name, `Consent-${example.id ?? ''}.json`);
    }
    const shelter = await read<Consent>('Consent-example-shelter-protection.json');
    const stored = {
      id: 'example',
      version: 1,
      resource: {
        ...shelter,
        patient: { identifier: { system: PSEUDONYM_SYSTEM, value: 'k1.x' } },
      },
    };
    const decision = decide(
      [stored],
      {
        survivor: ['k1.x'],
        actor: { organization: 'shelter-sur', role: 'shelter' },
        purpose: 'shelter',
        dataClasses: ['location', 'health-record'],
        at: new Date('2025-06-15T12:00:00Z'),
      },
      { defaultDecision: 'no-consent' },
    );
    assert.deepEqual(decision.permitted, ['location']);
    assert.deepEqual(decision.remove, ['health-record']);
  });
});
