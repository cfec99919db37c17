/**
 * Pure Slack Block Kit payloads for a rollout. Values from outside go into `plain_text` objects
 * (Slack does not parse links, mentions or formatting there); the few mrkdwn texts hold only our
 * own words plus values passed through escapeSlack.
 */
import type { RolloutEvent, RolloutReport } from '../rollout/report.ts';
import { formatValue } from '../util/format.ts';
import { isBadResult, safeLink, truncateText } from './markdown.ts';

export const SLACK_COLORS = { good: '#2EB67D', bad: '#E01E5A', progress: '#ECB22E' } as const;

const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** Slack's own escaping (&, <, >) plus bounded length: no <!channel>, <@U…> or <url|text> can form. */
function escapeSlack(s: string, max = 300): string {
  return truncateText(String(s).replace(CONTROL_CHARS, ''), max).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function plain(text: string, max = 2000): { type: 'plain_text'; text: string; emoji: false } {
  return { type: 'plain_text', text: truncateText(String(text).replace(CONTROL_CHARS, ''), max) || ' ', emoji: false };
}

/**
 * With top-level `blocks`, Slack shows `text` only in notifications (docs.slack.dev, chat.postMessage:
 * "text ... is used as a fallback string to display in notifications" when blocks are given), so
 * the title is said once: in the top-level blocks; the coloured attachment holds the rest.
 */
export interface SlackMessage {
  /** Notification / fallback text (not displayed in the channel). */
  text: string;
  blocks: unknown[];
  attachments: { color: string; blocks: unknown[] }[];
}

function statusWord(report: Readonly<RolloutReport>): string {
  switch (report.result) {
    case 'promoted':
      return 'promoted';
    case 'rolled-back':
      return 'ROLLED BACK';
    case 'aborted':
      return 'aborted';
    case 'failed':
      return 'FAILED';
    case 'noop':
      return 'nothing to do';
    default:
      return `rolling out (${formatValue(report.weight, '%')} canary)`;
  }
}

function slackColor(report: Readonly<RolloutReport>): string {
  if (isBadResult(report)) return SLACK_COLORS.bad;
  if (report.result === 'promoted' || report.result === 'noop') return SLACK_COLORS.good;
  return SLACK_COLORS.progress;
}

function stepVerdicts(report: Readonly<RolloutReport>): string {
  const icon: Record<string, string> = { pass: '✅', fail: '❌', running: '⏳', pending: '⚪', inconclusive: '❔', 'advanced-inconclusive': '⚠️', skipped: '⏭' };
  return report.steps.map((s) => `${icon[s.verdict] ?? '?'} ${formatValue(s.weight, '%')}`).join('  ') || 'no steps yet';
}

/** The full tracking message (bot mode: posted once, then updated in place). */
export function buildRolloutMessage(report: Readonly<RolloutReport>): SlackMessage {
  const service = `${report.target.namespace}/${report.target.deployment}`;
  const title = { type: 'header', text: plain(`Canary ${service}: ${statusWord(report)}`, 150) };
  const blocks: unknown[] = [];
  if (isBadResult(report) && (report.reason || report.message)) {
    blocks.push({ type: 'section', text: plain(`Reason: ${[report.reason, report.message].filter(Boolean).join(': ')}`, 2900) });
  }
  blocks.push({
    type: 'section',
    fields: [
      plain(`Service\n${service}`),
      plain(`Image\n${report.images.canary ?? 'unknown'}`),
      plain(`Weight\n${formatValue(report.weight, '%')} canary`),
      plain(`Phase\n${report.phase}`),
    ],
  });
  blocks.push({ type: 'context', elements: [plain(`Steps: ${stepVerdicts(report)}`, 2000)] });
  const lastGates = [...report.steps].reverse().find((s) => Object.keys(s.gates).length > 0);
  if (lastGates) {
    const lines = Object.entries(lastGates.gates).flatMap(([gate, check]) =>
      check.metrics.length > 0
        ? check.metrics.map((m) => `${gate} / ${m.name}: ${m.verdict} (canary ${formatValue(m.canaryValue, m.unit)}, stable ${formatValue(m.stableValue, m.unit)}${m.threshold ? `, threshold ${m.threshold}` : ''})`)
        : [`${gate}: ${check.verdict} (${check.summary})`],
    );
    blocks.push({ type: 'context', elements: [plain(lines.slice(0, 10).join('\n'), 2000)] });
  }
  const link = safeLink(report.runUrl);
  if (link) {
    blocks.push({ type: 'actions', elements: [{ type: 'button', text: plain('Workflow run', 75), url: link.slice(0, 3000) }] });
  }
  return {
    text: escapeSlack(`Canary ${service}: ${statusWord(report)}`, 300),
    blocks: [title],
    attachments: [{ color: slackColor(report), blocks }],
  };
}

/** One compact line per event (webhook mode: a new message each time). */
export function buildEventMessage(report: Readonly<RolloutReport>, event: RolloutEvent): SlackMessage {
  const service = `${report.target.namespace}/${report.target.deployment}`;
  let line: string;
  switch (event.type) {
    case 'started':
      line = `Canary ${service}: started, ${report.images.stable ?? '?'} → ${report.images.canary ?? '?'}`;
      break;
    case 'precheck':
      line = `Canary ${service}: schema check ${event.result.verdict}: ${event.result.summary}`;
      break;
    case 'step':
      line = `Canary ${service}: step ${event.stepIndex + 1}, ${formatValue(event.weight, '%')} of traffic on the canary`;
      break;
    case 'gate':
      line = `Canary ${service}: gate ${event.gate} ${event.check.verdict} at ${formatValue(event.weight, '%')}: ${event.check.summary}`;
      break;
    case 'promoting':
      line = `Canary ${service}: all steps passed, promoting`;
      break;
    case 'rolling-back':
      // The reason's text comes once, in the finished message right after.
      line = `Canary ${service}: rolling back (${event.reason})`;
      break;
    case 'finished':
      line = `Canary ${service}: ${statusWord({ ...report, result: event.result })}${isBadResult({ ...report, result: event.result }) && report.message ? `: ${report.message}` : ''}`;
      break;
  }
  const color =
    event.type === 'rolling-back' || (event.type === 'gate' && event.check.verdict === 'fail')
      ? SLACK_COLORS.bad
      : event.type === 'finished'
        ? slackColor({ ...report, result: event.result })
        : SLACK_COLORS.progress;
  // The line once (top-level section); the coloured attachment says where and links the run.
  const link = safeLink(report.runUrl);
  const context: unknown[] = [plain(service, 200)];
  if (link) context.push({ type: 'mrkdwn', text: `<${link}|Workflow run>` });
  return { text: escapeSlack(line, 300), blocks: [{ type: 'section', text: plain(line, 2900) }], attachments: [{ color, blocks: [{ type: 'context', elements: context }] }] };
}
