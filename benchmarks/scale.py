"""Scale on paper: for a request rate and a realistic mix, the load each AWS limit sees (from the measured
units and billed milliseconds of every operation), which limit is met first, and the monthly bill."""

from __future__ import annotations

from typing import Any

from benchmarks import prices

# A first-party app with its own API: most requests are API calls checked by the authorizer; tokens are
# refreshed hourly; sign-ins are rare. Shares of all requests.
MIX = {
    "authorizer": 0.60, "protected": 0.05, "tokeninfo": 0.05, "client_credentials": 0.10, "refresh_token": 0.10,
    "authorize_page": 0.02, "login": 0.02, "consent": 0.01, "code_exchange": 0.02, "password": 0.01,
    "jwt_bearer": 0.01, "revoke_access_token": 0.01,
}
RATES = (1_000, 10_000)
SECONDS_PER_MONTH = 30 * 24 * 3600

# Defaults of the limits (AWS quotas per account and region; template.yaml parameters), and what raises each.
LIMITS = {
    "api_gateway_account": (10_000, "requests/s", "AWS quota 'Throttle rate' (API Gateway, per region): ask for more"),
    "stage_throttle": (1_000, "requests/s", "stack parameters ThrottleRate/ThrottleBurst (and TokenThrottleRate)"),
    "lambda_concurrency": (1_000, "concurrent executions",
                           "AWS quota 'Concurrent executions' (Lambda, per region): ask for more"),
    "table_writes": (4_000, "write units/s on the busiest table",
                     "stack parameter WarmWriteUnitsPerSecond (pre-warms on-demand tables)"),
    "table_reads": (12_000, "read units/s on the busiest table",
                    "stack parameter WarmReadUnitsPerSecond (pre-warms on-demand tables)"),
    "client_key_reads": (3_000, "read units/s on one client item",
                         "stack parameter ClientCacheSeconds (each container reads a client once per bound)"),
}


def plan(warm: dict[str, Any], rate: int, client_cache_seconds: int = 5) -> dict[str, Any]:
    """Load on each limit at ``rate`` requests/s of MIX, with every request of one client (the worst case)."""
    rates = {name: rate * share for name, share in MIX.items() if name in warm}
    concurrency = sum(r * warm[n]["billed_ms"] / 1000 for n, r in rates.items())
    # Without the cache every request naming the client reads its item; with it, each warm container does
    # once per bound (containers ~ concurrency, rounded up generously to twice it).
    client_reads_uncached = rate * sum(share for name, share in MIX.items() if name != "authorize_page")
    tables: dict[str, dict[str, float]] = {}
    for name, r in rates.items():
        for table, units in warm[name]["units_by_table"].items():
            totals = tables.setdefault(table, {"read": 0.0, "write": 0.0})
            totals["read"] += r * units["read"]
            totals["write"] += r * units["write"]
    load = {
        # The authorizer runs behind the resource's API: the account's quota counts it, our stage does not.
        "api_gateway_account": rate,
        "stage_throttle": rate * (1 - MIX["authorizer"]),
        "lambda_concurrency": concurrency,
        "table_writes": max(t["write"] for t in tables.values()),
        "table_reads": max(t["read"] for t in tables.values()),
        "client_key_reads": 2 * max(1.0, concurrency) / client_cache_seconds if client_cache_seconds else
        client_reads_uncached,
    }
    shares = {name: round(load[name] / limit, 3) for name, (limit, _, _) in LIMITS.items()}
    first = max(shares, key=shares.get)
    monthly = sum(r * warm[n]["dollars_per_million"]["total"] for n, r in rates.items()) * SECONDS_PER_MONTH / 1e6
    cognito = (rate * MIX["client_credentials"] * prices.PRICES["cognito_client_credentials_per_million"]
               * SECONDS_PER_MONTH / 1e6)
    return {"rate": rate, "load": {k: round(v, 1) for k, v in load.items()}, "share_of_limit": shares,
            "busiest_tables": {kind: max(tables, key=lambda t, k=kind: tables[t][k]) for kind in ("read", "write")},
            "first_limit": first, "client_key_reads_without_cache": round(client_reads_uncached, 1),
            "monthly_dollars": round(monthly), "cognito_client_credentials_monthly_dollars": round(cognito)}


def report(scale: list[dict[str, Any]]) -> list[str]:
    lines = ["## Scale on paper", "",
             "A first-party app's mix (" + ", ".join(f"{n} {s:.0%}" for n, s in MIX.items()) + "), every request "
             "of one client (the hot-key worst case), with the units and billed milliseconds measured above. "
             "Load on each limit, as a share of its default:", "",
             "| limit (default) | " + " | ".join(f"{s['rate']:,} requests/s" for s in scale) + " | raised by |",
             "| --- | " + " | ".join("---" for _ in scale) + " | --- |"]
    for name, (limit, unit, raise_by) in LIMITS.items():
        kind = {"table_writes": "write", "table_reads": "read"}.get(name)
        cells = " | ".join(f"{s['load'][name]:,.0f} ({s['share_of_limit'][name]:.0%})"
                           + (f", {s['busiest_tables'][kind]}" if kind else "") for s in scale)
        lines.append(f"| {name.replace('_', ' ')} ({limit:,} {unit}) | {cells} | {raise_by} |")
    lines.append("")
    for s in scale:
        limit, unit, raise_by = LIMITS[s["first_limit"]]
        uncached = s["client_key_reads_without_cache"]
        lines.append(f"- At {s['rate']:,} requests/s the first limit met is **{s['first_limit'].replace('_', ' ')}** "
                     f"({s['share_of_limit'][s['first_limit']]:.0%} of {limit:,} {unit}): {raise_by}. "
                     f"Without the client cache one client's item would take {uncached:,.0f} "
                     f"reads/s (its partition serves 3,000). Monthly bill about ${s['monthly_dollars']:,}; Cognito "
                     f"would charge ${s['cognito_client_credentials_monthly_dollars']:,} for the client-credentials "
                     "tokens alone (its user pricing is per monthly active user, not per request).")
    lines.append("")
    return lines
