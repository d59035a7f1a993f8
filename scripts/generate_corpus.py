#!/usr/bin/env python3
"""Generate a deterministic, realistic incident knowledge base for benchmarks.

    scripts/generate_corpus.py N --seed S --out DIR [--end YYYY-MM-DD]

DIR becomes a complete, buildable project like this repository: ``docs/`` (home page,
severity policy, services, runbooks, postmortems by year, the JSON Schemas), ``mkdocs.yml``,
``hooks/incident_kb_site.py`` and ``incident-kb.toml``. Every document passes
``incident-kb validate --strict`` (notices aside), so a benchmark measures the tool on a
clean knowledge base of the size it will meet, not on a stream of findings.

The same N, seed and end date always give a byte-identical tree: one ``random.Random(seed)``
makes every choice, in a fixed order; files are written in sorted order; the clock is never
read (the corpus ends at ``--end``, 2026-11-01 unless given).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MARKER = ".incident-kb-corpus"
MARKER_HEADER = "incident-kb benchmark corpus"
DEFAULT_END = date(2026, 11, 1)
#: Years of history before the end date: enough for year folders, quarters and trends.
YEARS = 5
#: Bounds of a postmortem body in bytes (3 KiB to 8 KB, whichever way a reader counts).
BODY_MIN = 3100
BODY_MAX = 7900
TRACKER = "https://tracker.example.com"

# ---------------------------------------------------------------------------------------
# Vocabulary: services, teams, people, tags
# ---------------------------------------------------------------------------------------

# (id, name, team, tier, components, kind)
BASE_SERVICES: tuple[tuple[str, str, str, int, tuple[str, ...], str], ...] = (
    ("auth", "Authentication", "team-identity", 1, ("Login", "SSO"), "api"),
    ("api", "Public API", "team-platform", 1, ("REST API", "Webhooks"), "api"),
    ("payments", "Payments", "team-payments", 1, ("Card payments", "Payouts"), "api"),
    ("storefront", "Web storefront", "team-web", 1, ("Website", "Checkout"), "web"),
    ("search", "Product search", "team-discovery", 2, ("Search",), "api"),
    ("database", "Primary databases", "team-data-platform", 1, (), "datastore"),
    ("edge", "Edge and TLS termination", "team-traffic", 1, ("CDN",), "edge"),
    (
        "notifications",
        "Notifications",
        "team-messaging",
        2,
        ("Email", "Push notifications"),
        "worker",
    ),
    ("orders", "Orders", "team-commerce", 1, ("Order history",), "api"),
    ("catalog", "Product catalogue", "team-discovery", 2, ("Product pages",), "api"),
    ("inventory", "Inventory", "team-fulfilment", 2, ("Stock levels",), "api"),
    ("shipping", "Shipping", "team-fulfilment", 2, ("Delivery tracking",), "api"),
    ("billing", "Billing", "team-payments", 1, ("Invoices",), "worker"),
    ("ledger", "Ledger", "team-payments", 1, (), "datastore"),
    ("fraud", "Fraud screening", "team-risk", 2, (), "api"),
    ("recommendations", "Recommendations", "team-discovery", 3, ("Recommendations",), "api"),
    ("pricing", "Pricing", "team-commerce", 2, ("Prices and promotions",), "api"),
    ("cart", "Shopping cart", "team-commerce", 1, ("Cart",), "api"),
    ("media", "Media and images", "team-web", 3, ("Images",), "edge"),
    ("messaging", "Customer messaging", "team-messaging", 3, ("Chat",), "api"),
    ("analytics", "Analytics pipeline", "team-data", 3, (), "worker"),
    ("reporting", "Merchant reporting", "team-data", 3, ("Reports",), "worker"),
    ("warehouse", "Warehouse integration", "team-fulfilment", 2, (), "worker"),
    ("returns", "Returns", "team-fulfilment", 3, ("Returns portal",), "api"),
    ("support", "Support tooling", "team-support-eng", 3, ("Help centre",), "web"),
    ("webhooks", "Webhook delivery", "team-platform", 2, ("Webhook delivery",), "worker"),
    ("scheduler", "Job scheduler", "team-platform", 2, (), "worker"),
    ("identity-admin", "Identity administration", "team-identity", 3, ("Admin console",), "web"),
    ("kafka", "Event streaming", "team-data-platform", 1, (), "datastore"),
    ("redis", "Shared Redis", "team-data-platform", 2, (), "datastore"),
    ("dns", "Internal DNS", "team-traffic", 1, (), "edge"),
    ("mobile-gateway", "Mobile gateway", "team-mobile", 1, ("Mobile app",), "api"),
    ("loyalty", "Loyalty programme", "team-commerce", 3, ("Loyalty points",), "api"),
    ("tax", "Tax calculation", "team-payments", 2, (), "api"),
    ("subscriptions", "Subscriptions", "team-payments", 2, ("Subscriptions",), "worker"),
    ("reviews", "Product reviews", "team-discovery", 4, ("Reviews",), "api"),
    ("feature-flags", "Feature flag service", "team-platform", 2, (), "api"),
    ("ci", "Build and deploy pipeline", "team-platform", 3, (), "worker"),
    ("observability", "Observability stack", "team-sre", 2, (), "datastore"),
    ("storage", "Object storage gateway", "team-data-platform", 2, (), "datastore"),
)
QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("worker", "worker"),
    ("sync", "sync"),
    ("export", "export"),
    ("indexer", "indexer"),
    ("gateway", "gateway"),
    ("archive", "archive"),
    ("events", "events"),
    ("ingest", "ingest"),
    ("cache", "cache"),
    ("admin", "admin"),
)
REGIONS = ("eu", "us", "apac")
CLOUD_REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2")

PEOPLE = (
    "aaron", "alice", "amir", "beatriz", "bianca", "bob", "carlos", "carol", "chen", "daria",
    "dave", "dmitri", "elif", "emeka", "erin", "fatima", "felix", "frank", "grace", "greta",
    "gustavo", "hana", "heidi", "hugo", "ines", "isla", "ivan", "jamal", "jonas", "judy",
    "keiko", "kim", "kofi", "lars", "lena", "leo", "mateo", "maya", "nikhil", "nina", "noor",
    "olga", "omar", "oskar", "pablo", "peggy", "priya", "quinn", "rahul", "rania", "rosa",
    "sam", "sofia", "sven", "tanvi", "tariq", "tom", "ugo", "ulla", "uma", "valentina", "vera",
    "victor", "wei", "wendy", "xavier", "yara", "yuki", "yusuf", "zainab", "zoe",
)  # fmt: skip

SEVERITIES = ("SEV-1", "SEV-2", "SEV-3", "SEV-4")
SEVERITY_WEIGHTS = (6, 22, 45, 27)
SP_IMPACT = {"SEV-1": "critical", "SEV-2": "major", "SEV-3": "minor", "SEV-4": "minor"}
COMPONENT_STATE = {
    "SEV-1": ("major_outage", "major_outage", "partial_outage"),
    "SEV-2": ("partial_outage", "partial_outage", "major_outage", "degraded_performance"),
    "SEV-3": ("degraded_performance", "degraded_performance", "partial_outage"),
    "SEV-4": ("degraded_performance",),
}
USERS_PCT = {"SEV-1": (30, 100), "SEV-2": (5, 40), "SEV-3": (1, 12), "SEV-4": (0, 2)}
#: Minutes from detection to mitigation, per level.
TTM = {"SEV-1": (12, 110), "SEV-2": (15, 200), "SEV-3": (20, 420), "SEV-4": (45, 1800)}

# ---------------------------------------------------------------------------------------
# Triggers: what caused an incident, with the prose, tags and follow-ups that go with it
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """One kind of cause. Text fields are templates filled from an incident's slots."""

    key: str
    tags: tuple[str, ...]
    symptoms: tuple[str, ...]
    titles: tuple[str, ...]
    changes: tuple[str, ...]
    causes: tuple[str, ...]
    factors: tuple[tuple[str, str], ...]
    prelude: tuple[str, ...]
    diagnosis: tuple[str, ...]
    mitigation: tuple[str, ...]
    actions: tuple[tuple[str, str], ...]
    logs: tuple[str, ...]
    wrong: tuple[str, ...]


TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        key="deploy",
        tags=("deploy", "regression", "release", "canary"),
        symptoms=("errors", "latency", "outage"),
        titles=(
            "{comp} {symptom_title} after {a_svc_lower} release",
            "{svc} {symptom_title} after deploying {version}",
            "{comp} {symptom_title} from a regression in {svc_lower} {version}",
        ),
        changes=("the {version} release of `{svc_id}`", "a routine deploy of `{svc_id}`"),
        causes=(
            "The {version} release of `{svc_id}` changed how requests to {dep} are retried. "
            "Under normal load the change was invisible, but during the {peak} peak every "
            "slow call to {dep} was retried three times, and the extra load pushed {dep} past "
            "its connection limit.",
            "A refactoring in `{svc_id}` {version} moved a lookup out of a cached code path. "
            "Each request now made an extra call to {dep}, which tripled its traffic within "
            "minutes of the rollout reaching all {pods} pods.",
            "Release {version} of `{svc_id}` included a dependency upgrade that changed the "
            "default request timeout from 10 seconds to 1 second. Calls to {dep} that take "
            "longer at the {peak} peak started to fail, and the failures surfaced as errors "
            "on {comp}.",
        ),
        factors=(
            (
                "The canary did not see the traffic that triggers the problem.",
                "The canary stage runs on 5% of pods for 10 minutes and compares error rates. "
                "The affected requests are less than 1% of traffic outside the {peak} peak, so "
                "the canary passed with no measurable difference.",
            ),
            (
                "The change was reviewed as a refactoring.",
                "The pull request described the change as moving code between modules. The "
                "behaviour change sat in a library default that the diff did not show, and "
                "nothing in the review checklist asks about changed timeouts or retries.",
            ),
            (
                "Rollback took longer than the release.",
                "The deploy pipeline rolls back by building the previous tag again. With a "
                "cold build cache this took {rollback_min} minutes, while the release itself "
                "had reached every pod in under ten.",
            ),
            (
                "Retries multiplied the load on a shared dependency.",
                "`{svc_id}` retried failed calls to {dep} without a budget or jitter. Once "
                "{dep} slowed down, retries from every pod arrived in waves and kept it "
                "saturated after the original spike had passed.",
            ),
        ),
        prelude=("Deploy of `{svc_id}` {version} starts (change {change_no}).",),
        diagnosis=(
            "{sme} links the error spike to the {version} rollout on the deploy dashboard.",
            "{sme} confirms the errors come only from pods running {version}.",
        ),
        mitigation=(
            "`{svc_id}` rolled back to {old_version}.",
            "Rollout of {version} paused and traffic shifted to pods on {old_version}.",
        ),
        actions=(
            (
                "prevent",
                "Add a canary check on p99 latency and error rate per endpoint for {svc_id}",
            ),
            ("prevent", "Set a retry budget with jitter for calls from {svc_id} to {dep_id}"),
            ("mitigate", "Keep the previous {svc_id} image warm so that a rollback takes minutes"),
            (
                "detect",
                "Alert on deploys that change the request rate to {dep_id} by more than 50%",
            ),
            ("process", "Add changed timeouts and retries to the {svc_id} review checklist"),
            ("prevent", "Pin library defaults for timeouts in the {svc_id} HTTP client"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: upstream {dep_id} request failed: context deadline exceeded "
            "(attempt 3/3)",
            "{ts} WARN  {svc_id}: retry budget exhausted for {dep_id}, returning 503",
            "{ts} ERROR {svc_id}: handler /v2/{path} failed: upstream timeout after 1000ms",
        ),
        wrong=(
            "The rollback decision waited for a root cause: the release was the only recent "
            "change, and rolling back first would have saved about {saved} minutes.",
        ),
    ),
    Trigger(
        key="config",
        tags=("config-change", "configuration", "rollout"),
        symptoms=("errors", "outage"),
        titles=(
            "{comp} {symptom_title} after a configuration push",
            "{svc} {symptom_title} from {a_svc_lower} config change",
            "{comp} {symptom_title} after a routing configuration update",
        ),
        changes=("a configuration push to `{svc_id}`", "an update of the `{svc_id}` routing table"),
        causes=(
            "A configuration change for `{svc_id}` was pushed to all regions at once. It "
            "contained a value in the wrong unit (seconds where the service reads "
            "milliseconds), so every connection to {dep} timed out almost immediately.",
            "A change to the `{svc_id}` routing configuration removed a route that was still "
            "in use. The configuration was valid, so the push succeeded everywhere, and "
            "requests for {comp} were answered with 404 until the route came back.",
            "The `{svc_id}` configuration is rendered from a template shared with other "
            "services. A change meant for another service altered a default, and `{svc_id}` "
            "picked it up on its next reload.",
        ),
        factors=(
            (
                "Configuration reached every region at once.",
                "Code changes go through a staged rollout, one region at a time with a bake "
                "period, but configuration pushes go everywhere in one step. The blast radius "
                "of a bad value was the whole fleet.",
            ),
            (
                "Validation checked syntax, not meaning.",
                "The pipeline validates the configuration against a schema that checks types "
                "and required keys. A number in the wrong unit is still a valid number.",
            ),
            (
                "The shared template hid the change.",
                "The diff in the pull request showed the template, not the rendered "
                "configuration of each service, so the reviewers could not see that `{svc_id}` "
                "was affected.",
            ),
            (
                "Reverting needed a second push.",
                "There is no one-step revert for configuration. The fix was a new change "
                "through the same pipeline, with the same checks, which took {rollback_min} "
                "minutes.",
            ),
        ),
        prelude=("Configuration change {change_no} for `{svc_id}` is pushed to all regions.",),
        diagnosis=(
            "{sme} matches the start of the errors to configuration change {change_no}.",
            "{sme} finds the changed value in the rendered `{svc_id}` configuration.",
        ),
        mitigation=(
            "Configuration change {change_no} reverted and `{svc_id}` reloaded.",
            "Previous `{svc_id}` configuration restored from the last known good version.",
        ),
        actions=(
            ("prevent", "Roll out {svc_id} configuration one region at a time with a bake period"),
            ("prevent", "Validate units and ranges of {svc_id} timeouts in the config pipeline"),
            ("mitigate", "Add a one-step revert to the configuration pipeline"),
            ("detect", "Show the rendered configuration diff of every affected service in review"),
            ("process", "Require an owner review for changes to shared configuration templates"),
            ("detect", "Alert on configuration reload errors for {svc_id}"),
        ),
        logs=(
            "{ts} INFO  {svc_id}: configuration reloaded (version {change_no})",
            "{ts} ERROR {svc_id}: dial {dep_id}: i/o timeout after 0.5ms",
            "{ts} WARN  {svc_id}: no route for path /api/{path}, returning 404",
        ),
        wrong=(
            "The configuration change was not on the change calendar, so the first responders "
            "spent {saved} minutes looking at code deploys.",
        ),
    ),
    Trigger(
        key="feature-flag",
        tags=("feature-flag", "rollout", "regression"),
        symptoms=("errors", "latency"),
        titles=(
            "{comp} {symptom_title} after a feature flag rollout",
            "{comp} {symptom_title} when {a_svc_lower} flag reached all customers",
        ),
        changes=("the rollout of the `{flag}` flag", "raising the `{flag}` flag to 100%"),
        causes=(
            "The `{flag}` flag was raised from 10% to 100% of customers. The new code path "
            "it enables makes a synchronous call to {dep} that the old path made in the "
            "background, and {dep} could not serve the full traffic.",
            "Turning on `{flag}` for all customers enabled a query that scans a table "
            "without an index. At 10% the query was slow but tolerable; at 100% it saturated "
            "the database behind `{svc_id}`.",
        ),
        factors=(
            (
                "The flag went from 10% to 100% in one step.",
                "The rollout plan had intermediate steps, but the flag tool allows any jump, "
                "and the step to 100% was taken on the morning after a quiet night at 10%.",
            ),
            (
                "Flag changes are not visible next to deploys.",
                "The deploy dashboard shows releases but not flag changes, so the first "
                "responders looked at the last release, which was two days old.",
            ),
            (
                "Load testing covered the old path only.",
                "The weekly load test replays recorded traffic with flags in their default "
                "state. The new path had never run at full volume before.",
            ),
        ),
        prelude=("Flag `{flag}` raised from 10% to 100% of customers.",),
        diagnosis=(
            "{sme} finds the change to `{flag}` in the flag audit log.",
            "{sme} sees the new query at the top of the slow query log.",
        ),
        mitigation=("Flag `{flag}` set back to 10%.", "Flag `{flag}` turned off."),
        actions=(
            ("prevent", "Limit flag rollouts to steps of at most 25% with a bake period"),
            (
                "detect",
                "Show flag changes on the {svc_id} deploy dashboard and in the incident channel",
            ),
            ("prevent", "Run the weekly load test with new flags enabled"),
            ("mitigate", "Add a kill switch for the {flag} code path to the runbook"),
            ("process", "Name an owner and a rollout plan for every flag that changes a hot path"),
        ),
        logs=(
            "{ts} INFO  flags: {flag} rollout changed from 10% to 100%",
            "{ts} WARN  {svc_id}: slow query (4.2s) on {path}",
        ),
        wrong=(
            "The flag change was found by searching the audit log by hand; it took {saved} "
            "minutes to connect it to the errors.",
        ),
    ),
    Trigger(
        key="certificate",
        tags=("certificate", "tls", "expiry"),
        symptoms=("outage", "errors"),
        titles=(
            "{comp} {symptom_title} after a TLS certificate expired",
            "{comp} {symptom_title} after a certificate rotation",
        ),
        changes=(
            "the expiry of the `{host}` certificate",
            "a rotation of the `{host}` certificate",
        ),
        causes=(
            "The TLS certificate for `{host}` expired at {start_hm} UTC. It had been issued by "
            "hand two years ago, outside the automated renewal, and the reminder went to a "
            "mailing list that no longer exists.",
            "The certificate for `{host}` was rotated on schedule, but the new chain was "
            "missing an intermediate certificate. Browsers with the intermediate cached kept "
            "working, while API clients and older devices failed the handshake.",
        ),
        factors=(
            (
                "The certificate was outside automated renewal.",
                "Most certificates renew automatically 30 days before expiry. This one was "
                "issued by hand during a migration and was never moved to the renewal "
                "automation.",
            ),
            (
                "Expiry monitoring watched a different endpoint.",
                "The certificate expiry check probed the load balancer's default certificate, "
                "not the one served for `{host}`.",
            ),
            (
                "The chain was not validated after rotation.",
                "The rotation job checks that the new certificate is valid, but not that the "
                "served chain is complete from a client without cached intermediates.",
            ),
        ),
        prelude=("Certificate for `{host}` reaches its expiry time.",),
        diagnosis=(
            "{sme} confirms the handshake failure with `openssl s_client` against `{host}`.",
            "{sme} finds the certificate outside the renewal inventory.",
        ),
        mitigation=(
            "New certificate for `{host}` issued and deployed to the edge.",
            "Complete certificate chain deployed for `{host}`.",
        ),
        actions=(
            ("prevent", "Move every certificate for {svc_id} to automated renewal"),
            ("detect", "Probe the served certificate of every public hostname daily"),
            ("prevent", "Validate the full chain from a clean client after each rotation"),
            ("process", "Keep an inventory of certificates with an owning team for each"),
            ("detect", "Page 14 days before any certificate expires, not only email"),
        ),
        logs=(
            "{ts} ERROR edge: TLS handshake error from client: remote error: certificate expired",
            "{ts} ERROR {svc_id}: x509: certificate signed by unknown authority",
        ),
        wrong=("The expiry warnings were sent by email to an address nobody reads.",),
    ),
    Trigger(
        key="capacity",
        tags=("capacity", "traffic-spike", "load"),
        symptoms=("latency", "errors", "outage"),
        titles=(
            "{comp} {symptom_title} during a traffic spike",
            "{svc} {symptom_title} under {peak} peak load",
            "{comp} {symptom_title} after a marketing campaign",
        ),
        changes=("a traffic spike from a marketing campaign", "the {peak} traffic peak"),
        causes=(
            "A marketing campaign sent {count} customers to {comp} within ten minutes, about "
            "{factor} times the usual peak. `{svc_id}` ran at its autoscaling maximum of "
            "{pods} pods, and the remaining requests queued until they timed out.",
            "Traffic during the {peak} peak was {factor} times the forecast. The extra load "
            "landed on {dep}, whose capacity had been sized for last year's peak, and "
            "`{svc_id}` timed out waiting for it.",
        ),
        factors=(
            (
                "Capacity was planned for last year's peak.",
                "The capacity plan for `{svc_id}` is reviewed once a year and had not been "
                "updated after the customer base grew by about 40%.",
            ),
            (
                "The autoscaling maximum was a hard ceiling.",
                "`{svc_id}` scales on CPU up to {pods} pods. The maximum was set to protect "
                "{dep} from connection storms, but nobody revisited it when {dep} grew.",
            ),
            (
                "Marketing campaigns are not announced to on-call.",
                "The campaign was planned weeks ahead, but the engineering on-call learned "
                "about it from the graphs.",
            ),
        ),
        prelude=("Campaign email reaches about {count} customers.",),
        diagnosis=(
            "{sme} sees `{svc_id}` at its autoscaling maximum with CPU at 95%.",
            "{sme} correlates the request rate with the campaign send time.",
        ),
        mitigation=(
            "`{svc_id}` maximum raised from {pods} to {new_pods} pods.",
            "Rate limit for anonymous traffic lowered at the edge; `{svc_id}` scaled out.",
        ),
        actions=(
            ("prevent", "Review the {svc_id} capacity plan every quarter against real peaks"),
            ("process", "Share the marketing campaign calendar with on-call teams"),
            ("mitigate", "Add a load-shedding mode to {svc_id} for anonymous traffic"),
            ("detect", "Alert when {svc_id} runs at its autoscaling maximum for 5 minutes"),
            ("prevent", "Load test {svc_id} at twice the forecast peak before each season"),
        ),
        logs=(
            "{ts} WARN  {svc_id}: request queue full (1024), rejecting with 503",
            "{ts} INFO  hpa/{svc_id}: desired replicas {pods} (at maximum)",
        ),
        wrong=(
            "Scaling out needed a change to the deploy configuration, which took {saved} minutes.",
        ),
    ),
    Trigger(
        key="connection-pool",
        tags=("connection-pool", "database", "capacity"),
        symptoms=("errors", "latency", "outage"),
        titles=(
            "{comp} {symptom_title} from database connection pool exhaustion",
            "{svc} {symptom_title} after its connection pool ran out",
        ),
        changes=("a connection storm on the `{svc_id}` database",),
        causes=(
            "Every `{svc_id}` pod keeps its own pool of {pool} connections to the database. "
            "When the pod count grew from {pods} to {new_pods}, the total went past the "
            "usable connections of the primary, and new requests waited for a connection "
            "until they timed out.",
            "A slow query held connections for seconds instead of milliseconds. The pools of "
            "all `{svc_id}` pods filled up within a minute, and requests failed with pool "
            "timeouts although the database itself was healthy.",
        ),
        factors=(
            (
                "Pod count drives database connections.",
                "There is no connection pooler in front of the database. Each new pod opens "
                "its whole pool at startup, so scaling out adds connections in steps of "
                "{pool}.",
            ),
            (
                "Pool metrics were missing.",
                "The dashboards showed database CPU and query latency, but not pool usage or "
                "wait time per pod, so the saturation was invisible for the first "
                "{saved} minutes.",
            ),
            (
                "The runbook restarted pods.",
                "The first step of the runbook restarts saturated pods. During a connection "
                "storm each restart opens a fresh pool and adds to the load.",
            ),
        ),
        prelude=("`{svc_id}` scales from {pods} to {new_pods} pods.",),
        diagnosis=(
            "{sme} finds `pool timeout` errors in the `{svc_id}` logs.",
            "{sme} shows connections by role on the primary: the limit is reached.",
        ),
        mitigation=(
            "`{svc_id}` scaled back to {pods} pods and idle sessions terminated.",
            "Slow query cancelled and its endpoint disabled; pools drain.",
        ),
        actions=(
            (
                "prevent",
                "Put a transaction-mode connection pooler in front of the {svc_id} database",
            ),
            ("detect", "Add pool usage and wait time per pod to the {svc_id} dashboard"),
            ("prevent", "Set a connection limit per database role"),
            ("mitigate", "Remove the pod restart step from the connection pool runbook"),
            (
                "prevent",
                "Derive the {svc_id} autoscaling maximum from the database connection limit",
            ),
        ),
        logs=(
            "{ts} ERROR {svc_id}: pool timeout: acquiring connection after 5s",
            "{ts} FATAL postgres: sorry, too many clients already",
        ),
        wrong=(
            "Restarting pods early in the response made the connection storm worse for a few "
            "minutes.",
        ),
    ),
    Trigger(
        key="replica-lag",
        tags=("database", "replication", "backfill"),
        symptoms=("stale", "latency"),
        titles=(
            "{comp} showing stale data from replica lag",
            "{svc} {symptom_title} while a backfill lagged the replicas",
        ),
        changes=("a backfill on the `{svc_id}` database",),
        causes=(
            "A backfill updated {count} rows in one transaction per batch of 50,000. The "
            "replicas replayed each batch in a single thread, fell {lag} minutes behind the "
            "primary, and read traffic for {comp} saw data that old.",
            "A vacuum on a large table on the primary produced WAL faster than the replicas "
            "could apply it. Reads from the replicas returned results up to {lag} minutes "
            "old.",
        ),
        factors=(
            (
                "Backfills did not watch replica lag.",
                "The backfill helper throttles on primary CPU, not on replica lag, so it "
                "kept going at full speed while the replicas fell behind.",
            ),
            (
                "Reads go to replicas without a freshness check.",
                "{comp} reads from replicas for performance. Nothing checks how far behind a "
                "replica is before sending it traffic.",
            ),
            (
                "The change was not on the change calendar.",
                "Large data changes are supposed to be announced, but the backfill was "
                "treated as routine maintenance.",
            ),
        ),
        prelude=("Backfill job starts on the `{svc_id}` primary.",),
        diagnosis=(
            "{sme} sees replication lag at {lag} minutes on all replicas.",
            "{sme} identifies the backfill as the source of the WAL volume.",
        ),
        mitigation=("Backfill paused; replicas catch up.", "Read traffic moved to the primary."),
        actions=(
            ("prevent", "Make the backfill helper pause when replica lag passes 30 seconds"),
            ("mitigate", "Route reads away from replicas that lag by more than a minute"),
            ("process", "Require a change calendar entry for backfills above one million rows"),
            ("detect", "Alert on replica lag above 60 seconds for 5 minutes"),
        ),
        logs=(
            "{ts} WARN  {svc_id}: replica lag 1843s exceeds read threshold",
            "{ts} INFO  backfill: batch 212/900 committed (50000 rows)",
        ),
        wrong=("The backfill kept running for {saved} minutes after the lag was noticed.",),
    ),
    Trigger(
        key="cache",
        tags=("cache", "thundering-herd", "capacity"),
        symptoms=("latency", "errors"),
        titles=(
            "{comp} {symptom_title} after a cache miss storm",
            "{svc} {symptom_title} after cache nodes restarted",
        ),
        changes=("a restart of the `{svc_id}` cache nodes",),
        causes=(
            "Two cache nodes in front of `{svc_id}` restarted within minutes of each other "
            "and came back empty. The hit ratio fell from {hit}% to about half of that, and "
            "the backend received {factor} times its normal traffic.",
            "A change to cache keys in `{svc_id}` invalidated every entry at once. All "
            "requests went to the backend until the cache filled again.",
        ),
        factors=(
            (
                "Ready did not mean warm.",
                "A cache node reports ready as soon as it accepts connections, so the "
                "disruption budget allowed another node to restart while the first was "
                "still cold.",
            ),
            (
                "No request coalescing on misses.",
                "Every miss for the same key went to the backend separately, so a popular "
                "key produced hundreds of identical backend requests.",
            ),
            (
                "Key changes were not treated as risky.",
                "Changing the cache key format empties the cache. The change was reviewed as "
                "a refactoring.",
            ),
        ),
        prelude=("Cache node `{svc_id}-cache-2` restarts and comes back empty.",),
        diagnosis=(
            "{sme} sees the cache hit ratio drop on the `{svc_id}` dashboard.",
            "{sme} confirms backend traffic at {factor} times normal.",
        ),
        mitigation=(
            "Degraded mode enabled for `{svc_id}` and a cache warm-up started.",
            "Request coalescing enabled for the hottest keys.",
        ),
        actions=(
            ("prevent", "Report cache nodes ready only after warm-up"),
            ("mitigate", "Coalesce concurrent cache misses for the same key in {svc_id}"),
            ("detect", "Alert on the cache hit ratio falling by more than 20 points in 5 minutes"),
            ("process", "Treat cache key format changes as risky changes with a rollout plan"),
        ),
        logs=(
            "{ts} INFO  {svc_id}-cache-2: ready, keys=0",
            "{ts} WARN  {svc_id}: backend latency p99 2300ms (cache miss)",
        ),
        wrong=(
            "Degraded mode was enabled only after {saved} minutes because its switch was not in "
            "the runbook.",
        ),
    ),
    Trigger(
        key="queue",
        tags=("queue", "backlog", "poison-message"),
        symptoms=("delay",),
        titles=(
            "{comp} {symptom_title} by a queue backlog",
            "{comp} {symptom_title} after a poison message blocked the consumers",
        ),
        changes=("a malformed message on the `{queue}` queue",),
        causes=(
            "A malformed message on `{queue}` made the consumer crash. The message went back "
            "to the head of the queue after each crash, so every consumer picked it up in "
            "turn and the backlog grew to {count} messages.",
            "The consumers of `{queue}` slowed down after {dep} started answering in seconds "
            "instead of milliseconds. The backlog grew faster than it drained, and {comp} "
            "were delivered up to {lag} minutes late.",
        ),
        factors=(
            (
                "No dead-letter limit on the queue.",
                "A message that fails is requeued forever. One bad message can block every "
                "consumer.",
            ),
            (
                "Consumer concurrency was fixed.",
                "`{svc_id}` runs a fixed number of consumers and does not scale on queue "
                "depth, so the backlog had no way to drain faster.",
            ),
            (
                "Queue age was not alerted on.",
                "The alert watched queue depth, which grows slowly at night, instead of the "
                "age of the oldest message.",
            ),
        ),
        prelude=("Malformed message published to `{queue}`.",),
        diagnosis=(
            "{sme} sees the same message id in every consumer crash.",
            "{sme} measures the age of the oldest message at {lag} minutes.",
        ),
        mitigation=(
            "Message moved to a quarantine queue; consumers resume.",
            "Consumers of `{queue}` scaled from 4 to 16.",
        ),
        actions=(
            ("prevent", "Move messages that fail 5 times on {queue} to a dead-letter queue"),
            ("mitigate", "Scale {svc_id} consumers on the age of the oldest message"),
            ("detect", "Alert on the age of the oldest message on {queue}"),
            ("prevent", "Validate message schemas at publish time"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: consumer crashed on message {change_no}: unexpected end of JSON "
            "input",
            "{ts} WARN  {svc_id}: oldest message on {queue} is 1920s old",
        ),
        wrong=("The backlog had been growing for {saved} minutes before the alert fired.",),
    ),
    Trigger(
        key="dependency",
        tags=("third-party", "dependency", "provider"),
        symptoms=("errors", "delay", "outage"),
        titles=(
            "{comp} {symptom_title} during a provider outage",
            "{comp} {symptom_title} after an upstream provider degraded",
        ),
        changes=("a degradation at an external provider",),
        causes=(
            "Our external provider for {comp} had a partial outage in {region}. About "
            "{pct}% of calls from `{svc_id}` failed or timed out, and the automatic failover "
            "to the secondary provider did not trigger because the health check saw the "
            "provider as up.",
            "An external provider started rate limiting our account after a change on their "
            "side. `{svc_id}` treated the 429 responses as permanent errors and did not "
            "retry, so {comp} failed for affected customers.",
        ),
        factors=(
            (
                "The health check tested reachability, not success.",
                "The provider health check sends a ping that succeeded throughout. Failover "
                "needs real requests to fail, which the check never saw.",
            ),
            (
                "Failover was manual in practice.",
                "The secondary provider is configured, but switching needs a configuration "
                "change that the on-call had not done before.",
            ),
            (
                "The provider's status page lagged.",
                "The provider's own status page reported the incident {saved} minutes after "
                "our customers did.",
            ),
        ),
        prelude=("Error rate from the external provider begins to rise in {region}.",),
        diagnosis=(
            "{sme} confirms the errors come from the provider, not from `{svc_id}`.",
            "{sme} opens a ticket with the provider's support.",
        ),
        mitigation=(
            "Traffic failed over to the secondary provider.",
            "Provider raises our rate limit; retries drain the backlog.",
        ),
        actions=(
            ("prevent", "Fail over to the secondary provider on real error rates, not pings"),
            ("mitigate", "Practise provider failover for {svc_id} every quarter"),
            ("detect", "Alert on error rates per provider and region"),
            ("process", "Agree on an escalation contact with the provider"),
            ("prevent", "Retry provider 429 responses with backoff in {svc_id}"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: provider request failed: 503 Service Unavailable ({region})",
            "{ts} WARN  {svc_id}: provider answered 429 Too Many Requests",
        ),
        wrong=(
            "Nobody on the rota had done a provider failover before, and finding the procedure "
            "took {saved} minutes.",
        ),
    ),
    Trigger(
        key="dns",
        tags=("dns", "network", "config-change"),
        symptoms=("errors", "outage"),
        titles=(
            "{comp} {symptom_title} after a DNS change",
            "{svc} {symptom_title} from DNS resolution failures",
        ),
        changes=("a change to internal DNS records",),
        causes=(
            "A DNS change for `{host}` lowered the record's TTL and pointed it at a new load "
            "balancer that was not yet serving {region}. Clients in that region resolved the "
            "new address and their connections failed.",
            "The internal resolvers ran out of memory under a burst of lookups from "
            "`{svc_id}`, which does not cache DNS answers. Lookups failed for all services "
            "in {region} for several minutes.",
        ),
        factors=(
            (
                "Clients did not cache DNS answers.",
                "`{svc_id}` resolves `{host}` on every request. A short resolver problem "
                "became an immediate error for every request.",
            ),
            (
                "DNS changes skipped staging.",
                "The record exists only in production, so the change could not be tested "
                "anywhere else and went live directly.",
            ),
        ),
        prelude=("DNS change for `{host}` published.",),
        diagnosis=(
            "{sme} sees `NXDOMAIN` and timeouts in the resolver logs.",
            "{sme} confirms `{host}` resolves to the new address in {region}.",
        ),
        mitigation=("DNS record for `{host}` reverted.", "Resolvers scaled out and restarted."),
        actions=(
            ("prevent", "Cache DNS answers in {svc_id} for at least 30 seconds"),
            ("prevent", "Publish DNS changes with a weighted rollout"),
            ("detect", "Alert on resolver error rates per region"),
            ("mitigate", "Add resolver capacity headroom of 50% in every region"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: lookup {host}: i/o timeout",
            "{ts} WARN  resolver: out of memory, dropping queries",
        ),
        wrong=("The DNS change was made without a rollback plan.",),
    ),
    Trigger(
        key="disk",
        tags=("storage", "disk", "capacity"),
        symptoms=("errors", "outage", "delay"),
        titles=(
            "{svc} {symptom_title} after a disk filled up",
            "{comp} {symptom_title} when log volume filled a disk",
        ),
        changes=("a disk filling up on a `{svc_id}` node",),
        causes=(
            "Debug logging left on after an earlier investigation wrote {count} log lines an "
            "hour on the `{svc_id}` nodes. The data disk filled up, and `{svc_id}` could no "
            "longer write its state.",
            "WAL archiving to object storage stalled for hours, and the disk of the "
            "`{svc_id}` primary filled with WAL segments until writes stopped.",
        ),
        factors=(
            (
                "The disk alert fired too late.",
                "The alert fires at 95% usage. At the rate of this incident that left less "
                "than ten minutes to react.",
            ),
            (
                "Temporary settings had no expiry.",
                "Debug logging was turned on by hand, and nothing turns it off again.",
            ),
        ),
        prelude=("Disk usage on the `{svc_id}` nodes passes 90%.",),
        diagnosis=(
            "{sme} finds the data disk at 100% on three nodes.",
            "{sme} identifies the log volume as the source of the growth.",
        ),
        mitigation=(
            "Old files removed and the disk expanded.",
            "Debug logging turned off; disk space freed.",
        ),
        actions=(
            ("detect", "Alert on the time until a disk is full, not on a fixed percentage"),
            ("prevent", "Expire temporary log level changes after 24 hours"),
            ("mitigate", "Reserve 10% of each data disk for emergencies"),
            ("detect", "Alert when WAL archiving falls behind for 15 minutes"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: write failed: no space left on device",
            "{ts} WARN  node-exporter: filesystem /data 97% full",
        ),
        wrong=("The disk alert went to a channel that is not watched at night.",),
    ),
    Trigger(
        key="memory",
        tags=("memory-leak", "oom", "kubernetes"),
        symptoms=("errors", "latency"),
        titles=(
            "{comp} {symptom_title} from out-of-memory restarts",
            "{svc} {symptom_title} from a memory leak",
        ),
        changes=("a memory leak in `{svc_id}` {version}",),
        causes=(
            "`{svc_id}` {version} kept a reference to every response in a debugging map. "
            "Memory grew by about 200 MB an hour, and pods were killed for running out of "
            "memory every few hours, each time failing the requests in flight.",
            "A larger product catalogue raised the memory needed by `{svc_id}` past its "
            "limit. Pods restarted in a loop, and the remaining pods took the extra load "
            "until they failed too.",
        ),
        factors=(
            (
                "Memory limits were set years ago.",
                "The limit of `{svc_id}` had not changed while the data it holds grew by a "
                "factor of three.",
            ),
            (
                "Restarts were not alerted on.",
                "Out-of-memory restarts are visible on the dashboard but do not alert, so the "
                "slow growth went unnoticed for days.",
            ),
        ),
        prelude=("`{svc_id}` pods begin restarting after running out of memory.",),
        diagnosis=(
            "{sme} sees out-of-memory kills on {pods} pods in the last hour.",
            "{sme} takes a heap profile and finds the growing map.",
        ),
        mitigation=(
            "Memory limit raised and `{svc_id}` restarted.",
            "`{svc_id}` rolled back to {old_version}.",
        ),
        actions=(
            ("detect", "Alert on out-of-memory restarts of {svc_id}"),
            ("prevent", "Review memory limits of {svc_id} every quarter"),
            ("prevent", "Add a memory soak test to the {svc_id} release pipeline"),
            ("mitigate", "Shed load before pods reach their memory limit"),
        ),
        logs=(
            "{ts} WARN  kubelet: container {svc_id} OOMKilled (limit 2Gi)",
            "{ts} INFO  {svc_id}: heap in use 1.9 GiB",
        ),
        wrong=("The restarts had been happening for days before they caused customer impact.",),
    ),
    Trigger(
        key="network",
        tags=("network", "load-balancer", "zone-failure"),
        symptoms=("errors", "outage", "latency"),
        titles=(
            "{comp} {symptom_title} during a network partition in {region}",
            "{comp} {symptom_title} after load balancer targets went unhealthy",
        ),
        changes=("a network partition between zones in {region}",),
        causes=(
            "A network partition between two zones in {region} cut `{svc_id}` off from "
            "{dep}. Requests routed to the isolated zone failed, and the load balancer kept "
            "sending traffic there because its health checks run inside the zone.",
            "A load balancer change marked half of the `{svc_id}` targets unhealthy. The "
            "remaining targets took twice their normal load and started to time out.",
        ),
        factors=(
            (
                "Health checks ran from inside the zone.",
                "The checks reached the pods in the isolated zone and reported them healthy, "
                "although no request could reach {dep}.",
            ),
            (
                "No automatic zone evacuation.",
                "Draining a zone is a manual procedure that takes several steps and a "
                "change approval.",
            ),
        ),
        prelude=("Packet loss between zones in {region} rises above 30%.",),
        diagnosis=(
            "{sme} sees errors only from pods in one zone.",
            "{sme} confirms the partition with the cloud provider.",
        ),
        mitigation=(
            "Traffic drained from the affected zone.",
            "Load balancer health check reverted.",
        ),
        actions=(
            ("mitigate", "Automate draining a zone for {svc_id}"),
            ("detect", "Check health end to end, including the call to {dep_id}"),
            ("prevent", "Spread {svc_id} evenly across three zones with a topology constraint"),
            ("process", "Practise zone evacuation twice a year"),
        ),
        logs=(
            "{ts} ERROR {svc_id}: dial tcp {dep_id}:443: connect: no route to host",
            "{ts} WARN  lb: target {svc_id}-7f9c unhealthy (3 consecutive failures)",
        ),
        wrong=("Draining the zone needed an approval that took {saved} minutes to get.",),
    ),
    Trigger(
        key="migration",
        tags=("migration", "database", "locks"),
        symptoms=("errors", "outage", "latency"),
        titles=(
            "{comp} {symptom_title} during a schema migration",
            "{svc} {symptom_title} from a migration holding table locks",
        ),
        changes=("a schema migration on the `{svc_id}` database",),
        causes=(
            "A migration added a column with a default value to a table of {count} rows. On "
            "our database version this rewrote the table under an exclusive lock, and every "
            "query on it waited until the migration finished or timed out.",
            "A migration took a lock on a busy table while a long report query was running. "
            "The migration waited for the report, and every other query waited for the "
            "migration.",
        ),
        factors=(
            (
                "Migrations ran without a lock timeout.",
                "The migration tool waits for locks indefinitely. A lock timeout would have "
                "made the migration fail instead of blocking traffic.",
            ),
            (
                "Migration review focused on correctness.",
                "The migration was reviewed for the schema it produces, not for the locks it "
                "takes on a large, busy table.",
            ),
        ),
        prelude=("Migration `{change_no}` starts on the `{svc_id}` database.",),
        diagnosis=(
            "{sme} finds queries waiting on a lock held by the migration.",
            "{sme} shows the lock chain in `pg_locks`.",
        ),
        mitigation=(
            "Migration cancelled; queued queries complete.",
            "Report query terminated; migration finishes.",
        ),
        actions=(
            ("prevent", "Set a lock timeout of 5 seconds on every migration"),
            ("prevent", "Check migrations for table rewrites in CI"),
            ("process", "Run migrations on large tables outside peak hours with an announcement"),
            ("detect", "Alert on lock wait time above 10 seconds"),
        ),
        logs=(
            "{ts} LOG   postgres: process 4211 still waiting for AccessExclusiveLock after 1000ms",
            "{ts} ERROR {svc_id}: canceling statement due to statement timeout",
        ),
        wrong=("The migration ran at the start of the {peak} peak.",),
    ),
    Trigger(
        key="autoscaling",
        tags=("autoscaling", "kubernetes", "capacity"),
        symptoms=("latency", "errors"),
        titles=(
            "{comp} {symptom_title} after the autoscaler removed capacity",
            "{svc} {symptom_title} from node pool consolidation",
        ),
        changes=("a scale-down of the `{svc_id}` node pool",),
        causes=(
            "The cluster autoscaler consolidated the node pool that runs `{svc_id}` and "
            "evicted {pods} pods at once. The pods that remained could not absorb the load "
            "while the replacements started.",
            "The horizontal autoscaler for `{svc_id}` scaled in after a quiet hour and then "
            "reacted too slowly when traffic returned, because its scale-up policy allowed "
            "only one pod a minute.",
        ),
        factors=(
            (
                "The disruption budget allowed too much at once.",
                "The budget of `{svc_id}` allowed a quarter of the pods to be unavailable, "
                "which the autoscaler used in one step.",
            ),
            (
                "Scale-up was slower than the traffic ramp.",
                "The scale-up policy was tuned for smooth daily curves, not for traffic "
                "returning after a pause.",
            ),
        ),
        prelude=("Cluster autoscaler marks nodes in the `{svc_id}` pool for removal.",),
        diagnosis=(
            "{sme} finds the evictions in the autoscaler events.",
            "{sme} sees `{svc_id}` at {pods} pods, half of its usual count.",
        ),
        mitigation=(
            "Autoscaler scale-down paused and `{svc_id}` scaled out.",
            "Minimum replicas of `{svc_id}` raised.",
        ),
        actions=(
            ("prevent", "Limit the disruption budget of {svc_id} to one pod at a time"),
            ("prevent", "Allow {svc_id} to scale up by 50% a minute"),
            ("detect", "Alert on evictions of pods of tier 1 services"),
            ("mitigate", "Move {svc_id} to a node pool that is not consolidated"),
        ),
        logs=(
            "{ts} INFO  cluster-autoscaler: scale-down: removing node pool-shared-7f2c",
            "{ts} INFO  hpa/{svc_id}: scaling up from {pods} to {new_pods}",
        ),
        wrong=(
            "The autoscaler events are not shown on any dashboard, and finding them took {saved} "
            "minutes.",
        ),
    ),
    Trigger(
        key="rate-limit",
        tags=("rate-limiting", "config-change", "api"),
        symptoms=("errors",),
        titles=(
            "{comp} {symptom_title} after a rate limit change",
            "{comp} clients throttled by a rate limit misconfiguration",
        ),
        changes=("a change to the `{svc_id}` rate limits",),
        causes=(
            "A rate limit change for `{svc_id}` was entered per minute instead of per "
            "second. Customers above 60 requests a minute received 429 responses, which "
            "included most integrations.",
            "The rate limiter of `{svc_id}` counted requests per IP address. A large "
            "customer moved behind a shared proxy, and all of their traffic was counted "
            "as one client.",
        ),
        factors=(
            (
                "The unit of the limit was implicit.",
                "The configuration key has no unit in its name, and different services "
                "read it in different units.",
            ),
            (
                "429 responses were not alerted on.",
                "Rate-limited responses are counted as client errors, which the error rate "
                "alert ignores.",
            ),
        ),
        prelude=("New rate limits for `{svc_id}` applied.",),
        diagnosis=(
            "{sme} sees 429 responses rise from 0.1% to {pct}% of requests.",
            "{sme} finds the limit set to 60 per minute.",
        ),
        mitigation=("Rate limit restored to its previous value.",),
        actions=(
            ("prevent", "Put the unit in the name of every rate limit setting"),
            ("detect", "Alert on the share of 429 responses per customer"),
            ("prevent", "Count rate limits per API key instead of per IP address"),
            ("process", "Announce rate limit changes to customer support in advance"),
        ),
        logs=("{ts} INFO  {svc_id}: 429 Too Many Requests for client {change_no} (limit 60/min)",),
        wrong=(
            "Customer support heard about the errors first and had no way to reach the on-call "
            "directly.",
        ),
    ),
)

SYMPTOMS: dict[str, dict[str, str]] = {
    "errors": {
        "title": "errors",
        "noun": "errors",
        "short": "returned errors to",
        "public": "Some customers are seeing errors when using {comp}.",
    },
    "latency": {
        "title": "slow",
        "noun": "slow responses",
        "short": "was slow for",
        "public": "{comp} is responding slowly for some customers.",
    },
    "outage": {
        "title": "unavailable",
        "noun": "failed requests",
        "short": "was unavailable to",
        "public": "{comp} is unavailable for many customers.",
    },
    "delay": {
        "title": "delayed",
        "noun": "delays",
        "short": "was delayed for",
        "public": "{comp} is delayed for some customers.",
    },
    "stale": {
        "title": "out of date",
        "noun": "out-of-date data",
        "short": "showed out-of-date data to",
        "public": "Some customers are seeing out-of-date information in {comp}.",
    },
}

SUMMARY_OPENERS = (
    "On {date_long} at {start_hm} UTC, {comp} {symptom_short} about {pct}% of customers for "
    "{duration_text}.",
    "For {duration_text} on {date_long}, starting at {start_hm} UTC, {comp} {symptom_short} "
    "about {pct}% of customers.",
    "Between {start_hm} and {mitigated_hm} UTC on {date_long}, {comp} {symptom_short} about "
    "{pct}% of customers.",
)
SUMMARY_CLOSERS = (
    "The incident was mitigated at {mitigated_hm} UTC when {mitigation_lower} We resolved it at "
    "{resolved_hm} UTC after metrics had been stable for {stable_min} minutes.",
    "Responders mitigated the impact at {mitigated_hm} UTC; {mitigation_lower} The incident was "
    "resolved at {resolved_hm} UTC.",
    "{mitigation} Impact ended at {mitigated_hm} UTC, and the incident was resolved at "
    "{resolved_hm} UTC once the fix had held.",
)
SUMMARY_EXTRAS = (
    "{svc_link} is a tier {tier} service with an availability objective of {slo}%, so the "
    "incident used a large part of its error budget for the window.",
    "The response followed {rb_ref}, which covered the first diagnosis steps but not the "
    "mitigation that worked in the end.",
    "The failure crossed a team boundary: {dep_link} absorbed the load, while the trigger sat "
    "in {svc_link}.",
    "Nothing in the change itself looked risky, which is why this write-up spends more time "
    "on the safeguards around it than on the change.",
)

IMPACT_BULLETS = (
    "Duration: {duration_text} of customer impact ({start_hm} to {mitigated_hm} UTC), resolved "
    "at {resolved_hm} UTC.",
    "Customers: about {pct}% of active customers saw {symptom_noun} on {comp}.",
    "Requests: about {requests} requests failed or timed out, out of {total_requests} in the "
    "window.",
    "Orders: an estimated {orders} orders were not placed or were delayed, about {revenue} "
    "USD in revenue, most of which came back later in the day.",
    "Support: customer support received {tickets} tickets about {comp}.",
    "Error budget: the incident used about {budget_pct}% of the {window}-day error budget of "
    "`{svc_id}`.",
    "Data: no data was lost or corrupted.",
    "Dependent services: {dep_link} saw elevated latency but stayed within its objective.",
    "Status page: {updates} updates were posted for {comp}.",
)

WENT_WELL = (
    "Detection took {ttd} minutes, and the page was acknowledged {tta} minutes later.",
    "The incident commander took over early and kept the channel focused on mitigation before "
    "diagnosis.",
    "The first status page update went out within {first_update} minutes of acknowledgement, "
    "and the updates kept to the cadence of the severity policy.",
    "Dashboards for `{svc_id}` showed the affected endpoint within a minute of opening them.",
    "Responders from {team} and from the owners of {dep} worked in one channel from the start.",
    "The change log made the trigger easy to find once someone looked at it.",
    "The mitigation needed no code change and no deploy.",
    "Customer support had a prepared answer for affected customers within 20 minutes.",
    "The scribe kept a complete timeline, which made this write-up much faster.",
    "Alerting caught the problem before most customers noticed it.",
    "Handover between the primary and the secondary on-call was explicit and recorded in the "
    "channel.",
    "The rollback path had been exercised the week before and worked on the first attempt.",
)
WENT_WELL_RUNBOOK = (
    "{rb_ref} had the right diagnosis steps, and the responder followed them in order.",
    "The commands in {rb_ref} worked as written.",
)
WENT_WRONG = (
    "It took {saved} minutes to rule out the most recent deploy, which was unrelated.",
    "The alert that fired first described a symptom in a different service, which sent the "
    "first responder in the wrong direction.",
    "Two responders changed the same setting within a minute of each other without saying so "
    "in the channel.",
    "The severity was raised only after {saved} minutes, which delayed paging the secondary.",
    "The internal status update went out late because the communications lead joined after "
    "mitigation had started.",
    "The dashboard linked from the alert had been renamed and the link was broken.",
    "The incident channel was created only after the first mitigation attempt.",
)
LUCKY = (
    "The incident happened outside the {peak} peak; at peak traffic the impact would have "
    "been several times larger.",
    "An engineer who had worked on the affected code path was online and joined the channel "
    "within minutes.",
    "{dep} had spare capacity after a recent upgrade, which limited the spread of the problem.",
    "A scheduled batch job that normally runs at that hour had been postponed that day.",
    "The retry behaviour of the largest API customer backs off exponentially; tighter retries "
    "would have stretched the recovery.",
)
GENERIC_FACTORS = (
    (
        "Detection depended on a lagging signal.",
        "The alert that fired first measures an effect downstream of the cause. A signal "
        "closer to the cause would have paged several minutes earlier.",
    ),
    (
        "The runbook did not cover this failure mode.",
        "The runbook for `{svc_id}` describes the usual causes of the alert, but not this "
        "one, so responders worked from first principles.",
    ),
    (
        "Ownership of the interface was unclear.",
        "`{svc_id}` and {dep} are owned by different teams, and neither team's documentation "
        "described the limits of the other side.",
    ),
    (
        "The risk was known but not scheduled.",
        "A similar weakness was noted in an earlier review, but the follow-up competed with "
        "feature work and was not scheduled.",
    ),
    (
        "Dashboards did not show the deciding metric.",
        "The metric that explained the incident exists, but only on a debugging dashboard "
        "that responders rarely open.",
    ),
)
GENERIC_ACTIONS = (
    ("process", "Update the {svc_id} runbook with the mitigation used in this incident"),
    ("detect", "Link the {svc_id} dashboards from every alert annotation"),
    ("process", "Review this incident in the weekly reliability review with {team}"),
    ("detect", "Add a synthetic check for {comp_lower}"),
    ("mitigate", "Document a manual fallback for {comp_lower}"),
    ("process", "Run a game day for this failure mode with {team}"),
)
ACTION_PARAGRAPHS = (
    "The items above address the trigger, the spread and the detection of this incident. "
    "{done_text} The prevention items are the priority for {team}; the others are scheduled "
    "within the next two sprints.",
    "We chose items that remove the mechanism rather than the specific trigger, because the "
    "same mechanism can be reached by other changes. {done_text}",
    "{done_text} Progress on the open items is reviewed in the weekly incident review until "
    "they are all closed.",
)
STATUS_MESSAGES = {
    "investigating": (
        "{public} We are investigating.",
        "We are investigating reports of problems with {comp}. {public}",
        "{public} Our engineers are looking into it with high priority.",
    ),
    "identified": (
        "We have identified the cause and are working on a fix. {public}",
        "The cause has been identified and a fix is being applied.",
        "We have found the cause of the problems with {comp} and are rolling out a fix.",
    ),
    "monitoring": (
        "A fix has been applied and {comp} is recovering. We are monitoring the results.",
        "{comp} is working normally again. We continue to monitor.",
        "Error rates are back to normal. We are watching {comp} closely.",
    ),
    "resolved": (
        "This incident has been resolved. {comp} is operating normally.",
        "{comp} has been working normally for some time. This incident is resolved.",
        "The incident is resolved. We apologise for the disruption.",
    ),
}
SUPPORTING = (
    "The graphs of the request rate, error rate and latency of `{svc_id}` for the incident "
    "window are attached to the incident ticket, together with the incident channel export.",
    "A similar pattern appears in the weeks before the incident at a much smaller scale: short "
    "bursts of {symptom_noun} that resolved on their own within a minute and never reached an "
    "alert threshold.",
    "The decision log in the incident channel records each mitigation step with the person who "
    "approved it and the time it took effect; the timeline above is taken from it.",
    "Customer support tagged the related tickets so that follow-up answers could be sent once "
    "this write-up was reviewed.",
)
#: Commands a responder ran, by trigger, shown as "the mitigation applied".
MITIGATION_COMMANDS = {
    "deploy": "kubectl -n {svc_id} rollout undo deployment/{svc_id}\n"
    "kubectl -n {svc_id} rollout status deployment/{svc_id} --timeout=5m",
    "config": "configctl revert --service {svc_id} --change {change_no}\n"
    "kubectl -n {svc_id} rollout restart deployment/{svc_id}",
    "feature-flag": "flagctl set {flag} --percent 10 --reason incident",
    "certificate": "certctl issue --host {host} --deploy edge\n"
    "openssl s_client -connect {host}:443 -servername {host} -showcerts",
    "capacity": "kubectl -n {svc_id} patch hpa {svc_id} --type merge "
    '-p \'{{"spec":{{"maxReplicas":{new_pods}}}}}\'',
    "connection-pool": "kubectl -n {svc_id} scale deployment/{svc_id} --replicas={pods}",
    "replica-lag": "backfillctl pause --service {svc_id}",
    "cache": "kubectl -n {svc_id} set env deployment/{svc_id} DEGRADED_MODE=true\n"
    "kubectl -n {svc_id} create job --from=cronjob/{svc_id}-cache-warmer warm-now",
    "queue": "queuectl move --queue {queue} --message {change_no} --to {queue}.quarantine",
    "dependency": "configctl set --service {svc_id} provider.primary=secondary",
    "dns": "dnsctl revert --record {host} --to previous",
    "disk": "kubectl -n {svc_id} exec {svc_id}-0 -- find /data/logs -mtime +2 -delete",
    "memory": "kubectl -n {svc_id} set resources deployment/{svc_id} --limits=memory=4Gi",
    "network": "lbctl drain --service {svc_id} --zone {region}a",
    "migration": "psql -h {svc_id}-db.db.internal -c 'SELECT pg_cancel_backend({change_no});'",
    "autoscaling": "kubectl -n {svc_id} patch hpa {svc_id} --type merge "
    '-p \'{{"spec":{{"minReplicas":{new_pods}}}}}\'',
    "rate-limit": "configctl revert --service {svc_id} --key rate_limit",
}
OPEN_REASONS = (
    "it depends on a platform change that is planned for next quarter",
    "the team is finishing a migration that touches the same code",
    "load tests found a problem with the first approach, and it is being reworked",
    "it needs an agreement with another team about ownership",
    "it was deprioritised in favour of the items that remove the trigger",
)
PEAKS = ("morning", "evening", "lunchtime", "weekend", "end-of-month", "holiday")
FLAG_WORDS = (
    "new_checkout_flow", "async_lookup", "v2_serializer", "batch_writes", "smart_retries",
    "fast_path", "inline_validation", "prefetch", "new_ranking", "compact_payloads",
)  # fmt: skip
PATHS = ("orders", "items", "sessions", "accounts", "events", "prices", "carts", "products")

# ---------------------------------------------------------------------------------------
# Runbook situations
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Situation:
    """A situation a runbook handles; ``triggers`` are the causes it usually answers."""

    slug: str
    title: str
    alert: str
    severity: str
    triggers: tuple[str, ...]
    what: str
    causes: tuple[str, str, str]
    promql: str
    diagnose: tuple[str, str]
    steps: tuple[str, str, str]


SITUATIONS: tuple[Situation, ...] = (
    Situation(
        "error-rate-high",
        "{name} 5xx error rate high",
        "ErrorRateHigh",
        "SEV-2",
        ("deploy", "config", "dependency"),
        "More than 2% of requests to `{id}` end in a 5xx response.",
        ("a bad release", "a failing dependency", "a configuration change"),
        'sum(rate(http_requests_total{{namespace="{id}", code=~"5.."}}[5m])) '
        '/ sum(rate(http_requests_total{{namespace="{id}"}}[5m])) > 0.02',
        (
            "kubectl -n {id} rollout history deployment/{id}",
            "kubectl -n {id} logs -l app={id} --since=15m | grep -c ERROR",
        ),
        (
            "Roll back the last release if it started within the hour.",
            "Fail over or disable the failing dependency path.",
            "Revert the last configuration change.",
        ),
    ),
    Situation(
        "latency-high",
        "{name} latency above objective",
        "LatencyHigh",
        "SEV-3",
        ("capacity", "cache", "memory", "autoscaling"),
        "The p99 latency of `{id}` is above its objective for 10 minutes.",
        ("more traffic than the pods can serve", "a slow dependency", "garbage collection pauses"),
        "histogram_quantile(0.99, sum by (le) "
        '(rate(http_request_duration_seconds_bucket{{namespace="{id}"}}[5m]))) > 1',
        ("kubectl -n {id} top pods -l app={id}", "kubectl -n {id} get hpa {id}"),
        (
            "Scale out if the pods are CPU bound.",
            "Enable degraded mode to drop optional work.",
            "Ask the owners of the slow dependency to join.",
        ),
    ),
    Situation(
        "deploy-rollback",
        "Roll back a bad {name} release",
        "ReleaseErrorBudgetBurn",
        "SEV-2",
        ("deploy", "feature-flag", "memory"),
        "A release of `{id}` is burning the error budget faster than 14 times the sustainable "
        "rate.",
        (
            "a regression in the release",
            "a migration that came with it",
            "a changed default in a library",
        ),
        'slo:error_budget_burn_rate:1h{{service="{id}"}} > 14.4',
        (
            "kubectl -n {id} rollout history deployment/{id}",
            "kubectl -n {id} rollout status deployment/{id}",
        ),
        (
            "Pause the rollout.",
            "Roll back to the previous revision.",
            "Confirm the error rate returns to baseline.",
        ),
    ),
    Situation(
        "config-rollback",
        "Revert {a_name} configuration push",
        "ConfigReloadFailed",
        "SEV-2",
        ("config", "rate-limit", "dns"),
        "`{id}` failed to reload its configuration, or errors rose right after a reload.",
        ("an invalid value", "a value in the wrong unit", "a change to a shared template"),
        'increase(config_reload_failures_total{{namespace="{id}"}}[10m]) > 0',
        (
            "kubectl -n {id} get configmap {id}-config -o yaml",
            "kubectl -n {id} logs -l app={id} --since=10m | grep reload",
        ),
        (
            "Find the last configuration change in the pipeline history.",
            "Revert it through the pipeline.",
            "Reload `{id}` and watch the error rate.",
        ),
    ),
    Situation(
        "connection-pool",
        "{name} database connection pool exhausted",
        "DBPoolSaturated",
        "SEV-2",
        ("connection-pool", "capacity", "migration"),
        "Most pods of `{id}` have used over 90% of their database pool for 5 minutes.",
        (
            "a traffic spike",
            "slow queries holding connections",
            "leaked connections after an error",
        ),
        'avg(db_pool_in_use{{namespace="{id}"}} / db_pool_max{{namespace="{id}"}}) > 0.9',
        (
            "kubectl -n {id} get deploy {id}",
            "psql -h {id}-db.db.internal -U sre_readonly -c 'SELECT state, count(*) FROM "
            "pg_stat_activity GROUP BY state;'",
        ),
        (
            "Terminate sessions idle in transaction for more than a minute.",
            "Scale in if the pod count outgrew the database limit.",
            "Cancel the slowest queries after checking with the owners.",
        ),
    ),
    Situation(
        "replica-lag",
        "{name} replica lag high",
        "ReplicationLagHigh",
        "SEV-3",
        ("replica-lag", "migration", "disk"),
        "A replica of the `{id}` database is more than 60 seconds behind its primary.",
        ("a large backfill", "a vacuum of a large table", "a replica on a slow disk"),
        'max(pg_replication_lag_seconds{{cluster="{id}"}}) > 60',
        (
            "patronictl -c /etc/patroni.yml list",
            "psql -h {id}-db.db.internal -c 'SELECT * FROM pg_stat_replication;'",
        ),
        (
            "Pause running backfills.",
            "Move read traffic to the primary if the lag keeps growing.",
            "Rebuild a replica that cannot catch up.",
        ),
    ),
    Situation(
        "queue-backlog",
        "{name} queue backlog growing",
        "QueueLagHigh",
        "SEV-3",
        ("queue", "dependency", "capacity"),
        "The oldest message on a `{id}` queue is older than 15 minutes.",
        ("slow consumers", "a poison message", "a slow downstream service"),
        'max(queue_oldest_message_age_seconds{{namespace="{id}"}}) > 900',
        (
            "kubectl -n {id} get pods -l role=consumer",
            "kubectl -n {id} logs -l role=consumer --since=15m | tail -50",
        ),
        (
            "Quarantine a message that keeps failing.",
            "Scale the consumers out.",
            "Ask the downstream owners about their latency.",
        ),
    ),
    Situation(
        "cache-miss-storm",
        "{name} cache hit ratio collapse",
        "CacheHitRatioLow",
        "SEV-3",
        ("cache", "autoscaling", "deploy"),
        "The cache hit ratio of `{id}` fell below 60% for 10 minutes.",
        ("cache nodes restarted empty", "a change of key format", "an eviction wave"),
        'sum(rate(cache_hits_total{{namespace="{id}"}}[5m])) / '
        'sum(rate(cache_requests_total{{namespace="{id}"}}[5m])) < 0.6',
        ("kubectl -n {id} get pods -l app={id}-cache", "redis-cli -h {id}-cache info stats"),
        (
            "Enable degraded mode to protect the backend.",
            "Start the cache warmer job.",
            "Stop further cache node restarts.",
        ),
    ),
    Situation(
        "certificate-renewal",
        "Renew or replace {a_name} TLS certificate",
        "CertificateExpiringSoon",
        "SEV-2",
        ("certificate",),
        "A certificate served for `{id}` expires within 14 days, or has expired.",
        ("a certificate outside automation", "a failed renewal", "an incomplete chain"),
        'min(probe_ssl_earliest_cert_expiry{{service="{id}"}} - time()) < 14 * 86400',
        (
            "openssl s_client -connect {id}.example.com:443 -servername {id}.example.com",
            "kubectl -n {id} get certificate",
        ),
        (
            "Trigger a renewal in the certificate manager.",
            "Deploy the new certificate with its full chain.",
            "Check the served chain from a clean client.",
        ),
    ),
    Situation(
        "disk-full",
        "{name} disk filling up",
        "DiskSpaceLow",
        "SEV-3",
        ("disk",),
        "A data disk of `{id}` will be full within 4 hours at the current rate.",
        ("log volume", "stalled archiving", "an unexpected data growth"),
        'predict_linear(node_filesystem_avail_bytes{{service="{id}"}}[1h], 4 * 3600) < 0',
        ("df -h /data", "du -sh /data/* | sort -h | tail"),
        (
            "Remove files that are safe to delete.",
            "Expand the volume.",
            "Fix the source of the growth.",
        ),
    ),
    Situation(
        "memory-pressure",
        "{name} pods out of memory",
        "PodOOMKilled",
        "SEV-3",
        ("memory", "deploy"),
        "Pods of `{id}` are being killed for running out of memory.",
        (
            "a memory leak",
            "larger data than the limit allows",
            "a traffic pattern with large responses",
        ),
        "increase(kube_pod_container_status_restarts_total"
        '{{namespace="{id}", reason="OOMKilled"}}[15m]) > 2',
        (
            "kubectl -n {id} describe pods -l app={id} | grep -A3 OOMKilled",
            "kubectl -n {id} top pods -l app={id}",
        ),
        (
            "Raise the memory limit temporarily.",
            "Roll back a recent release.",
            "Take a heap profile before restarting.",
        ),
    ),
    Situation(
        "provider-failover",
        "Fail {name} over to the secondary provider",
        "ProviderErrorRateHigh",
        "SEV-2",
        ("dependency",),
        "Calls from `{id}` to its external provider fail for more than 5% of requests.",
        ("a provider outage", "rate limiting by the provider", "an expired credential"),
        'sum(rate(provider_requests_total{{namespace="{id}", result="error"}}[5m])) / '
        'sum(rate(provider_requests_total{{namespace="{id}"}}[5m])) > 0.05',
        (
            "kubectl -n {id} logs -l app={id} --since=10m | grep provider",
            "curl -s https://status.provider.example.com/api/v2/status.json",
        ),
        (
            "Confirm the errors come from the provider.",
            "Switch traffic to the secondary provider.",
            "Open a ticket with the provider.",
        ),
    ),
    Situation(
        "dns-resolution",
        "{name} DNS resolution failures",
        "DNSLookupErrors",
        "SEV-2",
        ("dns", "network"),
        "DNS lookups from `{id}` fail for more than 1% of attempts.",
        ("overloaded resolvers", "a changed record", "a network problem to the resolvers"),
        'sum(rate(dns_lookup_errors_total{{namespace="{id}"}}[5m])) / '
        'sum(rate(dns_lookups_total{{namespace="{id}"}}[5m])) > 0.01',
        ("dig @10.0.0.10 {id}.internal", "kubectl -n kube-system top pods -l k8s-app=kube-dns"),
        (
            "Revert a recent DNS change.",
            "Scale the resolvers out.",
            "Enable client-side caching where possible.",
        ),
    ),
    Situation(
        "failover",
        "Fail over the {name} primary",
        "PrimaryDown",
        "SEV-1",
        ("network", "disk", "migration"),
        "The primary of `{id}` does not accept writes.",
        ("a host failure", "a zone outage", "a full disk"),
        'max(pg_up{{cluster="{id}", role="primary"}}) == 0',
        ("patronictl -c /etc/patroni.yml list", "patronictl -c /etc/patroni.yml history"),
        (
            "Check that a replica is healthy and current.",
            "Run a controlled failover.",
            "Verify clients reconnect to the new primary.",
        ),
    ),
    Situation(
        "crashloop",
        "{name} pods in CrashLoopBackOff",
        "PodsCrashLooping",
        "SEV-2",
        ("deploy", "config", "memory"),
        "Pods of `{id}` are restarting repeatedly.",
        ("a bad release", "missing configuration", "a failing startup dependency"),
        "sum(kube_pod_container_status_waiting_reason"
        '{{namespace="{id}", reason="CrashLoopBackOff"}}) > 0',
        (
            "kubectl -n {id} get pods -l app={id}",
            "kubectl -n {id} logs -l app={id} --previous | tail -50",
        ),
        (
            "Read the last log lines of a crashed container.",
            "Roll back a recent release or configuration change.",
            "Check the startup dependencies.",
        ),
    ),
    Situation(
        "rate-limiting",
        "{name} rate limiting customers unexpectedly",
        "RateLimited429High",
        "SEV-3",
        ("rate-limit", "capacity"),
        "More than 2% of requests to `{id}` are answered with 429.",
        ("a changed limit", "a customer behind a shared proxy", "a real traffic spike"),
        'sum(rate(http_requests_total{{namespace="{id}", code="429"}}[5m])) / '
        'sum(rate(http_requests_total{{namespace="{id}"}}[5m])) > 0.02',
        (
            "kubectl -n {id} get configmap {id}-limits -o yaml",
            "kubectl -n {id} logs -l app={id} --since=10m | grep -c 429",
        ),
        (
            "Find the clients that are limited.",
            "Restore the previous limit if it changed.",
            "Talk to the customer if the traffic is real.",
        ),
    ),
    Situation(
        "autoscaling",
        "{name} autoscaler not keeping up",
        "HPAMaxedOut",
        "SEV-3",
        ("autoscaling", "capacity"),
        "`{id}` has been at its autoscaling maximum for 15 minutes.",
        ("a traffic spike", "a maximum that is too low", "pods that start too slowly"),
        'kube_horizontalpodautoscaler_status_current_replicas{{namespace="{id}"}} >= '
        'kube_horizontalpodautoscaler_spec_max_replicas{{namespace="{id}"}}',
        ("kubectl -n {id} get hpa {id}", "kubectl -n {id} describe hpa {id}"),
        (
            "Check the headroom of the dependencies.",
            "Raise the maximum in small steps.",
            "Pause node scale-down for the pool.",
        ),
    ),
    Situation(
        "migration-locks",
        "{name} schema migration holding locks",
        "LockWaitHigh",
        "SEV-2",
        ("migration",),
        "Queries on the `{id}` database wait for locks for more than 10 seconds.",
        ("a migration rewriting a table", "a long report query", "a forgotten open transaction"),
        'max(pg_lock_wait_seconds{{cluster="{id}"}}) > 10',
        (
            "psql -h {id}-db.db.internal -c 'SELECT pid, mode, granted FROM pg_locks WHERE NOT "
            "granted;'",
            "psql -h {id}-db.db.internal -c 'SELECT pid, now() - xact_start, query FROM "
            "pg_stat_activity ORDER BY 2 DESC LIMIT 5;'",
        ),
        (
            "Find the session at the head of the lock chain.",
            "Cancel the migration or the blocking query.",
            "Reschedule the migration outside peak hours.",
        ),
    ),
    Situation(
        "feature-flag-rollback",
        "Turn off a misbehaving {name} feature flag",
        "FlagErrorRateHigh",
        "SEV-3",
        ("feature-flag",),
        "Errors in `{id}` rose within 15 minutes of a flag change.",
        (
            "a new code path at full traffic",
            "a flag enabling an unindexed query",
            "a flag combination nobody tested",
        ),
        'sum(rate(http_requests_total{{namespace="{id}", code=~"5.."}}[5m])) > 2 * '
        'sum(rate(http_requests_total{{namespace="{id}", code=~"5.."}}[5m] offset 1h))',
        ("flagctl audit --service {id} --since 1h", "flagctl get --service {id}"),
        (
            "Find the last flag change in the audit log.",
            "Set the flag back to its previous value.",
            "Tell the flag owner in the incident channel.",
        ),
    ),
    Situation(
        "load-balancer",
        "{name} load balancer unhealthy targets",
        "UnhealthyTargets",
        "SEV-2",
        ("network", "autoscaling"),
        "More than a quarter of the `{id}` targets are unhealthy at the load balancer.",
        ("a failing health check", "a zone problem", "pods restarting"),
        'sum(lb_unhealthy_targets{{service="{id}"}}) / sum(lb_targets{{service="{id}"}}) > 0.25',
        ("kubectl -n {id} get endpoints {id}", "kubectl -n {id} get pods -o wide -l app={id}"),
        (
            "Check whether the unhealthy targets share a zone.",
            "Drain the affected zone.",
            "Revert a health check change.",
        ),
    ),
    Situation(
        "dependency-timeouts",
        "{name} upstream dependency timing out",
        "UpstreamTimeouts",
        "SEV-3",
        ("dependency", "network", "connection-pool"),
        "Calls from `{id}` to another service time out for more than 1% of requests.",
        ("a slow upstream", "a network problem", "exhausted connection pools"),
        'sum(rate(upstream_timeouts_total{{namespace="{id}"}}[5m])) / '
        'sum(rate(upstream_requests_total{{namespace="{id}"}}[5m])) > 0.01',
        (
            "kubectl -n {id} logs -l app={id} --since=10m | grep timeout | tail",
            "kubectl -n {id} exec deploy/{id} -- curl -s localhost:9090/upstreams",
        ),
        (
            "Find which upstream times out.",
            "Page the owners of that upstream.",
            "Enable the fallback for that call if there is one.",
        ),
    ),
    Situation(
        "backfill-throttle",
        "Pause {a_name} backfill",
        "BackfillImpact",
        "SEV-3",
        ("replica-lag", "migration"),
        "A running backfill on `{id}` is slowing down production queries.",
        ("batches that are too large", "no throttling on replica lag", "a backfill at peak time"),
        'max(pg_replication_lag_seconds{{cluster="{id}"}}) > 30 and on() backfill_running == 1',
        ("backfillctl list --service {id}", "backfillctl status --service {id}"),
        (
            "Pause the backfill.",
            "Wait for replicas to catch up.",
            "Resume with smaller batches outside peak hours.",
        ),
    ),
    Situation(
        "traffic-spike",
        "{name} traffic spike",
        "RequestRateAnomaly",
        "SEV-3",
        ("capacity", "rate-limit"),
        "The request rate of `{id}` is more than three times its usual value for this hour.",
        ("a marketing campaign", "bot traffic", "a retry storm from clients"),
        'sum(rate(http_requests_total{{namespace="{id}"}}[5m])) > 3 * '
        'sum(rate(http_requests_total{{namespace="{id}"}}[5m] offset 1w))',
        (
            "kubectl -n {id} top pods -l app={id}",
            "kubectl -n {id} logs -l app={id} --since=5m | awk '{{print $5}}' | sort | uniq -c | "
            "sort -n | tail",
        ),
        (
            "Find out whether the traffic is wanted.",
            "Rate-limit abusive clients at the edge.",
            "Scale out for real traffic.",
        ),
    ),
    Situation(
        "poison-message",
        "Quarantine {a_name} poison message",
        "ConsumerStuck",
        "SEV-3",
        ("queue",),
        "Consumers of a `{id}` queue keep failing on the same message.",
        (
            "a malformed message",
            "a message larger than the limit",
            "a message for a deleted record",
        ),
        'increase(consumer_failures_total{{namespace="{id}"}}[10m]) > 20',
        (
            "kubectl -n {id} logs -l role=consumer --since=10m | grep 'message id'",
            "queuectl peek --queue {id}-events",
        ),
        (
            "Identify the failing message id.",
            "Move it to the quarantine queue.",
            "Open a ticket to repair or replay it.",
        ),
    ),
)

ARCHITECTURE = {
    "api": (
        "`{id}` (Deployment in namespace `{id}`): stateless service behind the API gateway, "
        "running {pods_min} to {pods_max} pods under a HorizontalPodAutoscaler.",
        "Data lives in a PostgreSQL database operated by team-data-platform as part of "
        "{db_link}; reads go to replicas where staleness is acceptable.",
        "A Redis cache holds hot objects for 60 seconds; the service works without it at "
        "higher latency.",
    ),
    "web": (
        "`{id}` is a server-rendered web application behind the CDN, running {pods_min} to "
        "{pods_max} pods.",
        "Static assets are built at release time and served from object storage through the CDN.",
        "Sessions are validated locally with signed tokens, so the service keeps working "
        "briefly when the identity service is slow.",
    ),
    "worker": (
        "`{id}` runs consumers that read from queues on the shared event platform; "
        "concurrency scales from {pods_min} to {pods_max} pods on queue age.",
        "Failed messages are retried five times and then moved to a dead-letter queue.",
        "A scheduler triggers batch jobs every hour; each job is idempotent and safe to rerun.",
    ),
    "datastore": (
        "`{id}` is a clustered datastore with one primary and two replicas across three zones.",
        "Backups run nightly, with continuous archiving in between; restores are tested weekly.",
        "Clients connect through a pooler that follows the current leader.",
    ),
    "edge": (
        "`{id}` runs at the edge of the network in front of the origin services, in "
        "{pods_min} to {pods_max} instances per region.",
        "Configuration is pushed from a central repository and applied within two minutes "
        "everywhere.",
        "Certificates are issued and renewed automatically, 30 days before they expire.",
    ),
}


# ---------------------------------------------------------------------------------------
# The model being generated
# ---------------------------------------------------------------------------------------


@dataclass
class Service:
    id: str
    name: str
    team: str
    tier: int
    components: tuple[str, ...]
    kind: str
    availability: float
    window_days: int
    deps: list[str] = field(default_factory=list)
    runbooks: list[str] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)


@dataclass
class Runbook:
    id: str
    title: str
    services: list[str]
    owner: str
    alerts: list[str]
    situation: Situation
    severity: str
    review_every: int
    last_reviewed: date = DEFAULT_END
    used_by: list[int] = field(default_factory=list)


@dataclass
class ActionItem:
    title: str
    owner: str
    due: date
    status: str
    kind: str
    completed_on: date | None
    tracker: str | None


@dataclass
class Incident:
    """A postmortem's facts; its prose is written from these when the file is rendered."""

    seed: int
    severity: str
    services: list[str]
    trigger: Trigger
    symptom: str
    started: datetime
    detected: datetime
    acknowledged: datetime
    mitigated: datetime | None
    resolved: datetime | None
    updates: list[tuple[datetime, str]]
    detection: str
    users_pct: float
    id: str = ""
    path: str = ""
    status: str = "published"
    title: str = ""
    alerts: list[str] = field(default_factory=list)
    runbooks: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    recurrence_of: str | None = None
    tags: list[str] = field(default_factory=list)
    commander: str = ""
    scribe: str | None = None
    comms: str | None = None
    smes: list[str] = field(default_factory=list)
    actions: list[ActionItem] = field(default_factory=list)
    slots: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CorpusSummary:
    """What ``generate`` wrote, for the benchmark harness and the command's last line."""

    postmortems: int
    runbooks: int
    services: int
    files: int
    bytes: int


class CorpusError(Exception):
    """The output folder cannot be used; the command exits 1 with this message."""


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------

_PLAIN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ,.()/%'+_-]*[A-Za-z0-9.)%]|[A-Za-z]")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def yaml_str(text: str) -> str:
    """A YAML scalar for ``text``: plain when unambiguous, else JSON-quoted (valid YAML)."""
    if _PLAIN_RE.fullmatch(text) and text not in ("true", "false", "null", "True", "False"):
        return text
    return json.dumps(text)


def with_article(noun: str) -> str:
    """``a`` or ``an`` before a noun phrase, by its first letter (good enough for names)."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def camel(service_id: str) -> str:
    """``mobile-gateway`` -> ``MobileGateway``, for alert names."""
    return "".join(part.capitalize() for part in service_id.split("-"))


def slugify(title: str, limit: int = 72) -> str:
    """A lower-case file-name slug, cut at a word boundary."""
    slug = _SLUG_RE.sub("-", title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "incident"


def ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def duration_text(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    hours_text = f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours_text} {rest} minutes" if rest else hours_text


def thousands(value: int) -> str:
    return f"{value:,}"


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format_map(slots)


def uncap(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, keeping acronyms (``API``)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def pick(rng: random.Random, items: Sequence[str], k: int) -> list[str]:
    return rng.sample(list(items), min(k, len(items)))


# ---------------------------------------------------------------------------------------
# Generation: services, runbooks, incidents
# ---------------------------------------------------------------------------------------


def make_services(count: int, rng: random.Random) -> list[Service]:
    """Base services first, then qualified variants (``orders-worker``) as N grows."""
    specs: list[tuple[str, str, str, int, tuple[str, ...], str]] = list(BASE_SERVICES)
    if count > len(specs):
        variants: list[tuple[str, str, str, int, tuple[str, ...], str]] = []
        for qual_id, qual_name in QUALIFIERS:
            for sid, name, team, tier, _comps, _kind in BASE_SERVICES:
                vid = f"{sid}-{qual_id}"
                vname = f"{name} {qual_name}"
                vcomps = (vname,) if rng.random() < 0.5 else ()
                variants.append((vid, vname, team, min(4, tier + 1), vcomps, "worker"))
        for region in REGIONS:
            for vid, vname, team, tier, _c, kind in list(variants):
                variants.append(
                    (f"{vid}-{region}", f"{vname} {region.upper()}", team, tier, (), kind)
                )
        specs += variants
    number = 0
    while len(specs) < count:
        number += 1
        specs.append((f"service-{number:05d}", f"Service {number}", "team-platform", 4, (), "api"))
    services: list[Service] = []
    for sid, name, team, tier, comps, kind in specs[:count]:
        availability = {1: 99.95, 2: 99.9, 3: 99.5, 4: 99.0}[tier]
        services.append(
            Service(sid, name, team, tier, comps, kind, availability, rng.choice((28, 28, 30)))
        )
    ids = [s.id for s in services]
    for index, svc in enumerate(services):
        others = ids[:index] + ids[index + 1 :]
        preferred = [d for d in ("database", "auth", "edge", "kafka", "redis") if d in others]
        deps = pick(rng, preferred, rng.randint(1, 2)) + pick(rng, others, rng.randint(1, 2))
        svc.deps = sorted(set(deps))
    return services


def make_runbooks(count: int, services: list[Service], rng: random.Random) -> list[Runbook]:
    """Spread runbooks evenly over services, each with situations it does not repeat."""
    order = list(services)
    rng.shuffle(order)
    taken = {s.id for s in services}
    runbooks: list[Runbook] = []
    per_service: dict[str, list[Situation]] = {}
    for index in range(count):
        svc = order[index % len(order)]
        pool = per_service.setdefault(svc.id, rng.sample(list(SITUATIONS), len(SITUATIONS)))
        situation = pool.pop() if pool else rng.choice(SITUATIONS)
        rid = f"{svc.id}-{situation.slug}"
        base = rid
        number = 1
        while rid in taken:  # more runbooks than situations: regional variants
            region = REGIONS[(number - 1) % len(REGIONS)]
            round_ = (number - 1) // len(REGIONS) + 1
            rid = f"{base}-{region}" if round_ == 1 else f"{base}-{region}-{round_}"
            number += 1
        taken.add(rid)
        services_of = [svc.id]
        if rng.random() < 0.2 and svc.deps:
            services_of.append(rng.choice(svc.deps))
        alerts = [f"{camel(svc.id)}{situation.alert}"]
        if rid != base:
            alerts = [f"{alerts[0]}{camel(rid[len(base) + 1 :])}"]
        runbook = Runbook(
            id=rid,
            title=situation.title.format(name=svc.name, a_name=with_article(svc.name)),
            services=services_of,
            owner=svc.team,
            alerts=alerts,
            situation=situation,
            severity=situation.severity,
            review_every=rng.choice((90, 90, 90, 60, 180)),
        )
        runbooks.append(runbook)
        svc.runbooks.append(rid)
    return runbooks


def make_people(services: list[Service], rng: random.Random) -> dict[str, list[str]]:
    """People by team, so responders come from the teams that own the affected services."""
    teams = sorted({s.team for s in services})
    people = list(PEOPLE)
    rng.shuffle(people)
    by_team: dict[str, list[str]] = {team: [] for team in teams}
    for index, person in enumerate(people):
        by_team[teams[index % len(teams)]].append(person)
    for team in teams:
        if len(by_team[team]) < 3:
            by_team[team] += [p for p in pick(rng, PEOPLE, 3) if p not in by_team[team]]
    return by_team


def spaced_updates(
    rng: random.Random, first: datetime, last: datetime, count: int, cadence: int
) -> list[datetime]:
    """``count`` times from first to last, each gap within the level's update cadence."""
    span = int((last - first).total_seconds() // 60)
    if count == 1:
        return [first]
    step = span / (count - 1)
    jitter = int(min(step * 0.2, cadence * 0.08))
    times = [first]
    for index in range(1, count - 1):
        offset = round(index * step) + (rng.randint(-jitter, jitter) if jitter else 0)
        times.append(first + timedelta(minutes=max(offset, int(index * step * 0.5))))
    times.append(last)
    return sorted(times)


def make_timing(
    rng: random.Random, severity: str, start: datetime, end_moment: datetime, ongoing: bool
) -> tuple[datetime, datetime, datetime, datetime | None, datetime | None, list[datetime]]:
    """started, detected, acknowledged, mitigated, resolved and status-update times."""
    cadence = CADENCE[severity]  # updates never leave a gap the policy would flag
    ttd = rng.choice((1, 2, 2, 3, 4, 5, 6, 8, 11, 15, 22))
    tta = rng.choice((1, 2, 3, 3, 4, 5, 7, 9))
    detected = start + timedelta(minutes=ttd)
    acknowledged = detected + timedelta(minutes=tta)
    first_update = acknowledged + timedelta(minutes=rng.randint(2, 12))
    count = rng.randint(2, 6)
    if ongoing:
        latest = end_moment - timedelta(minutes=rng.randint(5, 90))
        room = int((latest - first_update).total_seconds() // 60)
        count = max(2, min(count, 1 + room // max(1, int(cadence * 0.5))))
        span = min(room, int((count - 1) * cadence * 0.8))
        last = first_update + timedelta(minutes=max(span, count - 1))
        times = spaced_updates(rng, first_update, last, count, cadence)
        mitigated = None
        if rng.random() < 0.5 and len(times) > 2:
            mitigated = times[-2] - timedelta(minutes=1)
        return start, detected, acknowledged, mitigated, None, times
    low, high = TTM[severity]
    ttm = rng.randint(low, high)
    mitigated = detected + timedelta(minutes=ttm)
    # Resolution: a while after mitigation, but never beyond what the updates can cover.
    longest = int((count - 1) * cadence * 0.8)
    needed = int((mitigated - first_update).total_seconds() // 60) + 10
    while needed > longest and count < 6:
        count += 1
        longest = int((count - 1) * cadence * 0.8)
    if needed > longest:  # a very long mitigation: shorten it to fit the update cadence
        mitigated = first_update + timedelta(minutes=max(1, longest - 30))
        needed = longest - 20
    stable = rng.randint(10, max(11, min(240, longest - needed + 10)))
    resolved = mitigated + timedelta(minutes=stable)
    if resolved > first_update + timedelta(minutes=longest):
        resolved = first_update + timedelta(minutes=longest)
    resolved = max(
        resolved,
        mitigated + timedelta(minutes=5),
        first_update + timedelta(minutes=5 * (count - 1)),
    )
    times = spaced_updates(rng, first_update, resolved, count, cadence)
    return start, detected, acknowledged, mitigated, resolved, times


def make_incidents(
    n: int,
    end: date,
    services: list[Service],
    runbooks: list[Runbook],
    people: dict[str, list[str]],
    rng: random.Random,
) -> list[Incident]:
    """Facts of every incident, sorted by start, with ids, paths and cross references."""
    end_moment = datetime(end.year, end.month, end.day, 23, 0, tzinfo=UTC)
    span_minutes = YEARS * 365 * 24 * 60
    by_id = {s.id: s for s in services}
    runbook_by_id = {r.id: r for r in runbooks}
    with_components = [s.id for s in services if s.components]
    # Busier services get more incidents: tier 1 weighs most.
    weights = [{1: 5, 2: 3, 3: 2, 4: 1}[s.tier] for s in services]
    drafts: list[Incident] = []
    for _ in range(n):
        seed = rng.getrandbits(48)
        severity = rng.choices(SEVERITIES, SEVERITY_WEIGHTS)[0]
        primary = rng.choices(services, weights)[0]
        chosen = [primary.id]
        extra = rng.choice((0, 0, 0, 1, 1, 2))
        for dep in pick(rng, primary.deps, extra):
            chosen.append(dep)
        if not any(by_id[s].components for s in chosen):
            consumers = [s for s in with_components if primary.id in by_id[s].deps]
            chosen.append(rng.choice(consumers or with_components))
        # More incidents in recent years: the system (and the team writing things down) grew.
        back = int(span_minutes * (rng.random() ** 1.35))
        start = end_moment - timedelta(minutes=back + 60 * 24)
        start = start.replace(minute=rng.randint(0, 59))
        ongoing = back < 60 * 20 and severity in ("SEV-3", "SEV-4") and rng.random() < 0.7
        if ongoing:
            start = end_moment - timedelta(minutes=rng.randint(180, 60 * 20))
        timing = make_timing(rng, severity, start, end_moment, ongoing)
        started, detected, acknowledged, mitigated, resolved, times = timing
        last = resolved or times[-1]
        if last > end_moment:  # move the whole incident back so it ends before the anchor
            shift = last - end_moment + timedelta(minutes=rng.randint(30, 600))
            started, detected, acknowledged = (
                started - shift,
                detected - shift,
                acknowledged - shift,
            )
            mitigated = mitigated - shift if mitigated else None
            resolved = resolved - shift if resolved else None
            times = [t - shift for t in times]
        trigger = rng.choice(TRIGGERS)
        low, high = USERS_PCT[severity]
        users = round(rng.uniform(low, high), 1) if severity != "SEV-1" else rng.randint(low, high)
        statuses = [""] * len(times)
        drafts.append(
            Incident(
                seed=seed,
                severity=severity,
                services=chosen,
                trigger=trigger,
                symptom=rng.choice(trigger.symptoms),
                started=started,
                detected=detected,
                acknowledged=acknowledged,
                mitigated=mitigated,
                resolved=resolved,
                updates=list(zip(times, statuses, strict=True)),
                detection=rng.choices(
                    ("alert", "customer-report", "internal-report", "other"), (70, 14, 12, 4)
                )[0],
                users_pct=float(users),
            )
        )
    drafts.sort(key=lambda i: (i.started, i.seed))
    per_year: dict[int, int] = {}
    paths: set[str] = set()
    history: dict[str, list[int]] = {}
    same_cause: dict[tuple[str, str], list[int]] = {}
    tracker_number = 1000
    for index, inc in enumerate(drafts):
        irng = random.Random(inc.seed)
        year = inc.started.year
        per_year[year] = per_year.get(year, 0) + 1
        inc.id = f"INC-{year}-{per_year[year]:03d}"
        primary = by_id[inc.services[0]]
        primary.incidents.append(index)
        for sid in inc.services[1:]:
            by_id[sid].incidents.append(index)
        inc.slots = incident_slots(inc, primary, by_id, irng)
        inc.title = cap(fill(irng.choice(inc.trigger.titles), inc.slots))
        day = inc.started.date().isoformat()
        slug = slugify(inc.title)
        path = f"{year}/{day}-{slug}.md"
        number = 2
        while path in paths:
            path = f"{year}/{day}-{slug}-{number}.md"
            number += 1
        paths.add(path)
        inc.path = path
        # Runbooks used: those of the affected services, preferring ones for this cause.
        candidates = sorted({r for s in inc.services for r in by_id[s].runbooks})
        matching = [r for r in candidates if inc.trigger.key in runbook_by_id[r].situation.triggers]
        if matching and irng.random() < 0.85:
            inc.runbooks = pick(irng, matching, irng.choice((1, 1, 1, 2)))
        elif candidates and irng.random() < 0.5:
            inc.runbooks = pick(irng, candidates, 1)
        for rid in inc.runbooks:
            runbook_by_id[rid].used_by.append(index)
        if inc.detection == "alert":
            alerts = [a for rid in inc.runbooks for a in runbook_by_id[rid].alerts]
            fallback = irng.choice(("ErrorRateHigh", "LatencyHigh", "SLOBurnRateHigh"))
            alerts = alerts or [f"{camel(primary.id)}{fallback}"]
            inc.alerts = sorted(set(alerts))
        # Earlier incidents of the same service: related, and sometimes a recurrence.
        earlier = [j for j in history.get(primary.id, [])[-40:] if drafts[j].started < inc.started]
        repeat = [
            j
            for j in same_cause.get((primary.id, inc.trigger.key), [])[-10:]
            if drafts[j].started < inc.started
        ]
        if repeat and irng.random() < 0.35:
            inc.recurrence_of = drafts[irng.choice(repeat)].id
        if earlier and irng.random() < 0.3:
            inc.related = sorted({drafts[j].id for j in pick_ints(irng, earlier, 2)})
        history.setdefault(primary.id, []).append(index)
        same_cause.setdefault((primary.id, inc.trigger.key), []).append(index)
        tags = set(pick(irng, inc.trigger.tags, irng.randint(2, 3)))
        tags.add(primary.id if irng.random() < 0.3 else primary.kind)
        if inc.recurrence_of:
            tags.add("recurrence")
        inc.tags = sorted(tags)
        team = people[primary.team]
        helpers = people[by_id[inc.services[-1]].team] + people[by_id[primary.deps[0]].team]
        crew = list(dict.fromkeys(team + helpers))
        chosen_people = pick(irng, crew, min(len(crew), 7))
        inc.commander = chosen_people[0]
        severe = inc.severity in ("SEV-1", "SEV-2")
        inc.scribe = chosen_people[1] if severe or irng.random() < 0.6 else None
        inc.comms = chosen_people[2] if severe or irng.random() < 0.4 else None
        inc.smes = chosen_people[3 : 3 + irng.randint(1, 4)]
        inc.slots.update(people_slots(inc))
        inc.status = writeup_status(inc, end_moment, irng)
        tracker_number = make_actions(inc, end, irng, tracker_number)
        inc.updates = update_statuses(inc)
    return drafts


def pick_ints(rng: random.Random, items: list[int], k: int) -> list[int]:
    return rng.sample(items, min(k, len(items)))


def writeup_status(inc: Incident, end_moment: datetime, rng: random.Random) -> str:
    """Published unless recent: a write-up takes a couple of weeks to get through review."""
    if inc.resolved is None:
        return "draft"
    age = (end_moment - inc.resolved).days
    if age < 21:
        return rng.choice(("draft", "in-review", "in-review", "published"))
    return "published"


def update_statuses(inc: Incident) -> list[tuple[datetime, str]]:
    """investigating, identified, monitoring, resolved: in order, the last exactly at
    resolution, so that the status page tells the story the timeline does."""
    times = [t for t, _ in inc.updates]
    identified_at = inc.acknowledged + (((inc.mitigated or times[-1]) - inc.acknowledged) / 2)
    result: list[tuple[datetime, str]] = []
    for index, moment in enumerate(times):
        last = index == len(times) - 1
        if last and inc.resolved is not None:
            status = "resolved"
        elif index == 0:
            status = "investigating"
        elif inc.mitigated is not None and moment >= inc.mitigated:
            status = "monitoring"
        elif moment >= identified_at:
            status = "identified"
        else:
            status = "investigating"
        result.append((moment, status))
    return result


def incident_slots(
    inc: Incident, primary: Service, by_id: dict[str, Service], rng: random.Random
) -> dict[str, str]:
    """Every value a template may name, for this incident."""
    dep = by_id[primary.deps[0]] if primary.deps else primary
    comps = [c for s in inc.services for c in by_id[s].components]
    comp = comps[0] if comps else primary.name
    major = rng.randint(1, 9)
    minor = rng.randint(0, 40)
    pods = rng.choice((8, 12, 16, 20, 24, 32, 40, 48, 64))
    end_ref = inc.mitigated or inc.updates[-1][0]
    minutes_total = max(1, int((end_ref - inc.started).total_seconds() // 60))
    budget_minutes = primary.window_days * 24 * 60 * (1 - primary.availability / 100)
    budget_pct = min(999, round(minutes_total * inc.users_pct / 100 / budget_minutes * 100))
    requests = rng.randint(2, 900) * 1000
    return {
        "svc": primary.name,
        "svc_lower": uncap(primary.name),
        "a_svc_lower": with_article(uncap(primary.name)),
        "svc_id": primary.id,
        "svc_link": f"[[{primary.id}]]",
        "dep": dep.name,
        "dep_id": dep.id,
        "dep_link": f"[[{dep.id}]]",
        "comp": comp,
        "comp_lower": uncap(comp),
        "team": primary.team,
        "tier": str(primary.tier),
        "slo": f"{primary.availability:g}",
        "window": str(primary.window_days),
        "version": f"{major}.{minor}.{rng.randint(1, 9)}",
        "old_version": f"{major}.{minor}.0",
        "change_no": str(rng.randint(1000, 99999)),
        "flag": f"{primary.id.replace('-', '_')}.{rng.choice(FLAG_WORDS)}",
        "host": f"{primary.id}.example.com",
        "queue": f"{primary.id}.events",
        "region": rng.choice(CLOUD_REGIONS),
        "peak": rng.choice(PEAKS),
        "pods": str(pods),
        "new_pods": str(pods * 2),
        "pool": str(rng.choice((10, 16, 20, 25))),
        "count": thousands(rng.randint(20, 2000) * 1000),
        "factor": str(rng.randint(3, 12)),
        "lag": str(rng.randint(4, 90)),
        "hit": str(rng.randint(85, 98)),
        "pct": f"{inc.users_pct:g}",
        "path": rng.choice(PATHS),
        "saved": str(rng.randint(5, 25)),
        "rollback_min": str(rng.randint(12, 35)),
        "requests": thousands(requests),
        "total_requests": thousands(requests * rng.randint(4, 40)),
        "orders": thousands(rng.randint(20, 4000)),
        "revenue": thousands(rng.randint(2, 400) * 1000),
        "tickets": str(rng.randint(3, 300)),
        "budget_pct": str(budget_pct),
        "symptom_title": SYMPTOMS[inc.symptom]["title"],
        "symptom_noun": SYMPTOMS[inc.symptom]["noun"],
        "symptom_short": SYMPTOMS[inc.symptom]["short"],
        "public": SYMPTOMS[inc.symptom]["public"].format(comp=comp),
        "duration_text": duration_text(minutes_total),
        "date_long": long_date(inc.started.date()),
        "start_hm": hm(inc.started),
        "mitigated_hm": hm(end_ref),
        "resolved_hm": hm(inc.resolved or end_ref),
        "ttd": str(int((inc.detected - inc.started).total_seconds() // 60)),
        "tta": str(int((inc.acknowledged - inc.detected).total_seconds() // 60)),
        "first_update": str(int((inc.updates[0][0] - inc.acknowledged).total_seconds() // 60)),
        "updates": str(len(inc.updates)),
        "stable_min": str(int(((inc.resolved or end_ref) - end_ref).total_seconds() // 60) or 15),
        "sev": inc.severity,
        "db_link": "[[database]]" if "database" in by_id else "the database",
    }


def people_slots(inc: Incident) -> dict[str, str]:
    sme = inc.smes[0] if inc.smes else inc.commander
    return {
        "ic": inc.commander,
        "sme": sme,
        "sme2": inc.smes[1] if len(inc.smes) > 1 else sme,
        "oncall": sme,
        "rb_ref": f"[[{inc.runbooks[0]}]]" if inc.runbooks else f"the `{inc.services[0]}` runbooks",
    }


def make_actions(inc: Incident, end: date, rng: random.Random, tracker_number: int) -> int:
    """3 to 8 follow-ups; their state follows their due date as seen from the end date."""
    count = rng.randint(3, 8)
    pool = list(dict.fromkeys(fill(t, inc.slots) for _, t in inc.trigger.actions))
    kinds = {fill(t, inc.slots): k for k, t in (*inc.trigger.actions, *GENERIC_ACTIONS)}
    generic = list(dict.fromkeys(fill(t, inc.slots) for _, t in GENERIC_ACTIONS))
    titles = pick(rng, pool, count)
    titles += pick(rng, [g for g in generic if g not in titles], count - len(titles))
    base = (inc.resolved or inc.started).date()
    owners = [inc.commander, *inc.smes, *([inc.scribe] if inc.scribe else [])]
    project = rng.choice(("OPS", "OPS", "REL", "SRE"))
    for title in titles:
        due = base + timedelta(days=rng.choice((3, 5, 7, 10, 14, 21, 30, 45, 60, 90)))
        if inc.resolved is None:
            status = rng.choice(("open", "open", "in-progress"))
        elif due <= end - timedelta(days=14):
            status = rng.choices(("done", "wont-do", "in-progress", "open"), (78, 7, 5, 10))[0]
        else:
            status = rng.choices(("done", "in-progress", "open"), (35, 30, 35))[0]
        completed = None
        if status == "done":
            completed = due + timedelta(days=rng.randint(-10, 12))
            completed = min(max(completed, base), end)
        tracker = None
        if rng.random() < 0.85:
            tracker_number += 1
            tracker = f"{TRACKER}/{project}-{tracker_number}"
        inc.actions.append(
            ActionItem(title, rng.choice(owners), due, status, kinds[title], completed, tracker)
        )
    return tracker_number


def review_runbooks(
    runbooks: list[Runbook], incidents: list[Incident], end: date, rng: random.Random
) -> None:
    """Most runbooks were reviewed after their last use and recently; a few are stale."""
    for rb in runbooks:
        used = [r.date() for i in rb.used_by if (r := incidents[i].resolved) is not None]
        last_use = max(used) if used else None
        if rng.random() < 0.04:
            reviewed = end - timedelta(days=rb.review_every + rng.randint(20, 200))
        else:
            reviewed = end - timedelta(days=rng.randint(0, max(0, rb.review_every - 30)))
            if last_use is not None and reviewed < last_use:
                reviewed = min(end, last_use + timedelta(days=rng.randint(0, 10)))
        rb.last_reviewed = reviewed


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def flow(items: Sequence[str]) -> str:
    return "[" + ", ".join(items) + "]"


def postmortem_front_matter(inc: Incident, by_id: dict[str, Service]) -> str:
    lines = [
        "---",
        f"id: {inc.id}",
        f"title: {yaml_str(inc.title)}",
        f"status: {inc.status}",
        f"severity: {inc.severity}",
        f"services: {flow(inc.services)}",
        f"started_at: {ts(inc.started)}",
        f"detected_at: {ts(inc.detected)}",
        f"acknowledged_at: {ts(inc.acknowledged)}",
    ]
    if inc.mitigated is not None:
        lines.append(f"mitigated_at: {ts(inc.mitigated)}")
    if inc.resolved is not None:
        lines.append(f"resolved_at: {ts(inc.resolved)}")
    lines.append(f"detection: {inc.detection}")
    if inc.alerts:
        lines.append(f"alerts: {flow(inc.alerts)}")
    lines += ["roles:", f"  incident_commander: {inc.commander}"]
    if inc.scribe:
        lines.append(f"  scribe: {inc.scribe}")
    if inc.comms:
        lines.append(f"  communications_lead: {inc.comms}")
    if inc.smes:
        lines.append(f"  subject_matter_experts: {flow(inc.smes)}")
    summary = impact_summary(inc)
    lines += [
        "impact:",
        f"  summary: {yaml_str(summary)}",
        f"  users_affected_pct: {inc.users_pct:g}",
    ]
    if inc.runbooks:
        lines.append(f"runbooks: {flow(inc.runbooks)}")
    if inc.related:
        lines.append(f"related: {flow(inc.related)}")
    if inc.recurrence_of:
        lines.append(f"recurrence_of: {inc.recurrence_of}")
    lines.append(f"tags: {flow(inc.tags)}")
    lines.append("action_items:")
    for item in inc.actions:
        lines += [
            f"  - title: {yaml_str(item.title)}",
            f"    owner: {item.owner}",
            f"    due: {item.due.isoformat()}",
            f"    status: {item.status}",
            f"    kind: {item.kind}",
        ]
        if item.completed_on is not None:
            lines.append(f"    completed_on: {item.completed_on.isoformat()}")
        if item.tracker:
            lines.append(f"    tracker: {item.tracker}")
    rng = random.Random(inc.seed ^ 0x5A5A)
    comps = [c for s in inc.services for c in by_id[s].components][:3]
    lines += [
        "status_page:",
        f"  title: {yaml_str(status_title(inc))}",
        f"  impact: {SP_IMPACT[inc.severity]}",
        "  components:",
    ]
    for comp in comps:
        lines.append(f"    {yaml_str(comp)}: {rng.choice(COMPONENT_STATE[inc.severity])}")
    lines.append("  updates:")
    previous = ""
    for moment, status in inc.updates:
        choices = [m for m in STATUS_MESSAGES[status] if m != previous]
        previous = rng.choice(choices)
        message = fill(previous, inc.slots)
        lines += [
            f"    - at: {ts(moment)}",
            f"      status: {status}",
            f"      message: {yaml_str(message)}",
        ]
    lines.append("---")
    return "\n".join(lines) + "\n"


def impact_summary(inc: Incident) -> str:
    s = inc.slots
    text = f"{s['comp']} {s['symptom_short']} about {s['pct']}% of customers"
    if inc.resolved is None:
        return text + f" since {s['start_hm']} UTC; the incident is still open"
    return text + f" for {s['duration_text']}"


def status_title(inc: Incident) -> str:
    s = inc.slots
    return {
        "errors": f"Errors on {s['comp']}",
        "latency": f"Slow responses on {s['comp']}",
        "outage": f"{s['comp']} unavailable",
        "delay": f"Delays on {s['comp']}",
        "stale": f"Out-of-date information on {s['comp']}",
    }[inc.symptom]


class Body:
    """A postmortem body as ordered sections of paragraphs and bullets, with its size."""

    ORDER = (
        "Summary",
        "Impact",
        "Timeline",
        "Contributing factors",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Supporting information",
        "Action items",
    )

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[int, str]]] = {name: [] for name in self.ORDER}
        self.size = 0

    def cost(self, section: str, block: str) -> int:
        heading = 0 if self.parts[section] else len(section) + 5
        return heading + len(block) + 2

    def add(self, section: str, block: str, order: int = 1000) -> None:
        """``order`` places a block within its section (bullets of a fixed sequence)."""
        self.size += self.cost(section, block)
        self.parts[section].append((order, block))

    def render(self) -> str:
        out: list[str] = []
        for name in self.ORDER:
            blocks = [b for _, b in sorted(self.parts[name], key=lambda item: item[0])]
            if not blocks:
                continue
            out.append(f"## {name}\n")
            text = ""
            for index, block in enumerate(blocks):
                joined_list = (
                    block.startswith("- ") and index and blocks[index - 1].startswith("- ")
                )
                text += ("\n" if joined_list else ("\n\n" if index else "")) + block
            out.append(text + "\n")
        return "\n" + "\n".join(out)


def timeline_rows(inc: Incident, rng: random.Random) -> list[tuple[datetime, str]]:
    s = inc.slots
    trig = inc.trigger
    rows: list[tuple[datetime, str]] = []
    rows.append(
        (inc.started - timedelta(minutes=rng.randint(1, 9)), fill(rng.choice(trig.prelude), s))
    )
    rows.append((inc.started, f"First {s['symptom_noun']} on {s['comp']}. Start of impact."))
    detected = {
        "alert": f"`{inc.alerts[0] if inc.alerts else 'SLOBurnRate'}` fires. Detected.",
        "customer-report": f"Customer support escalates {s['tickets']} tickets about {s['comp']}. "
        "Detected.",
        "internal-report": f"An engineer reports {s['symptom_noun']} on {s['comp']} in the "
        "incident channel. Detected.",
        "other": "A synthetic check on the status dashboard turns red. Detected.",
    }[inc.detection]
    rows.append((inc.detected, detected))
    rows.append((inc.acknowledged, f"{s['oncall']} ({s['team']} on-call) acknowledges the page."))
    limit = inc.mitigated or inc.updates[-1][0]
    window = max(1, int((limit - inc.acknowledged).total_seconds() // 60))
    rows.append(
        (
            inc.acknowledged + timedelta(minutes=max(1, window // 6)),
            f"{s['ic']} takes incident command and declares {inc.severity}.",
        )
    )
    for step, text in enumerate(trig.diagnosis):
        moment = inc.acknowledged + timedelta(minutes=max(1, window * (step + 2) // 5))
        rows.append((moment, fill(text, s)))
    for index, (moment, status) in enumerate(inc.updates):
        if status == "resolved":
            continue
        label = "First status page update" if index == 0 else "Status page updated"
        rows.append((moment, f"{label} ({status})."))
    if inc.mitigated is not None:
        rows.append(
            (
                inc.mitigated - timedelta(minutes=min(window // 5, 8)),
                fill(rng.choice(trig.mitigation), s),
            )
        )
        rows.append((inc.mitigated, "Error rate and latency back to baseline. Mitigated."))
    if inc.resolved is not None:
        rows.append((inc.resolved, "Metrics stable; status page set to resolved. Resolved."))
    rows.sort(key=lambda row: row[0])
    return rows


def timeline_table(inc: Incident, rows: list[tuple[datetime, str]]) -> str:
    multi_day = rows[0][0].date() != rows[-1][0].date()
    lines = ["| Time (UTC) | Event |", "|---|---|"]
    for moment, text in rows:
        when = moment.strftime("%Y-%m-%d %H:%M") if multi_day else hm(moment)
        lines.append(f"| {when} | {text} |")
    return "\n".join(lines)


def render_postmortem_body(inc: Incident, rng: random.Random) -> str:
    """Mandatory sections first, then optional material until the drawn size is reached."""
    s = dict(inc.slots)
    trig = inc.trigger
    mitigation = fill(rng.choice(trig.mitigation), s)
    s["mitigation"] = mitigation
    s["mitigation_lower"] = uncap(mitigation)
    target = rng.randint(BODY_MIN + 250, BODY_MAX - 350)
    body = Body()

    opener = fill(rng.choice(SUMMARY_OPENERS), s)
    cause = fill(rng.choice(trig.causes), s)
    body.add("Summary", f"{opener} {cause}")
    if inc.resolved is not None:
        body.add("Summary", fill(rng.choice(SUMMARY_CLOSERS), s))
    else:
        body.add(
            "Summary",
            f"The incident is still open. First mitigation step: {mitigation} The team is "
            "watching whether it holds; this draft will be completed after resolution.",
        )
    links = [f"[[{r}]]" for r in inc.related]
    if inc.recurrence_of:
        body.add(
            "Summary",
            f"This is a repeat of [[{inc.recurrence_of}]]: the same mechanism on the same "
            "service, reached through a different change.",
        )
    elif links:
        body.add(
            "Summary",
            f"Earlier incidents on this service with a similar shape: {', '.join(links)}.",
        )

    bullets = list(enumerate(IMPACT_BULLETS))
    rng.shuffle(bullets)
    for order, template in bullets[:3]:
        body.add("Impact", "- " + fill(template, s), order)
    rows = timeline_rows(inc, rng)
    body.add("Timeline", timeline_table(inc, rows))
    factors = list(trig.factors)
    rng.shuffle(factors)
    for lead, text in factors[:2]:
        body.add("Contributing factors", f"**{lead}** {fill(text, s)}")
    well = list(WENT_WELL) + (list(WENT_WELL_RUNBOOK) if inc.runbooks else [])
    rng.shuffle(well)
    for template in well[:2]:
        body.add("What went well", "- " + fill(template, s))
    done = sum(1 for a in inc.actions if a.status == "done")
    done_text = (
        f"{done} of the {len(inc.actions)} items are done."
        if done
        else f"None of the {len(inc.actions)} items is done yet."
    )
    s["done_text"] = done_text
    body.add("Action items", fill(rng.choice(ACTION_PARAGRAPHS), s))

    optional: list[tuple[str, str, int]] = []
    optional += [("Impact", "- " + fill(t, s), order) for order, t in bullets[3:]]
    optional += [
        ("Contributing factors", f"**{lead}** {fill(text, s)}", 1000) for lead, text in factors[2:]
    ]
    generic = list(GENERIC_FACTORS)
    rng.shuffle(generic)
    optional += [
        ("Contributing factors", f"**{lead}** {fill(text, s)}", 1000) for lead, text in generic[:3]
    ]
    logs = [
        fill(line, {**s, "ts": ts(inc.started + timedelta(seconds=41 * k))})
        for k, line in enumerate(trig.logs)
    ]
    optional.append(
        (
            "Contributing factors",
            "What the logs showed:\n\n```text\n" + "\n".join(logs) + "\n```",
            1000,
        )
    )
    optional += [("What went well", "- " + fill(t, s), 1000) for t in well[2:5]]
    wrong = [*trig.wrong, *pick(rng, WENT_WRONG, 3)]
    optional += [("What went wrong", "- " + fill(t, s), 1000) for t in wrong]
    optional += [("Where we got lucky", "- " + fill(t, s), 1000) for t in pick(rng, LUCKY, 2)]
    optional += [("Supporting information", fill(t, s), 1000) for t in pick(rng, SUPPORTING, 2)]
    optional += [("Summary", fill(t, s), 1000) for t in pick(rng, SUMMARY_EXTRAS, 2)]
    command = fill(MITIGATION_COMMANDS[trig.key], s)
    optional.append(
        (
            "Contributing factors",
            f"The mitigation applied at {s['mitigated_hm']}:\n\n```bash\n{command}\n```",
            1000,
        )
    )
    waiting = [a for a in inc.actions if a.status in ("open", "in-progress")]
    for item in waiting[:2]:
        optional.append(
            (
                "Action items",
                f'"{item.title}" is {item.status.replace("-", " ")}, due '
                f"{long_date(item.due)}: {rng.choice(OPEN_REASONS)}.",
                2000,
            )
        )
    kinds = sorted({a.kind for a in inc.actions})
    optional.append(
        (
            "Impact",
            f"Customers were kept informed through {s['updates']} status page updates on "
            f"{s['comp']}, and customer support answered tickets with a prepared text. "
            f"The follow-ups cover {', '.join(kinds)} work.",
            2000,
        )
    )
    rng.shuffle(optional)
    for section, block, order in optional:
        if body.size >= target:
            break
        if body.size + body.cost(section, block) <= BODY_MAX - 150:
            body.add(section, block, order)
    spare = iter(SUPPORTING)
    while body.size < BODY_MIN + 100:
        body.add("Supporting information", fill(next(spare), s))
    return body.render()


def render_postmortem(inc: Incident, by_id: dict[str, Service]) -> str:
    rng = random.Random(inc.seed)
    return postmortem_front_matter(inc, by_id) + render_postmortem_body(inc, rng)


def render_runbook(rb: Runbook, by_id: dict[str, Service], incidents: list[Incident]) -> str:
    svc = by_id[rb.services[0]]
    sit = rb.situation
    rng = random.Random(f"{rb.id}")
    ids = {"id": svc.id, "name": svc.name}
    front = [
        "---",
        f"id: {rb.id}",
        f"title: {yaml_str(rb.title)}",
        f"services: {flow(rb.services)}",
        f"owner: {rb.owner}",
        f"alerts: {flow(rb.alerts)}",
        f"last_reviewed: {rb.last_reviewed.isoformat()}",
        f"review_every_days: {rb.review_every}",
        f"severity: {rb.severity}",
        "---",
        "",
    ]
    causes = "\n".join(f"- {c};" for c in sit.causes[:-1]) + f"\n- {sit.causes[-1]}."
    diag = "\n\n".join(
        f"{n}. {label}\n\n```bash\n{cmd.format(**ids)}\n```"
        for n, (label, cmd) in enumerate(
            zip(
                (
                    "Scope: how many pods and which endpoints are affected?",
                    "Recent changes and logs:",
                ),
                sit.diagnose,
                strict=True,
            ),
            start=1,
        )
    )
    steps = "\n".join(f"{n}. {step.format(**ids)}" for n, step in enumerate(sit.steps, start=1))
    used = sorted(rb.used_by, key=lambda i: incidents[i].started, reverse=True)[:3]
    related = [f"- [[{incidents[i].id}]]: {incidents[i].title.rstrip('.')}." for i in used]
    related.append(f"- Service page [[{svc.id}]].")
    for other in rb.services[1:]:
        related.append(f"- Dependency [[{other}]].")
    body = f"""# {rb.title}

## Overview

{sit.what.format(**ids)} This runbook is owned by {rb.owner}; the usual severity is {rb.severity}, \
raised as the [severity policy](../../policies/severity.md) says when the impact grows.

Typical causes:

{causes}

## Symptoms / alert meaning

`{rb.alerts[0]}` fires when:

```promql
{sit.promql.format(**ids)}
```

Customers see {rng.choice(("errors", "slow pages", "delays", "failed requests"))} on \
{svc.components[0] if svc.components else svc.name}.

## Diagnosis

{diag}

## Mitigation

{steps}

## Verification

- The alert has resolved and stays resolved for 15 minutes.
- Error rate and latency of `{svc.id}` are back at the level of the same hour last week.
- Anything raised temporarily (replicas, limits, pool sizes) is set back and noted in the \
incident channel.

## Escalation

- No improvement 15 minutes after mitigation: page the {rb.owner} secondary.
- A dependency is the cause: page its owners and bring them into the incident channel.

## Related

{chr(10).join(related)}
"""
    return "\n".join(front) + "\n" + body


def render_service(
    svc: Service,
    by_id: dict[str, Service],
    runbook_by_id: dict[str, Runbook],
    incidents: list[Incident],
    people: dict[str, list[str]],
) -> str:
    rng = random.Random(f"service:{svc.id}")
    comps = flow([yaml_str(c) for c in svc.components])
    front = (
        f"---\nid: {svc.id}\nname: {yaml_str(svc.name)}\nowner: {svc.team}\ntier: {svc.tier}\n"
        f"slo:\n  availability: {svc.availability:g}\n  window_days: {svc.window_days}\n"
        f"components: {comps}\n---\n\n"
    )
    budget = svc.window_days * 24 * 60 * (1 - svc.availability / 100)
    pods_min = rng.choice((2, 3, 4, 6, 10))
    arch = "\n".join(
        "- "
        + line.format(
            id=svc.id,
            pods_min=pods_min,
            pods_max=pods_min * 4,
            db_link="[[database]]"
            if "database" in by_id and svc.id != "database"
            else "the database cluster",
        )
        for line in ARCHITECTURE[svc.kind]
    )
    effects = ("Requests fail", "Latency rises", "Work queues up", "Stale data is served")
    dep_rows = "\n".join(f"| [[{d}]] | {by_id[d].team} | {rng.choice(effects)} |" for d in svc.deps)
    comps_text = (
        "Status-page components: " + ", ".join(f"**{c}**" for c in svc.components) + "."
        if svc.components
        else "There is no status-page component of its own: customers see problems through "
        "the services that use it."
    )
    alerts = [
        f"- `{a}`: follow [[{rid}]]." for rid in svc.runbooks for a in runbook_by_id[rid].alerts
    ]
    notable = sorted(
        (i for i in svc.incidents if incidents[i].services[0] == svc.id),
        key=lambda i: (SEVERITIES.index(incidents[i].severity), -incidents[i].started.timestamp()),
    )[:4]
    team = people[svc.team]
    manager = team[-1] if team else "the engineering manager"
    body = f"""# {svc.name}

## Overview

{svc.name} (`{svc.id}`) is owned by {svc.team}. It is a tier {svc.tier} service with an \
availability objective of {svc.availability:g}% over a rolling {svc.window_days}-day window, \
which leaves about {budget:.0f} minutes of full-outage budget per window.

{comps_text}

## Architecture

{arch}

## Dependencies

| Dependency | Owner | Effect when it fails |
|---|---|---|
{dep_rows}

## On-call and escalation

- Primary and secondary come from the `{svc.team}` PagerDuty schedule (weekly rotation).
- An unacknowledged page moves to the secondary after 5 minutes and to the engineering \
manager ({manager}) after 15 minutes.
- Choose the severity with the [severity policy](../policies/severity.md).

## Dashboards and alerts

- Grafana `{svc.name} / Overview`: request rate, error rate and latency per endpoint.
{chr(10).join(alerts) if alerts else "- Multi-window SLO burn-rate alerts page the primary."}
"""
    if notable:
        body += (
            "\nIncidents worth reading before a first on-call shift: "
            + ", ".join(f"[[{incidents[i].id}]]" for i in notable)
            + ".\n"
        )
    return front + body


#: (id, name, summary, response minutes, page, notify, update minutes, required, due days)
POLICY_LEVELS: tuple[tuple[str, str, str, int, str, str, int, bool, int], ...] = (
    (
        "SEV-1",
        "Critical",
        "A tier 1 service is down or unusable for most customers, or data loss or a security "
        "breach is confirmed or suspected",
        5,
        "primary, secondary, engineering-manager",
        "status-page, executives, customer-support",
        30,
        True,
        5,
    ),
    (
        "SEV-2",
        "Major",
        "A customer-facing feature is broken or badly degraded for a significant share of "
        "customers, with no acceptable workaround",
        15,
        "primary, secondary",
        "status-page, customer-support",
        60,
        True,
        7,
    ),
    (
        "SEV-3",
        "Minor",
        "Partial degradation with limited customer impact or a workaround, or an internal "
        "system at risk",
        60,
        "primary",
        "customer-support",
        240,
        False,
        14,
    ),
    (
        "SEV-4",
        "Low",
        "Cosmetic or minor problem with no measurable customer impact, handled in working hours",
        480,
        "",
        "",
        1440,
        False,
        30,
    ),
)

#: status_update_minutes of each level: status-page updates are spaced to respect it.
CADENCE = {level[0]: level[6] for level in POLICY_LEVELS}


def policy_front_matter() -> str:
    """The policy's levels and error-budget rules, as in the repository's example."""
    lines = ["levels:"]
    for level, name, summary, response, page, notify, cadence, required, due in POLICY_LEVELS:
        lines += [
            f"  - id: {level}",
            f"    name: {name}",
            f"    summary: {summary}",
            f"    response_minutes: {response}",
            f"    page: [{page}]",
            f"    notify: [{notify}]",
            f"    status_update_minutes: {cadence}",
            f"    postmortem_required: {'true' if required else 'false'}",
            f"    postmortem_due_days: {due}",
        ]
    lines += [
        "error_budget:",
        "  warn_at_pct: 80",
        "  freeze_at_pct: 100",
        "  postmortem_if_consumed_pct: 20",
    ]
    return "\n".join(lines) + "\n"


POLICY_TEXT = {
    "SEV-1": (
        "A tier 1 service is down or unusable for most customers, or data loss or a security "
        "breach is confirmed or suspected. Acknowledge within 5 minutes; page the primary, the "
        "secondary and the engineering manager; open the status page and inform executives and "
        "customer support."
    ),
    "SEV-2": (
        "A customer-facing feature is broken or badly degraded for a significant share of "
        "customers (roughly 5% or more), with no acceptable workaround. Acknowledge within 15 "
        "minutes; page primary and secondary; open the status page and inform customer support."
    ),
    "SEV-3": (
        "Partial degradation with limited customer impact or a workaround, or an internal "
        "system at risk. Acknowledge within 60 minutes; page the primary; inform customer "
        "support so they can answer tickets."
    ),
    "SEV-4": (
        "Cosmetic or minor problems with no measurable customer impact. No page; open a ticket "
        "and handle it within working hours (target: acknowledged within 8 hours)."
    ),
}
POLICY_NAMES = {"SEV-1": "Critical", "SEV-2": "Major", "SEV-3": "Minor", "SEV-4": "Low"}


def render_policy(incidents: list[Incident]) -> str:
    examples: dict[str, list[Incident]] = {level: [] for level in SEVERITIES}
    for inc in reversed(incidents):
        if inc.status == "published" and len(examples[inc.severity]) < 3:
            examples[inc.severity].append(inc)
    sections = []
    for level in SEVERITIES:
        lines = [f"### {level} {POLICY_NAMES[level]}", "", POLICY_TEXT[level], ""]
        lines += [f"- {inc.title} ([[{inc.id}]])." for inc in examples[level]]
        if not examples[level]:
            lines.append("- A noisy alert, or a dashboard showing wrong data.")
        sections.append("\n".join(lines))
    levels = "\n\n".join(sections)
    return f"""---
{policy_front_matter()}---

# Incident severity policy

This policy tells you how to classify an incident, who responds, how often we communicate, \
and when a postmortem is required. It applies to every service in this knowledge base. When \
in doubt, pick the higher severity: downgrading later is cheap, a slow response is not.

## Choosing a level

Judge by customer impact right now and by the risk of it getting worse, not by the cause. \
Use the tier of the affected service (see each service page) as an input: the same symptom \
on a tier 1 service is usually one level higher than on a tier 3 service.

{levels}

## Escalating and downgrading

- Raise the level as soon as the impact grows past its criteria, or when the incident has \
run for 60 minutes without a clear mitigation path. The incident commander decides.
- Downgrade only after mitigation has held for at least 30 minutes and the remaining impact \
fits the lower level. Record the change and the reason in the timeline.
- The severity in the postmortem is the highest level the incident reached.

## Roles

- **Incident commander (IC)**: owns the response, sets the severity, assigns work and \
decides on mitigation and on ending the incident.
- **Scribe**: keeps the timeline in the incident channel with UTC timestamps. Required for \
SEV-1 and SEV-2.
- **Communications lead**: writes status-page and internal updates at the cadence below. \
Required for SEV-1 and SEV-2.
- **Subject-matter experts**: engineers from the affected and dependent services.

## Status page and update cadence

- Post an update at least every 30 minutes for SEV-1, 60 minutes for SEV-2, 240 minutes for \
SEV-3 and 1440 minutes for SEV-4, even when nothing changed.
- Status moves through investigating, identified, monitoring and resolved.
- Customer-facing messages describe impact and what customers can do, never internal system \
names or people.

## Postmortems

- Required for SEV-1 (due 5 days after resolution) and SEV-2 (due 7 days after resolution).
- Required whatever the severity when the incident consumed more than 20% of an affected \
service's error budget for the window.
- Postmortems focus on systems and decisions, not on individuals.

## Error-budget policy

- **80% consumed (warning)**: the owning team prioritises reliability work for the rest of \
the window.
- **100% consumed (freeze)**: release freeze for that service until the budget recovers.
- **More than 20% of a window's budget consumed by one incident**: a postmortem is \
required, whatever its severity.
"""


def render_home(services: list[Service], n: int, end: date) -> str:
    listed = "\n".join(f"- [{s.name}](services/{s.id}.md)" for s in services)
    return f"""# Incident knowledge base

What we learned from {n} production incidents up to {long_date(end)}, how we respond to the \
next one, and the services and policy that both refer to. Everything here lives as Markdown \
in git: a pull request adds a postmortem, CI validates it, and this site is rebuilt on every \
merge.

## Where to start

- **Responding to an incident right now?** Open the runbook for the alert that paged you \
(runbooks are listed under each service), then check the [severity \
policy](policies/severity.md) to pick a level and an update cadence.
- **Following up?** [Action items](action-items.md) lists what is overdue and due soon.
- **Keeping runbooks true?** [Stale runbooks](runbooks/stale.md) says which runbooks need a \
review and why.
- **Reviewing reliability?** Each [service page](services/index.md) lists its SLO, owners, \
incidents, runbooks and open action items; [metrics](metrics.md) has the trends.

## Services

{listed}
"""


def project_config() -> str:
    """The repository's incident-kb.toml without alert rule files (the corpus has none)."""
    text = (REPO / "incident-kb.toml").read_text(encoding="utf-8")
    replaced, count = re.subn(r"(?m)^rules\s*=\s*\[[^\]\n]*\]", "rules = []", text)
    if count == 0 and "[alerts]" in text:
        replaced = text.replace("[alerts]", "[alerts]\nrules = []", 1)
    return replaced


# ---------------------------------------------------------------------------------------
# Output folder
# ---------------------------------------------------------------------------------------


def prepare_output(out: Path) -> None:
    """Create or empty ``out``; refuse anything that is not ours."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise CorpusError(f"{out}: exists and is not a folder; choose another --out")
    if not out.exists():
        out.mkdir(parents=True)
        return
    entries = sorted(out.iterdir())
    if not entries:
        return
    marker = out / MARKER
    if not (marker.is_file() and not marker.is_symlink() and _is_marker(marker)):
        raise CorpusError(
            f"{out}: folder is not empty and was not written by this generator (no {MARKER}); "
            "refusing to overwrite it. Choose an empty or new folder."
        )
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _is_marker(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(MARKER_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def generate(n: int, seed: int, out: Path, end: date = DEFAULT_END) -> CorpusSummary:
    """Write a corpus of ``n`` postmortems to ``out``; raises CorpusError if out is foreign."""
    if n < 1:
        raise CorpusError("N must be at least 1")
    rng = random.Random(seed)
    services = make_services(max(6, n // 100), rng)
    runbooks = make_runbooks(max(1, n // 5), services, rng)
    people = make_people(services, rng)
    incidents = make_incidents(n, end, services, runbooks, people, rng)
    review_runbooks(runbooks, incidents, end, rng)
    by_id = {s.id: s for s in services}
    runbook_by_id = {r.id: r for r in runbooks}

    files: dict[str, str | bytes] = {
        MARKER: (
            f"{MARKER_HEADER}\n"
            "Written by scripts/generate_corpus.py; running it again with this folder as --out\n"
            "replaces everything here.\n"
            f"n={n} seed={seed} end={end.isoformat()}\n"
        ),
        "incident-kb.toml": project_config(),
        "mkdocs.yml": (REPO / "mkdocs.yml").read_text(encoding="utf-8"),
        "hooks/incident_kb_site.py": (REPO / "hooks" / "incident_kb_site.py").read_bytes(),
        "docs/index.md": render_home(services, n, end),
        "docs/policies/severity.md": render_policy(incidents),
    }
    for svc in services:
        files[f"docs/services/{svc.id}.md"] = render_service(
            svc, by_id, runbook_by_id, incidents, people
        )
    for rb in runbooks:
        files[f"docs/runbooks/{rb.services[0]}/{rb.id}.md"] = render_runbook(rb, by_id, incidents)
    for inc in incidents:
        files[f"docs/postmortems/{inc.path}"] = render_postmortem(inc, by_id)

    prepare_output(out)
    total = 0
    made: set[Path] = set()
    for rel in [MARKER, *sorted(k for k in files if k != MARKER)]:
        content = files[rel]
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        total += len(data)
    return CorpusSummary(len(incidents), len(runbooks), len(services), len(files), total)


def _end_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate_corpus.py",
        description="Write a deterministic, valid incident knowledge base of N postmortems.",
    )
    parser.add_argument("n", metavar="N", type=_positive, help="number of postmortems")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (new or empty)")
    parser.add_argument(
        "--end",
        type=_end_date,
        default=DEFAULT_END,
        help=f"last day of the corpus, YYYY-MM-DD (default {DEFAULT_END.isoformat()})",
    )
    args = parser.parse_args(argv)
    try:
        summary = generate(args.n, args.seed, args.out, args.end)
    except CorpusError as exc:
        print(f"generate_corpus: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"generate_corpus: cannot write {args.out}: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {summary.postmortems} postmortems, {summary.runbooks} runbooks and "
        f"{summary.services} services ({summary.files} files, {summary.bytes} bytes) "
        f"to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
