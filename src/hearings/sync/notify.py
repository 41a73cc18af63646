"""Announcing a failed run, or one with anomalies or suspicious changes, to a webhook
(NOTIFY_WEBHOOK_URL).

The body is the run's metrics (`RunMetrics.as_dict()`, flagged and held changes under
`suspicious_changes`) plus a Slack-compatible `text` line. A
notification that cannot be delivered is logged and never fails the run. The webhook URL often
carries a token, so it is never logged; only its host is.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

from hearings.congress_api.tls import tls_context
from hearings.congresses import describe_congresses
from hearings.sync.runlog import RunMetrics

log = logging.getLogger(__name__)


def notification_text(metrics: RunMetrics) -> str:
    """One line for people: what happened, to which congress, and the run's figures."""
    if metrics.congress is not None:
        scope = f"congress {metrics.congress}"
    elif metrics.congresses:  # a run over several: "congresses 118-119"
        scope = f"congresses {describe_congresses(metrics.congresses)}"
    else:
        scope = "all congresses"
    if metrics.chamber:
        scope += f", {metrics.chamber}"
    run = f"run {metrics.run_id}, " if metrics.run_id is not None else ""
    figures = (
        f"{metrics.hearings_checked} checked, {metrics.hearings_added} added, "
        f"{metrics.hearings_updated} updated, {metrics.quarantined} quarantined, "
        f"{metrics.duration_seconds or 0:.1f} s"
    )
    if not metrics.success:
        reason = metrics.errors[0] if metrics.errors else "see the log"
        parts = [f"hearings {metrics.command} FAILED ({run}{scope}): {reason.rstrip('.')}"]
        if metrics.anomalies:
            parts.append("Anomalies: " + "; ".join(a.rstrip(".") for a in metrics.anomalies))
    elif metrics.anomalies:
        count = len(metrics.anomalies)
        noun = "anomaly" if count == 1 else "anomalies"
        parts = [
            f"hearings {metrics.command} succeeded with {count} {noun} ({run}{scope}): "
            + "; ".join(a.rstrip(".") for a in metrics.anomalies)
        ]
    else:
        parts = [f"hearings {metrics.command} succeeded ({run}{scope})"]
    if metrics.suspicious_changes:
        parts.append(suspicious_text(metrics))
    parts.append(figures)
    # One line whatever the data holds: a title's line breaks (upstream sends "\r\n") split it.
    return " ".join((". ".join(parts) + ".").split())


def _short(value: str, limit: int = 120) -> str:
    """A before or after value as the line quotes it: a 100,000-character title is cut."""
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def suspicious_text(metrics: RunMetrics) -> str:
    """The run's suspicious changes in one sentence: how many of each action, and the first few."""
    changes = metrics.suspicious_changes
    actions: dict[str, int] = {}
    for change in changes:
        actions[change.action] = actions.get(change.action, 0) + 1
    counts = ", ".join(f"{count} {action}" for action, count in sorted(actions.items()))
    shown = "; ".join(
        f"meeting {c.event_id}: {c.sentence.rstrip('.')} ({_short(c.before)} → {_short(c.after)})"
        for c in changes[:5]
    )
    total = max(metrics.suspicious_changes_total, len(changes))
    more = f"; and {total - len(changes[:5])} more" if total > 5 else ""
    return f"Suspicious changes ({counts}): {shown}{more}"


def notification_body(metrics: RunMetrics) -> dict[str, Any]:
    body = metrics.as_dict()
    body["text"] = notification_text(metrics)
    return body


def notify_webhook(
    url: str,
    metrics: RunMetrics,
    *,
    timeout: float = 10,
    transport: httpx.BaseTransport | None = None,
) -> bool:
    """POST the run's metrics as JSON; True when the receiver answered 2xx. Never raises."""
    host = urlsplit(url).hostname or "the webhook"
    try:
        with httpx.Client(
            verify=tls_context(), timeout=timeout, transport=transport, follow_redirects=False
        ) as client:
            response = client.post(
                url,
                json=notification_body(metrics),
                headers={"User-Agent": "hearings (notify)"},
            )
    except Exception as exc:  # a failed notification never fails the run
        # Not the exception's text: httpx puts the full URL (and any token in it) there.
        log.warning("notification to %s failed: %s", host, type(exc).__name__)
        return False
    if not response.is_success:
        log.warning("notification to %s was refused: HTTP %d", host, response.status_code)
        return False
    log.info("notification sent to %s", host)
    return True
