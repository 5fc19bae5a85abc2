"""The budgets' arithmetic (brute_force.check) on counters as the batched read returns them."""

import pytest

from oauth_core import brute_force
from oauth_core.errors import TooManyAttempts

NOW = 1_000_000


def counters(pair=0, last=NOW, address=0, user=0, address_before=0):
    return {"attempts_pair": {"failures": pair, "last_failure": last}, "attempts_address": {"failures": address},
            "attempts_user": {"failures": user}, "attempts_address_before": {"failures": address_before}}


def wait(items, now=NOW):
    try:
        brute_force.check(items, "alice", "198.51.100.7", "invalid_grant", now=now)
    except TooManyAttempts as exc:
        return exc.retry_after, exc.budget
    return 0, None


def test_free_failures_then_waits_that_double_up_to_a_day():
    assert wait(counters(pair=4)) == (0, None)
    assert wait(counters(pair=5)) == (300, "user_address")
    assert wait(counters(pair=5), now=NOW + 300) == (0, None), "one more try once the wait is over"
    assert wait(counters(pair=6))[0] == 600 and wait(counters(pair=7))[0] == 1200
    assert wait(counters(pair=40))[0] == brute_force.DAY
    assert sum(300 * 2**k for k in range(9)) > brute_force.DAY, "about 14 guesses a day per user and address"


def test_an_address_with_no_failure_for_the_user_is_never_refused_for_the_user():
    assert wait(counters(pair=0, user=10_000)) == (0, None)


def test_a_user_under_attack_leaves_one_free_failure_to_addresses_that_failed():
    assert wait(counters(pair=1, user=19)) == (0, None)
    assert wait(counters(pair=1, user=20)) == (300, "user_address")


def test_an_address_over_its_budget_is_refused_until_the_window_ends():
    assert wait(counters(address=29)) == (0, None)
    assert wait(counters(address=30), now=NOW) == (300 - NOW % 300, "address")


def test_the_address_budget_slides_so_a_burst_across_a_window_boundary_counts_whole():
    start = NOW - NOW % 300
    assert wait(counters(address=10, address_before=20), now=start + 1)[1] == "address"
    assert wait(counters(address=10, address_before=20), now=start + 150) == (0, None), "half the last window"


@pytest.mark.parametrize("items", [{}, {"attempts_pair": None, "attempts_address": None, "attempts_user": None}])
def test_no_counters_no_wait(items):
    assert wait(items) == (0, None)


@pytest.mark.parametrize(("address", "subject"), [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:198.51.100.7", "198.51.100.7"),
    ("", "unknown"),
    ("not an address", "not an address"),
])
def test_an_ipv6_address_counts_as_its_64(address, subject):
    assert brute_force.source(address) == subject
