"""Who may read and who may act: every refusal and its status."""

from __future__ import annotations

import pytest

from gateway.dashboard import DashboardAuthError, Role, Tokens, authorise
from gateway.reasons import Reason

TOKENS = Tokens(observer="obs-secret", operator="op-secret")


def _refusal(tokens: Tokens, header: str | None, needed: Role) -> DashboardAuthError:
    with pytest.raises(DashboardAuthError) as caught:
        authorise(tokens, header, needed)
    return caught.value


@pytest.mark.parametrize("needed", list(Role))
def test_no_tokens_configured_refuses_everything_with_403(needed: Role) -> None:
    for tokens in (Tokens(), Tokens(observer="", operator="")):
        error = _refusal(tokens, "Bearer anything", needed)
        assert error.status == 403
        assert error.code == "no_tokens_configured"
        assert error.reason is Reason.BAD_CONFIGURATION
        assert "GATEWAY_DASHBOARD_OBSERVER_TOKEN" in error.message
        assert "GATEWAY_DASHBOARD_OPERATOR_TOKEN" in error.message


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_401(header: str | None) -> None:
    error = _refusal(TOKENS, header, Role.OBSERVER)
    assert (error.status, error.code) == (401, "missing_token")


def test_wrong_token_is_401_and_does_not_echo_it() -> None:
    error = _refusal(TOKENS, "Bearer guess-123", Role.OBSERVER)
    assert (error.status, error.code) == (401, "invalid_token")
    assert "guess-123" not in str(error)


@pytest.mark.parametrize(
    "header",
    ["obs-secret", "Basic b2JzLXNlY3JldA==", "Bearer", "Bearer ", "Bearer obs-secret extra"],
)
def test_malformed_header_is_401(header: str) -> None:
    error = _refusal(TOKENS, header, Role.OBSERVER)
    assert (error.status, error.code) == (401, "malformed_authorization")


def test_non_ascii_token_is_refused_not_crashing() -> None:
    error = _refusal(TOKENS, "Bearer tökén", Role.OBSERVER)
    assert error.status == 401


def test_observer_token_on_operator_action_is_403() -> None:
    error = _refusal(TOKENS, "Bearer obs-secret", Role.OPERATOR)
    assert (error.status, error.code) == (403, "forbidden")
    assert "obs-secret" not in str(error)


def test_observer_token_reads() -> None:
    assert authorise(TOKENS, "Bearer obs-secret", Role.OBSERVER) is Role.OBSERVER


def test_operator_token_reads_and_acts() -> None:
    assert authorise(TOKENS, "Bearer op-secret", Role.OBSERVER) is Role.OPERATOR
    assert authorise(TOKENS, "Bearer op-secret", Role.OPERATOR) is Role.OPERATOR


def test_scheme_is_case_insensitive() -> None:
    assert authorise(TOKENS, "bearer obs-secret", Role.OBSERVER) is Role.OBSERVER


def test_only_an_operator_token_configured() -> None:
    tokens = Tokens(operator="op-secret")
    assert authorise(tokens, "Bearer op-secret", Role.OBSERVER) is Role.OPERATOR
    assert _refusal(tokens, "Bearer obs-secret", Role.OBSERVER).status == 401


def test_tokens_are_not_in_repr() -> None:
    assert "secret" not in repr(TOKENS)
