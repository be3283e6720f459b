// The page's language: `lang` when given, else the best of Accept-Language, else Spanish.
import Negotiator from 'negotiator';
import type { ReportLanguage } from '../read-disclosure-query.js';

const OFFERED: readonly ReportLanguage[] = ['es', 'en'];

export function chooseLanguage(
  lang: ReportLanguage | undefined,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): ReportLanguage {
  if (lang !== undefined) return lang;
  const chosen = new Negotiator({ headers }).language([...OFFERED]);
  return chosen === 'en' ? 'en' : 'es';
}
