"""CPU cost of one password hash (what every sign-in and every failed guess spends), today's Argon2id
against the scrypt of earlier releases, and what it adds per million sign-ins on Lambda at 512 MB arm64."""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks import prices

# Lambda gives a function CPU in proportion to its memory: one full vCPU at 1,769 MB. A single-lane hash
# (Argon2id p=1, scrypt p=1) therefore takes about 1769/512 times its CPU time at 512 MB.
FULL_VCPU_MB = 1769


def _cpu_ms(fn: Any, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        fn()
        samples.append((time.process_time() - started) * 1000)
    return round(statistics.median(samples), 2)


def run(rounds: int = 20) -> dict[str, Any]:
    from oauth_core import hashing
    from tests.unit.test_hashing import scrypt_hash

    encoded = hashing.hash_password("correct horse battery staple")
    legacy = scrypt_hash("correct horse battery staple")
    hashing.verify_password("warm up", encoded)
    argon2_ms = _cpu_ms(lambda: hashing.verify_password("correct horse battery staple", encoded), rounds)
    scrypt_ms = _cpu_ms(lambda: hashing.verify_password("correct horse battery staple", legacy), rounds)
    slowdown = FULL_VCPU_MB / (prices.LAMBDA_MEMORY_GB * 1024)
    lambda_ms = argon2_ms * slowdown
    per_million = prices.PRICES["lambda_arm64_per_gb_second"] * prices.LAMBDA_MEMORY_GB * lambda_ms / 1000 * 1e6
    return {
        "scheme": f"Argon2id m={hashing.ARGON2_MEMORY_KIB // 1024} MiB t={hashing.ARGON2_TIME_COST} "
                  f"p={hashing.ARGON2_PARALLELISM}",
        "argon2id_cpu_ms_median": argon2_ms,
        "scrypt_n14_cpu_ms_median": scrypt_ms,
        "lambda_512mb_ms_estimate": round(lambda_ms, 1),
        "dollars_per_million_sign_ins": round(per_million, 2),
        "meets_owasp": hashing.ARGON2_MEMORY_KIB >= 19 * 1024 and hashing.ARGON2_TIME_COST >= 2,
    }
