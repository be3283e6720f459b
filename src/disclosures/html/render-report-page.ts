// Renders her report as one printable HTML page in her language; every value is escaped by the html tag.
import type { DisclosureBasis, DisclosureEntry, DisclosureReport, Party } from '../types.js';
import { MAX_REPORT_ENTRIES } from '../types.js';
import type { ReportLanguage } from '../read-disclosure-query.js';
import type { Messages } from './messages.js';
import { messagesEn } from './messages-en.js';
import { messagesEs } from './messages-es.js';
import { PAGE_STYLE } from './page-style.js';
import { html, type SafeHtml } from './safe-html.js';

const MESSAGES: Readonly<Record<ReportLanguage, Messages>> = { es: messagesEs, en: messagesEn };

export interface PageOptions {
  readonly lang: ReportLanguage;
  /** The CSP nonce of the page's one style element. */
  readonly nonce: string;
  /** The request id, printed so the report can be traced in the ledger. */
  readonly reference: string;
}

/** Dates as she reads them: `day` for dates, `when` for date and time; both in UTC, as the page says. */
interface Dates {
  readonly day: (iso: string) => string;
  readonly when: (iso: string) => string;
}

function formatter(m: Messages, withTime: boolean): (iso: string) => string {
  const format = new Intl.DateTimeFormat(m.locale, {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  });
  return (iso) => {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : format.format(date);
  };
}

function party(m: Messages, who: Party): SafeHtml {
  const role = who.role === undefined ? undefined : (m.roles[who.role] ?? who.role);
  if (who.kind === 'person') return html`${role ?? who.name}`;
  return role === undefined
    ? html`${who.name}`
    : html`${who.name} <span class="detail">${role}</span>`;
}

function basisCell(m: Messages, basis: DisclosureBasis, { day, when }: Dates): SafeHtml {
  switch (basis.kind) {
    case 'consent':
      return html`${m.basis.consent}${basis.consents.map(
        (consent) =>
          html`<span class="detail"
            >${
              consent.recordedAt === undefined
                ? consent.reference
                : m.basis.consentRecorded(day(consent.recordedAt))
            }</span
          >`,
      )}`;
    case 'break-the-glass': {
      const { grant } = basis;
      return html`<strong class="btg-mark">⚠ ${m.basis.breakTheGlassMark}</strong>
        ${grant.justification === '' ? undefined : html`<span class="detail">${m.basis.justification}: «${grant.justification}»</span>`}
        <span class="detail"
          >${m.basis.until(when(grant.expiresAt))}${
            grant.stoppedAt === undefined ? '' : `; ${m.basis.stopped(when(grant.stoppedAt))}`
          }</span
        >
        <span class="detail">${m.basis.review[grant.review]}</span>`;
    }
    case 'case-participation':
      return html`${m.basis.caseParticipation}`;
    case 'oversight':
      return html`${m.basis.oversight}`;
  }
}

function row(m: Messages, entry: DisclosureEntry, dates: Dates): SafeHtml {
  const what =
    entry.recipient === undefined
      ? html`${m.kinds[entry.kind]}`
      : html`${m.kinds[entry.kind]} ${m.sentTo(entry.recipient.name)}`;
  const data =
    entry.dataClasses.length === 0
      ? m.none
      : entry.dataClasses.map((code) => m.dataClasses[code] ?? code).join(', ');
  const why = entry.purpose === undefined ? m.none : (m.purposes[entry.purpose] ?? entry.purpose);
  const marked = entry.basis.kind === 'break-the-glass';
  return html`<tr${marked ? html` class="btg"` : undefined}>
      <td>${dates.when(entry.at)}</td><td>${party(m, entry.who)}</td><td>${what}</td>
      <td>${data}</td><td>${why}</td><td>${basisCell(m, entry.basis, dates)}</td></tr>`;
}

function table(m: Messages, report: DisclosureReport, dates: Dates): SafeHtml {
  if (report.entries.length === 0) return html`<p>${m.empty}</p>`;
  const c = m.columns;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">${c.when}</th>
        <th scope="col">${c.who}</th>
        <th scope="col">${c.what}</th>
        <th scope="col">${c.data}</th>
        <th scope="col">${c.why}</th>
        <th scope="col">${c.basis}</th>
      </tr>
    </thead>
    <tbody>
      ${report.entries.map((entry) => row(m, entry, dates))}
    </tbody>
  </table>`;
}

/**
 * Why no pseudonym or identifier on the page: it is printed and handed over, and may be found by
 * the person she fled; it names institutions, times, purposes and bases only.
 */
export function renderReportPage(report: DisclosureReport, options: PageOptions): string {
  const m = MESSAGES[options.lang];
  const dates: Dates = { day: formatter(m, false), when: formatter(m, true) };
  const page = html`<!DOCTYPE html>
    <html lang="${m.lang}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${m.title}</title>
        <style nonce="${options.nonce}">
          ${PAGE_STYLE}
        </style>
      </head>
      <body>
        <header>
          <h1>${m.title}</h1>
          <p class="meta">${m.generatedOn}: ${dates.day(report.generatedAt)}. ${m.timesNote}</p>
        </header>
        <main>
          <p>${m.intro}</p>
          <section>
            <h2>${m.tableTitle}</h2>
            ${report.truncated ? html`<p><strong>${m.truncated(MAX_REPORT_ENTRIES)}</strong></p>` : undefined}
            ${table(m, report, dates)}
          </section>
          <section>
            <h2>${m.legendTitle}</h2>
            <dl>
              ${m.legend.map(
                (item) =>
                  html`<dt>${item.term}</dt>
                    <dd>${item.text}</dd>`,
              )}
            </dl>
          </section>
          <section>
            <h2>${m.rightsTitle}</h2>
            <ul>
              ${m.rights.map((right) => html`<li>${right}</li>`)}
            </ul>
          </section>
        </main>
        <footer>${m.reference}: ${options.reference}</footer>
      </body>
    </html> `;
  return page.markup;
}
