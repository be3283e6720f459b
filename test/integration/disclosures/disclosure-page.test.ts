import assert from 'node:assert/strict';
import { testEngines, type TestDatabase } from '../../support/test-database.js';
import { CONTACT_PHONE } from '../referrals/referral-fixtures.js';
import {
  IDENTIFIER,
  JUSTIFICATION,
  NATIONAL_ID,
  tellStory,
  type DisclosureStory,
} from './disclosure-story.js';

/** A partner name an operator mistyped, or an attacker chose: it must print as text. */
const HOSTILE_NAME = 'Casa <script>alert("x")</script> & Refugio';
const ESCAPED_NAME = 'Casa &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Refugio';
const query = `identifier=${encodeURIComponent(IDENTIFIER)}`;

/** What must never be printed on a page handed to her: her number, phone, name or pseudonym. */
function assertNothingOfHers(page: string, pseudonym: string): void {
  assert.ok(!page.includes(NATIONAL_ID), 'no national id');
  assert.ok(!page.includes(NATIONAL_ID.replace(/\D/g, '')), 'no national id digits');
  assert.ok(!page.includes(CONTACT_PHONE), 'no phone');
  assert.ok(!/\bAna\b/.test(page), 'no name');
  assert.ok(!page.includes(pseudonym), 'no pseudonym');
}

for (const engine of testEngines()) {
  describe(`who saw my case: the printable page (${engine.name})`, function () {
    let database: TestDatabase;
    let story: DisclosureStory;

    before(async () => {
      database = await engine.create();
      story = await tellStory(database.env);
      await story.network.store.db
        .updateTable('partner')
        .set({ name: HOSTILE_NAME })
        .where('id', '=', story.network.shelter.id)
        .execute();
    });
    after(async () => {
      await story.dispose();
      await database.drop();
    });

    it('answers a Spanish page by default, under a strict CSP, with no external assets', async () => {
      const res = await story.ask('casa-refugio', `${query}&_format=html`, '*/*').expect(200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['content-language'], 'es');
      const csp = String(res.headers['content-security-policy']);
      const nonce = /style-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      assert.ok(csp.startsWith("default-src 'none';"), csp);
      assert.ok(nonce !== undefined, csp);
      assert.ok(!csp.includes('unsafe-inline'));
      const page = res.text;
      assert.ok(page.includes(`<style nonce="${nonce}">`));
      assert.match(page, /<html lang="es">/);
      assert.ok(
        !/<(?:script|link|img|iframe|object|form)\b/i.test(page),
        'no active or external element',
      );
      assert.ok(!/\s(?:src|href|action)=/i.test(page), 'no external reference');
      assert.ok(page.includes('Quién consultó o recibió información sobre su caso'));
      assert.ok(page.includes('Fecha del informe: 12 de marzo de 2025'));
      for (const institution of ['police-central', 'hospital-norte', ESCAPED_NAME]) {
        assert.ok(page.includes(institution), institution);
      }
      assert.ok(page.includes('ACCESO DE EMERGENCIA, SIN SU CONSENTIMIENTO'));
      assert.ok(page.includes('pendiente de revisión por auditoría'));
      assert.ok(page.includes('Su consentimiento'));
      assert.ok(page.includes('Sus derechos'));
      assert.ok(page.includes(JUSTIFICATION));
      assertNothingOfHers(page, story.pseudonym);
    });

    it('marks each break-the-glass row visibly and explains what it means', async () => {
      const page = (await story.ask('auditor', `${query}&_format=html`, '*/*').expect(200)).text;
      const marked = page.split('<tr class="btg">').length - 1;
      assert.equal(marked, 3, 'the grant, the referral to health and its retrieval');
      assert.ok(page.includes('Acceso de emergencia</dt>'));
    });

    it('answers in English with lang=en, and for an English Accept-Language', async () => {
      const byParameter = await story.ask('auditor', `${query}&lang=en`, 'text/html').expect(200);
      const byHeader = await story
        .ask('auditor', query, 'text/html')
        .set('Accept-Language', 'en-GB,en;q=0.9,es;q=0.5')
        .expect(200);
      for (const res of [byParameter, byHeader]) {
        assert.equal(res.headers['content-language'], 'en');
        const page = res.text;
        assert.match(page, /<html lang="en">/);
        assert.ok(page.includes('Who looked at or received information about your case'));
        assert.ok(page.includes('EMERGENCY ACCESS, WITHOUT YOUR CONSENT'));
        assert.ok(page.includes('Your rights'));
        for (const institution of ['police-central', 'hospital-norte', ESCAPED_NAME]) {
          assert.ok(page.includes(institution), institution);
        }
        assertNothingOfHers(page, story.pseudonym);
      }
    });

    it('escapes a partner name carrying markup, on the page and in the FHIR answer', async () => {
      const page = (await story.ask('auditor', `${query}&_format=html`, '*/*').expect(200)).text;
      assert.ok(page.includes(ESCAPED_NAME));
      assert.ok(!page.includes('<script'));
      const json = await story.ask('auditor', query).expect(200);
      assert.ok(json.text.includes(JSON.stringify(HOSTILE_NAME)), 'JSON carries the name as data');
    });

    it('refuses a page in a format it does not have', async () => {
      const res = await story.ask('auditor', `${query}&_format=xml`, '*/*');
      assert.equal(res.status, 406);
    });
  });
}
