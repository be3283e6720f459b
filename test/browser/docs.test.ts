// /docs as a person sees it: Debian's headless Chromium renders the reference from this gateway alone, under its policy, and tries an operation out with a bearer token.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DOCS_CONTENT_SECURITY_POLICY } from '../../src/http/docs-routes.js';
import {
  signAssertion,
  startAuthHarness,
  tokenForm,
  type AuthHarness,
} from '../integration/auth/auth-harness.js';

const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored; CI keeps what the suite leaves here. */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** What one page did: every request it made, and everything it reported as wrong. */
interface PageRecord {
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
}

describe('the interactive API reference in a browser', function () {
  this.timeout(120_000);
  let harness: AuthHarness;
  let browser: Browser;
  /** Undone in reverse order, whichever of them \`before\` got to. */
  const started: (() => Promise<void>)[] = [];
  let context: BrowserContext;
  let origin: string;

  before(async () => {
    // Why fail, not skip: a reference nobody checked in a browser is a reference that may not render.
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium), as .ci/run does.`,
      );
    }
    await mkdir(ARTIFACTS, { recursive: true });
    harness = await startAuthHarness({ time: 'system' });
    started.push(() => harness.dispose());
    origin = new URL(harness.url).origin;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless'],
    });
    started.push(() => browser.close());
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Why abort: a request for another host is the failure under test; it must not also leave the machine.
    await context.route(
      (url) => url.origin !== origin && url.protocol !== 'data:',
      (route) => route.abort('blockedbyclient'),
    );
  });

  afterEach(async () => {
    await context.close();
  });

  after(async () => {
    for (const stop of started.splice(0).reverse()) await stop();
  });

  async function openDocs(): Promise<{ page: Page; record: PageRecord; csp: string }> {
    const page = await context.newPage();
    const record: PageRecord = { requests: [], consoleErrors: [], pageErrors: [] };
    page.on('request', (request) => record.requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') record.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => record.pageErrors.push(error.message));
    const response = await page.goto(`${harness.url}/docs`, { waitUntil: 'load' });
    assert.ok(response !== null);
    assert.equal(response.status(), 200);
    await page
      .locator('.opblock-summary-path', { hasText: '$process-message' })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const csp = await response.headerValue('content-security-policy');
    assert.ok(csp !== null, 'the page has a Content-Security-Policy');
    return { page, record, csp };
  }

  /** Requests for anything but this gateway; `data:` URLs never reach a network. */
  const foreign = (record: PageRecord): string[] =>
    record.requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);

  it('renders $process-message from files of this gateway alone, under the /docs policy', async () => {
    const { page, record, csp } = await openDocs();
    await page.screenshot({ path: `${ARTIFACTS}docs.png` });

    assert.equal(csp, DOCS_CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(csp, /unsafe/, 'no unsafe-inline or unsafe-eval');
    assert.deepEqual(foreign(record), [], 'no request left for another host');
    const paths = record.requests.map((url) => new URL(url).pathname);
    assert.ok(paths.includes('/docs'));
    assert.ok(paths.includes('/openapi.json'), 'the document came from this gateway');
    assert.ok(paths.some((path) => /^\/docs\/swagger-ui-bundle\.[0-9a-f]{12}\.js$/.test(path)));
    // Why no console error at all: Chromium reports every CSP refusal and every failed load there.
    assert.deepEqual(record.consoleErrors, []);
    assert.deepEqual(record.pageErrors, []);

    const body = await page.locator('body').innerText();
    assert.match(body, /\$process-message/);
    assert.match(body, /Enlace interoperability gateway/);
  });

  it('tries an operation out against this gateway, refused without a token and answered with one', async () => {
    const client = await harness.registerClient('docs-police', { role: 'police' });
    const tokenResponse = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(
        tokenForm(await signAssertion(harness, client), { scope: 'system/Organization.rs' }),
      ),
    });
    assert.equal(tokenResponse.status, 200);
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };

    const { page, record } = await openDocs();
    const operation = page.locator('#operations-directory-searchOrganization');
    await operation.locator('.opblock-summary-control').click();
    await operation.locator('.try-out__btn').click();
    const status = operation.locator('.live-responses-table tbody .response-col_status');

    const anonymous = page.waitForRequest((request) =>
      request.url().startsWith(`${harness.url}/fhir/Organization`),
    );
    await operation.locator('.execute').click();
    assert.equal((await anonymous).headers().authorization, undefined);
    await status.filter({ hasText: '401' }).waitFor();

    await page.locator('.auth-wrapper .authorize').click();
    const scheme = page.locator('.auth-container', { hasText: 'smartAccessToken' });
    await scheme.locator('input').fill(token);
    await scheme.locator('button.authorize').click();
    await scheme.locator('.btn-done').click();

    const authorized = page.waitForRequest((request) =>
      request.url().startsWith(`${harness.url}/fhir/Organization`),
    );
    await operation.locator('.btn-clear').click();
    await operation.locator('.execute').click();
    assert.equal((await authorized).headers().authorization, `Bearer ${token}`);
    await status.filter({ hasText: '200' }).waitFor();
    const shown = await operation
      .locator('.live-responses-table tbody .response-col_description')
      .innerText();
    assert.match(shown, /"resourceType": "Bundle"/);
    assert.match(shown, /docs-police/);
    await operation.screenshot({ path: `${ARTIFACTS}docs-try-it-out.png` });

    assert.deepEqual(foreign(record), [], 'no request left for another host');
    assert.deepEqual(record.pageErrors, []);
    // The 401 is the one expected error: Chromium logs every failed load.
    assert.deepEqual(
      record.consoleErrors.filter((text) => !/status of 401/.test(text)),
      [],
    );
  });
});
