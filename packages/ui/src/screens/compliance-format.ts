import { useEffect, useState } from 'react';
import { formatMoney } from '../money';

/**
 * How the compliance screens say things: the filing clock, a rule's evidence figures, ids, outcomes
 * and case events in words, and the keys of each screen. Pure functions (and two small hooks).
 */

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** The filing clock in words: "15 days left", "5 h left", "overdue by 2 days". */
export function dueClock(dueAtMs: number, nowMs: number): { text: string; overdue: boolean; soon: boolean } {
  const leftMs = dueAtMs - nowMs;
  const span = (ms: number) => (ms >= 2 * dayMs ? `${Math.floor(ms / dayMs)} days` : ms >= hourMs ? `${Math.floor(ms / hourMs)} h` : `${Math.max(1, Math.floor(ms / minuteMs))} min`);
  if (leftMs < 0) return { text: `overdue by ${span(-leftMs)}`, overdue: true, soon: false };
  return { text: `${span(leftMs)} left`, overdue: false, soon: leftMs < 3 * dayMs };
}

export function dateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC', timeZoneName: 'short' });
}

/** Day and time without the year, for a table column: "Dec 1, 20:27". */
export function shortDateTime(ms: number): string {
  return new Date(ms).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
}

export function dateOnly(ms: number): string {
  return new Date(ms).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** A 32-hex id shortened for a table (its last 10 digits: the random part); the whole one goes in a title. */
export function shortId(id: string): string {
  return id.length > 12 ? `…${id.slice(-10)}` : id;
}

export function words(token: string): string {
  return token.replaceAll('_', ' ');
}

export const statusLabels: Readonly<Record<string, string>> = { open: 'Open', investigating: 'Investigating', closed: 'Closed' };
export const outcomeLabels: Readonly<Record<string, string>> = { confirmed: 'Confirmed', false_positive: 'False positive', reported: 'Reported' };
export const decisionLabels: Readonly<Record<string, string>> = { allow: 'Allow', alert: 'Alert', hold: 'Hold', block: 'Block' };

/** What a timeline entry records besides its text. */
export const eventLabels: Readonly<Record<string, string>> = {
  opened: 'Opened',
  alert: 'Alert joined',
  assigned: 'Assignment',
  investigating: 'Investigation',
  closed: 'Closed',
  report_proposed: 'Report proposed',
  report_filed: 'Report filed',
  report_rejected: 'Report rejected',
  hold_decided: 'Held payment decided',
};

/**
 * An evidence figure's name and value as a reviewer reads them: `aggregateUsdMinor` is "Aggregate
 * (USD)" shown as money, `businessDayUtc` "Business day (UTC)", `cash_in` "cash in".
 */
export function evidenceFigure(key: string, value: string): { label: string; text: string } {
  const spaced = key
    .replace(/UsdMinor$/, '')
    .replace(/Utc$/, '')
    .replace(/BasisPoints$/, '')
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const label = spaced.charAt(0).toUpperCase() + spaced.slice(1);
  if (key.endsWith('UsdMinor') && /^-?\d+$/.test(value)) return { label: `${label} (USD)`, text: formatMoney(value, 'USD') };
  if (key.endsWith('BasisPoints') && /^\d+$/.test(value)) return { label, text: `${(Number(value) / 100).toFixed(2)}%` };
  if (key.endsWith('Utc')) return { label: `${label} (UTC)`, text: value };
  if (key.endsWith('Ms') && /^\d+$/.test(value)) return { label, text: durationOrDate(Number(value)) };
  return { label, text: words(value) };
}

/** A millisecond figure: a duration under ten years, else a date. */
function durationOrDate(ms: number): string {
  if (ms < 10 * 365 * dayMs) return ms % dayMs === 0 ? `${ms / dayMs} day${ms === dayMs ? '' : 's'}` : `${Math.round(ms / hourMs)} h`;
  return dateTime(ms);
}

/** A rule's parameters in words, for the scenario tables (amounts are USD cents, as text). */
export function parametersText(parameters: Readonly<Record<string, unknown>>): string {
  return Object.entries(parameters)
    .filter(([key]) => key !== 'kind')
    .map(([key, value]) => {
      if (key === 'lists' && Array.isArray(value)) return `lists ${value.map((list: { version?: string; countries?: unknown[] }) => `${list.version ?? '?'} (${list.countries?.length ?? 0} countries)`).join(', ')}`;
      const figure = evidenceFigure(key, String(value));
      return `${figure.label.charAt(0).toLowerCase()}${figure.label.slice(1)} ${figure.text}`;
    })
    .join(' · ');
}

/** A score of a screening match, 0 to 1, as a percentage. */
export function scorePercent(score: number): string {
  return `${(score * 100).toFixed(1)}%`;
}

/** Now, on a clock that moves every `everyMs`: what a due clock is measured against. */
export function useNow(everyMs = 30_000): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return nowMs;
}

/**
 * A screen's Alt+letter keys (the digits are the main menu's). `event.code` too: with Alt held, some
 * layouts turn the letter into another character. A key whose action is null is not in force.
 */
export function useAltKeys(keys: Readonly<Record<string, (() => void) | null>>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const letter = event.code.startsWith('Key') ? event.code.slice(3).toLowerCase() : event.key.toLowerCase();
      const action = keys[letter];
      if (action === undefined || action === null) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [keys]);
}
